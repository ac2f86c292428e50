"""Emails of the coalition: affiliation, invitations, requests to join.

Each function writes its emails to the outbox; call it inside the
transaction of the change that causes them.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from convoca.coalition.models import (
    AffiliationQuestion,
    AffiliationRequest,
    JoinRequest,
    WorkingGroupMember,
)
from convoca.core.mail import absolute_url
from convoca.core.outbox import outbox_email_enqueue, outbox_key
from convoca.organisations.selectors import coordinator_list_emailable


def _language(value: str) -> str:
    return value if value in ("en", "es") else "en"


def affiliation_request_received_emails_enqueue(*, request: AffiliationRequest) -> int:
    """Acknowledge an affiliation request to its contact and tell the coordinators about it."""
    count = 0
    if request.person and request.person.email:
        outbox_email_enqueue(
            kind="coalition.affiliation_received",
            to=request.person.email,
            template="coalition/email/affiliation_received",
            context={"request": request, "person": request.person},
            language=_language(request.language),
            person_id=request.person_id,
        )
        count += 1
    # Staff have no language of their own: the site's default language.
    with translation.override(settings.LANGUAGE_CODE):
        link = absolute_url(reverse("admin:coalition_affiliationrequest_change", args=[request.pk]))
    for user in coordinator_list_emailable():
        outbox_email_enqueue(
            kind="coalition.affiliation_to_review",
            to=user.email,
            template="coalition/email/affiliation_to_review",
            context={"request": request, "link": link},
            language=settings.LANGUAGE_CODE,
        )
        count += 1
    return count


def affiliation_question_email_enqueue(*, question: AffiliationQuestion) -> bool:
    """Email a coordinator's question (or reason for declining) to the contact, who may reply."""
    request = question.request
    if request.person is None or not request.person.email:
        return False
    author = question.author
    headers = {"Reply-To": author.email} if author and author.email else {}
    # Written with the decision (affiliation_request_decline): the reason for it.
    declined = (
        request.status == AffiliationRequest.Status.DECLINED
        and request.reviewed_at is not None
        and question.created_at >= request.reviewed_at
    )
    row = outbox_email_enqueue(
        kind="coalition.affiliation_question",
        to=request.person.email,
        template=(
            "coalition/email/affiliation_declined"
            if declined
            else "coalition/email/affiliation_question"
        ),
        context={"request": request, "question": question.body},
        language=_language(request.language),
        headers=headers,
        person_id=request.person_id,
        dedupe_key=outbox_key("coalition.affiliation_question", question.pk),
    )
    return row is not None


def organiser_invitation_link(*, user, language: str) -> str:
    """A link for the user to set their password (Django's reset token: single use, expires)."""
    with translation.override(language):
        return absolute_url(
            reverse(
                "coalition:organiser-set-password",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
        )


def organiser_invitation_email_enqueue(*, user, organisation, language: str) -> bool:
    """Invite the contact of an approved organisation to set a password and log in."""
    if not user.is_active or not user.email:
        return False
    language = _language(language)
    outbox_email_enqueue(
        kind="coalition.organiser_invitation",
        to=user.email,
        template="coalition/email/organiser_invitation",
        context={
            "organisation": organisation,
            "username": user.get_username(),
            "link": organiser_invitation_link(user=user, language=language),
        },
        language=language,
    )
    return True


def join_request_confirmation_email_enqueue(*, join_request: JoinRequest) -> bool:
    """Ask the person to confirm their request to join (and so their address)."""
    from convoca.coalition.services import join_request_confirm_token_make

    person = join_request.person
    if person.erased_at:
        return False
    language = _language(join_request.language)
    with translation.override(language):
        link = absolute_url(
            reverse(
                "coalition:join-confirm",
                kwargs={"token": join_request_confirm_token_make(join_request=join_request)},
            )
        )
    outbox_email_enqueue(
        kind="coalition.join_confirm",
        to=person.email,
        template="coalition/email/join_confirm",
        context={"join_request": join_request, "group": join_request.group, "link": link},
        language=language,
        person_id=person.pk,
    )
    return True


def join_request_conveners_emails_enqueue(*, join_request: JoinRequest) -> int:
    """Ask each convener of the group to review a confirmed request, each with their own link."""
    from convoca.coalition.services import join_request_review_token_make

    conveners = WorkingGroupMember.objects.filter(
        group=join_request.group,
        role=WorkingGroupMember.Role.CONVENER,
        person__erased_at__isnull=True,
    ).select_related("person")
    count = 0
    for convener in conveners:
        language = _language(convener.person.language)
        with translation.override(language):
            link = absolute_url(
                reverse(
                    "coalition:join-review",
                    kwargs={
                        "token": join_request_review_token_make(
                            join_request=join_request, convener=convener
                        )
                    },
                )
            )
        outbox_email_enqueue(
            kind="coalition.join_review",
            to=convener.person.email,
            template="coalition/email/join_review",
            context={"group": join_request.group, "link": link},
            language=language,
            person_id=convener.person_id,
        )
        count += 1
    return count


def join_request_decided_email_enqueue(*, join_request: JoinRequest) -> bool:
    """Tell the person whether the conveners accepted their request."""
    person = join_request.person
    if person.erased_at:
        return False
    language = _language(join_request.language)
    with translation.override(language):
        link = absolute_url(join_request.group.get_absolute_url())
    outbox_email_enqueue(
        kind="coalition.join_decided",
        to=person.email,
        template="coalition/email/join_decided",
        context={
            "group": join_request.group,
            "accepted": join_request.status == JoinRequest.Status.ACCEPTED,
            "link": link,
        },
        language=language,
        person_id=person.pk,
    )
    return True
