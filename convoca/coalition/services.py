"""Writes of the coalition: affiliation of organisations, working groups and joining them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from convoca.coalition.models import (
    AffiliationQuestion,
    AffiliationRequest,
    JoinRequest,
    WorkingGroup,
    WorkingGroupMember,
)
from convoca.core.images import image_clean
from convoca.core.links import signed_link_read
from convoca.core.translatable import language_codes, language_pick, language_texts_save
from convoca.organisations.models import Membership, Organisation
from convoca.organisations.services import organisation_save
from convoca.people.models import Activity, Person
from convoca.people.selectors import person_get_by_email
from convoca.people.services import (
    PersonData,
    activity_record,
    person_confirm_email,
    person_upsert,
)

logger = logging.getLogger(__name__)

JOIN_CONFIRM_SALT = "convoca.coalition.join-confirm"
JOIN_REVIEW_SALT = "convoca.coalition.join-review"
JOIN_LINK_MAX_AGE = 14 * 24 * 3600


class JoinRefused(Exception):
    """A request to join that cannot be made as asked (e.g. a body without an organisation)."""


# --- Affiliation -------------------------------------------------------------------------


@dataclass(frozen=True)
class AffiliationData:
    """What the public affiliation form says about an organisation and its contact."""

    name: str
    country: str
    contact: PersonData
    description: str
    relationship: str = Organisation.Relationship.MEMBER
    city: str = ""
    website: str = ""
    message: str = ""
    logo: object = None


def affiliation_request_create(*, data: AffiliationData) -> AffiliationRequest:
    """Store an organisation's request to affiliate; acknowledge it and tell the coordinators.

    The contact becomes (or is found as) a Person. An uploaded logo is
    re-encoded before it is stored (``core.images.image_clean`` raises
    ``ImageInvalid`` for what is not an image). The emails are written to the
    outbox with it.
    """
    from convoca.coalition.emails import affiliation_request_received_emails_enqueue

    logo = image_clean(data.logo) if data.logo else None
    with transaction.atomic():
        person = person_upsert(data=data.contact).person
        request = AffiliationRequest(
            name=data.name.strip(),
            country=data.country,
            city=data.city.strip(),
            website=data.website.strip(),
            description=data.description.strip(),
            relationship=data.relationship,
            message=data.message.strip(),
            person=person,
            language=data.contact.language or "en",
        )
        if logo is not None:
            request.logo.save(f"{slugify(data.name)[:60] or 'logo'}.png", logo, save=False)
        request.save(force_insert=True)
        affiliation_request_received_emails_enqueue(request=request)
    return request


def affiliation_request_ask(
    *, request: AffiliationRequest, author, question: str
) -> AffiliationQuestion:
    """Email a coordinator's question to the contact and keep it with the request."""
    from convoca.coalition.emails import affiliation_question_email_enqueue

    with transaction.atomic():
        entry = AffiliationQuestion.objects.create(request=request, author=author, body=question)
        request.status = AffiliationRequest.Status.QUESTIONED
        request.save(update_fields=["status", "updated_at"])
        affiliation_question_email_enqueue(question=entry)
    return entry


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def affiliation_request_approve(*, request: AffiliationRequest, reviewer) -> Organisation:
    """Approve a request: create the organisation and invite its contact as an organiser.

    The contact's staff account is the one with their email if there is one,
    else a new account without a usable password; either way they receive a
    link to set a password. Approving twice returns the same organisation.
    """
    from convoca.coalition.emails import organiser_invitation_email_enqueue

    User = get_user_model()
    with transaction.atomic():
        request = AffiliationRequest.objects.select_for_update().get(pk=request.pk)
        if request.status == AffiliationRequest.Status.APPROVED:
            return request.organisation
        organisation = Organisation(
            name=request.name,
            slug=_unique_slug(request.name),
            country=request.country,
            city=request.city,
            website=request.website,
            relationship=request.relationship,
            status=Organisation.Status.ACTIVE,
        )
        if request.logo:
            with request.logo.open("rb") as logo:
                organisation.logo.save(f"{organisation.slug}.png", ContentFile(logo.read()), False)
        language = language_pick(language_codes(), request.language or settings.LANGUAGE_CODE)
        organisation_save(
            organisation=organisation,
            texts={language: {"description": request.description}} if request.description else {},
        )
        email = request.person.email if request.person else ""
        user = None
        if email:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                username = base = email.lower()[:140]
                n = 1
                while User.objects.filter(username=username).exists():
                    n += 1
                    username = f"{base}-{n}"
                user = User(username=username, email=email, is_staff=True)
                user.set_unusable_password()
                user.save()
            elif not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            Membership.objects.get_or_create(
                user=user, organisation=organisation, defaults={"role": Membership.Role.ORGANISER}
            )
        request.organisation = organisation
        request.status = AffiliationRequest.Status.APPROVED
        request.reviewed_by = reviewer
        request.reviewed_at = timezone.now()
        request.save()
        if user is not None:
            organiser_invitation_email_enqueue(
                user=user, organisation=organisation, language=request.language
            )
    logger.info("affiliation approved", extra={"organisation_id": organisation.pk})
    return organisation


def organiser_invitation_resend(*, request: AffiliationRequest) -> bool:
    """Email the contact of an approved request a fresh set-password link (the last expired).

    The earlier link stops working once a password is set, and after
    ``PASSWORD_RESET_TIMEOUT`` anyway. Returns False when there is nobody to invite.
    """
    from convoca.coalition.emails import organiser_invitation_email_enqueue

    if request.organisation is None or request.person is None or not request.person.email:
        return False
    user = (
        get_user_model()
        .objects.filter(
            email__iexact=request.person.email, memberships__organisation=request.organisation
        )
        .first()
    )
    if user is None:
        return False
    return organiser_invitation_email_enqueue(
        user=user, organisation=request.organisation, language=request.language
    )


def affiliation_request_decline(
    *, request: AffiliationRequest, reviewer, message: str = ""
) -> None:
    """Decline an open request; with a ``message``, email it to the contact and keep it.

    Without one nothing is emailed (a coordinator may prefer to call). The
    message joins the request's thread, as the questions do.
    """
    from convoca.coalition.emails import affiliation_question_email_enqueue

    if not request.is_open:
        return
    with transaction.atomic():
        request.status = AffiliationRequest.Status.DECLINED
        request.reviewed_by = reviewer
        request.reviewed_at = timezone.now()
        request.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
        if not message.strip():
            return
        entry = AffiliationQuestion.objects.create(
            request=request, author=reviewer, body=message.strip()
        )
        affiliation_question_email_enqueue(question=entry)


# --- Working groups ------------------------------------------------------------------------


def working_group_save(
    *,
    group: WorkingGroup,
    texts: dict[str, dict[str, str]] | None = None,
    texts_removed: Iterable[str] = (),
) -> WorkingGroup:
    """Create or update a working group; the one write path for groups (admin, demo).

    ``texts`` are its name, purpose and description by language
    (``{"en": {"name": ...}}``), written over the versions in those
    languages; ``texts_removed`` names languages whose version goes. The
    group's mailing list is named after it in every language.
    """
    group.full_clean()
    with transaction.atomic():
        group.save()
        language_texts_save(group, texts, texts_removed)
        if _group_lists:
            names = {code: group.text_in("name", code) for code, _name in settings.LANGUAGES}
            _group_lists["keep"](group=group, names=names)
    return group


#: The mailings app's keeper of each working group's members' list (its ``ready()``
#: registers it): coalition does not import mailings.
_group_lists: dict[str, Callable] = {}


def working_group_list_register(*, keep: Callable, subscribe: Callable) -> None:
    """Give every working group a mailing list of its members.

    ``keep(group=, names=)`` creates the group's list or renames it after
    the group (``names`` by language), in the transaction that saves it;
    ``subscribe(group=, person=)`` subscribes a new member.
    """
    _group_lists.update(keep=keep, subscribe=subscribe)


def working_group_member_add(
    *,
    group: WorkingGroup,
    person: Person,
    role: str = WorkingGroupMember.Role.MEMBER,
    on_behalf_of: Organisation | None = None,
    public_name: str = "",
) -> WorkingGroupMember:
    """Put a person in a working group (once); record it on their timeline.

    This is the one place a person becomes a member, whichever way they came.
    """
    member, created = WorkingGroupMember.objects.get_or_create(
        group=group,
        person=person,
        defaults={"role": role, "on_behalf_of": on_behalf_of, "public_name": public_name},
    )
    if created:
        activity_record(
            person=person,
            kind=Activity.Kind.JOINED_GROUP,
            organisation=group.organisation,
            summary=group.text_in("name", settings.LANGUAGE_CODE),
            subject=group,
        )
        if group.mailing_list_id and _group_lists:
            _group_lists["subscribe"](group=group, person=person)
    return member


@dataclass(frozen=True)
class JoinData:
    person: PersonData
    on_behalf_of: Organisation | None = None
    public_name: str = ""
    message: str = ""


def join_request_create(*, group: WorkingGroup, data: JoinData) -> JoinRequest:
    """Record a request to join and email the person a link to confirm it.

    A strategy body takes only representatives of an organisation. A second
    request while one is open returns the open one and sends nothing more,
    so the form cannot be used to flood someone's inbox.
    """
    from convoca.coalition.emails import join_request_confirmation_email_enqueue

    if group.is_strategy_body and data.on_behalf_of is None:
        raise JoinRefused(group)
    with transaction.atomic():
        person = person_upsert(data=data.person).person
        existing = JoinRequest.objects.filter(
            group=group,
            person=person,
            status__in=[JoinRequest.Status.UNCONFIRMED, JoinRequest.Status.PENDING],
        ).first()
        if existing:
            return existing
        join_request = JoinRequest.objects.create(
            group=group,
            person=person,
            on_behalf_of=data.on_behalf_of,
            public_name=data.public_name.strip(),
            message=data.message.strip(),
            language=data.person.language or "en",
        )
        join_request_confirmation_email_enqueue(join_request=join_request)
    return join_request


def join_request_confirm(*, join_request: JoinRequest) -> JoinRequest:
    """The person confirmed by the emailed link: join an open group, or ask the conveners."""
    from convoca.coalition.emails import join_request_conveners_emails_enqueue

    with transaction.atomic():
        join_request = (
            JoinRequest.objects.select_for_update()
            .select_related("group", "person")
            .get(pk=join_request.pk)
        )
        if join_request.status != JoinRequest.Status.UNCONFIRMED:
            return join_request
        person_confirm_email(person=join_request.person)
        join_request.confirmed_at = timezone.now()
        if join_request.group.is_open:
            _join_request_accept(join_request, reviewer="")
            return join_request
        join_request.status = JoinRequest.Status.PENDING
        join_request.save(update_fields=["status", "confirmed_at", "updated_at"])
        join_request_conveners_emails_enqueue(join_request=join_request)
    return join_request


def _join_request_accept(join_request: JoinRequest, *, reviewer: str) -> None:
    working_group_member_add(
        group=join_request.group,
        person=join_request.person,
        on_behalf_of=join_request.on_behalf_of,
        public_name=join_request.public_name,
    )
    join_request.status = JoinRequest.Status.ACCEPTED
    join_request.reviewed_at = timezone.now()
    join_request.reviewed_by = reviewer[:150]
    join_request.save()


def join_request_decide(*, join_request: JoinRequest, accept: bool, reviewer: str) -> bool:
    """A convener or staff member accepts or declines a pending request; tell the person.

    Returns False (and changes nothing) when the request is no longer pending.
    """
    from convoca.coalition.emails import join_request_decided_email_enqueue

    with transaction.atomic():
        join_request = (
            JoinRequest.objects.select_for_update()
            .select_related("group", "person")
            .get(pk=join_request.pk)
        )
        if join_request.status != JoinRequest.Status.PENDING:
            return False
        if accept:
            _join_request_accept(join_request, reviewer=reviewer)
        else:
            join_request.status = JoinRequest.Status.DECLINED
            join_request.reviewed_at = timezone.now()
            join_request.reviewed_by = reviewer[:150]
            join_request.save()
        join_request_decided_email_enqueue(join_request=join_request)
    return True


def join_request_confirm_token_make(*, join_request: JoinRequest) -> str:
    return signing.dumps({"j": str(join_request.pk)}, salt=JOIN_CONFIRM_SALT, compress=True)


def join_request_confirm_token_read(token: str) -> JoinRequest | None:
    """The request a confirmation link names; None if the link is not one of ours.

    Raises ``core.links.LinkExpired`` for a genuine link older than 14 days.
    """
    payload = signed_link_read(token, salt=JOIN_CONFIRM_SALT, max_age=JOIN_LINK_MAX_AGE)
    if not isinstance(payload, dict):
        return None
    return JoinRequest.objects.select_related("group").filter(pk=payload.get("j")).first()


def join_request_confirmation_resend(*, email: str, language: str = "") -> None:
    """Send a fresh link for this address's newest request to join that waits for confirmation.

    Does nothing for an address with none; the caller answers the same
    either way (and limits how often an address may be sent one).
    """
    from convoca.coalition.emails import join_request_confirmation_email_enqueue

    person = person_get_by_email(email)
    if person is None:
        return
    newest = (
        JoinRequest.objects.select_related("group", "person")
        .filter(person=person, status=JoinRequest.Status.UNCONFIRMED)
        .order_by("-created_at")
        .first()
    )
    if newest is not None:
        with transaction.atomic():
            join_request_confirmation_email_enqueue(join_request=newest)


def join_request_review_token_make(*, join_request: JoinRequest, convener: WorkingGroupMember):
    return signing.dumps(
        {"j": str(join_request.pk), "c": convener.pk}, salt=JOIN_REVIEW_SALT, compress=True
    )


def join_request_review_token_read(token: str) -> tuple[JoinRequest, WorkingGroupMember] | None:
    """The request and the convener a review link was made for, while they still convene."""
    try:
        payload = signing.loads(token, salt=JOIN_REVIEW_SALT, max_age=JOIN_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    join_request = (
        JoinRequest.objects.select_related("group", "person", "on_behalf_of")
        .filter(pk=payload.get("j"))
        .first()
    )
    if join_request is None:
        return None
    convener = WorkingGroupMember.objects.filter(
        pk=payload.get("c"), group=join_request.group, role=WorkingGroupMember.Role.CONVENER
    ).first()
    if convener is None:
        return None
    return join_request, convener
