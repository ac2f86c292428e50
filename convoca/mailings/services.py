"""Every write about mailing lists and mailings; the interface other apps use.

Public interface (keyword-only; see docs/mailings.md):

- ``mailing_list_create``: a list of an organisation or of the coalition.
- ``subscription_request``: a subscribe form was filled in; starts double opt-in.
- ``subscription_add_confirmed``: subscribe someone who already proved their
  address elsewhere (a confirmed signature or registration, consent ticked).
- ``subscription_unsubscribe``, ``person_unsubscribe_all``: honoured at once.
- ``mailing_create``, ``mailing_schedule``, ``mailing_send_now``, ``mailing_pause``,
  ``mailing_resume``, ``mailing_cancel``, ``mailing_send_test``.
- ``suppression_add``: never mail this address in bulk again.

Transactional emails (confirmations, reminders, receipts) go through the
outbox (``convoca.core.outbox``), which shares this engine's exactly-once
sending (``convoca.core.sending``) and reports permanent refusals here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from convoca.core.caching import public_pages_invalidate
from convoca.core.crypto import email_addresses_redact, email_index
from convoca.core.links import resend_window
from convoca.core.mail import absolute_url
from convoca.core.outbox import (
    outbox_email_enqueue,
    outbox_key,
    outbox_keys_existing,
    outbox_message_enqueue,
)
from convoca.core.translatable import language_texts_save
from convoca.mailings.compose import MailingComposer, Recipient
from convoca.mailings.models import (
    Delivery,
    Mailing,
    MailingList,
    MailingListText,
    Subscription,
    Suppression,
)
from convoca.mailings.selectors import mailing_audience
from convoca.mailings.sending import BatchResult, deliveries_release_stale, mailing_send_batch
from convoca.mailings.tokens import subscription_confirm_token_make
from convoca.organisations.models import Organisation
from convoca.people.models import Activity, Consent, Person
from convoca.people.selectors import person_get_by_email
from convoca.people.services import (
    PersonData,
    activity_record,
    consent_give,
    consent_withdraw,
    person_confirm_email,
    person_upsert,
)

logger = logging.getLogger(__name__)

#: A confirmation link confirms requests made this recently.
PENDING_DAYS = 14

__all__ = [
    "MailingNotReady",
    "mailing_cancel",
    "mailing_create",
    "mailing_list_create",
    "mailing_list_save",
    "mailing_pause",
    "mailing_resume",
    "mailing_save",
    "mailing_schedule",
    "mailing_send_batch",
    "mailing_send_now",
    "mailing_send_test",
    "person_unsubscribe_all",
    "subscription_add_confirmed",
    "subscription_confirm",
    "subscription_request",
    "subscription_unsubscribe",
    "suppression_add",
]


class MailingNotReady(Exception):
    """The mailing cannot be sent as it is (no text, no lists, or not in a state to send)."""


# --- Lists -------------------------------------------------------------------------------


def mailing_list_create(
    *,
    organisation: Organisation | None,
    slug: str,
    name: dict[str, str],
    description: dict[str, str],
    is_public: bool = True,
    purpose: str = MailingList.Purpose.GENERAL,
) -> MailingList:
    """Create a list; ``organisation=None`` makes it a list of the whole coalition.

    ``name`` and ``description`` are ``{language: text}``, e.g.
    ``{"en": "Alerts", "es": "Alertas"}``: a text row for each language
    either names. ``purpose`` marks the list other apps feed (see
    :class:`MailingList.Purpose`).
    """
    description = description or {}
    texts = {
        language: {"name": name.get(language, ""), "description": description.get(language, "")}
        for language in dict.fromkeys([*name, *description])
    }
    return mailing_list_save(
        mailing_list=MailingList(
            organisation=organisation, slug=slug, is_public=is_public, purpose=purpose
        ),
        texts=texts,
    )


def mailing_list_save(
    *,
    mailing_list: MailingList,
    texts: dict[str, dict[str, str]] | None = None,
    texts_removed: Iterable[str] = (),
) -> MailingList:
    """Save a list, new or changed, and its texts: the one write path for lists.

    Admin, services and demo all come here. ``mailing_list`` is the
    language-neutral row; ``texts`` are its name and description by
    language (``{"en": {"name": ...}}``), written over the texts in those
    languages (a language left out keeps its text); ``texts_removed`` names
    languages whose text goes. Cached public pages (the sitemap lists the
    public lists' subscribe pages) are forgotten once the transaction
    commits.
    """
    with transaction.atomic():
        mailing_list.save()
        language_texts_save(mailing_list, texts, texts_removed)
        transaction.on_commit(public_pages_invalidate)
    return mailing_list


def subscription_add_from_consent(
    *, organisation: Organisation | None, person: Person, language: str, source: str
) -> None:
    """Subscribe someone who ticked an organisation's "news from us" box to its news list.

    A person whose address is already confirmed is subscribed at once (the
    same path as :func:`subscription_add_confirmed`, so an unsubscribe is
    never undone); anyone else gets the list's double opt-in. Nothing
    happens when the organisation keeps no news list.
    """
    # The consent was given to this organisation: only its own list, never the coalition's.
    mailing_list = (
        MailingList.objects.filter(organisation=organisation, purpose=MailingList.Purpose.NEWS)
        .order_by("pk")
        .first()
    )
    if mailing_list is None or person.erased_at:
        return
    if person.email_confirmed_at:
        subscription_add_confirmed(mailing_list=mailing_list, person=person, source=source)
    else:
        subscription_request(
            mailing_list=mailing_list, email=person.email, language=language, source=source
        )


# --- Subscriptions -----------------------------------------------------------------------


def _is_suppressed(person: Person) -> bool:
    return bool(person.email_index) and (
        Suppression.objects.filter(email_index=person.email_index).exists()
    )


def subscription_request(
    *,
    mailing_list: MailingList,
    email: str,
    language: str,
    source: str = "",
    given_name: str = "",
    more_lists: Iterable[MailingList] = (),
) -> None:
    """Start double opt-in for this address on ``mailing_list`` (and ``more_lists``).

    The answer is the same whether the address was known, subscribed,
    unsubscribed or new: the page says "check your inbox", and only the
    owner of the address learns anything. A confirmation email is written
    to the outbox with the request, at most one a day per address (its
    dedupe key); an unsubscribed person stays unsubscribed until they
    follow it. Someone already subscribed gets nothing new.
    """
    with transaction.atomic():
        person = person_upsert(
            data=PersonData(email=email, given_name=given_name, language=language)
        ).person
        now = timezone.now()
        waiting = False
        for target in [mailing_list, *more_lists]:
            subscription, created = Subscription.objects.get_or_create(
                mailing_list=target,
                person=person,
                defaults={"status": Subscription.Status.PENDING, "source": source},
            )
            if subscription.status == Subscription.Status.SUBSCRIBED:
                continue
            # An unsubscribed row keeps its status: only the link turns it back.
            subscription.requested_at = now
            if created or subscription.status == Subscription.Status.PENDING:
                subscription.source = source or subscription.source
            subscription.save(update_fields=["requested_at", "source", "updated_at"])
            waiting = True
        if waiting:
            _subscription_confirmation_email_enqueue(person=person, language=language)


def _subscription_confirmation_email_enqueue(
    *, person: Person, language: str, resend: bool = False
) -> bool:
    """Ask the person to confirm their subscriptions, at most one such email a day (UTC).

    ``resend``: a new link asked for by hand, at most one a minute
    (``core.links.resend_window``; the link form limits how many a day).
    """
    window = resend_window() if resend else timezone.now().date().isoformat()
    key = outbox_key(f"mailings.subscription_confirm:{window}", person.pk)
    if outbox_keys_existing([key]):
        return False  # today's went already: not even rendered again
    with translation.override(language):
        link = absolute_url(
            reverse(
                "mailings:subscription-confirm",
                kwargs={"token": subscription_confirm_token_make(person=person)},
            )
        )
        lists = [s.mailing_list.label for s in subscription_list_waiting(person=person)]
    row = outbox_email_enqueue(
        kind="mailings.subscription_confirm",
        to=person.email,
        template="mailings/email/subscription_confirm",
        context={"person": person, "lists": lists, "link": link},
        language=language,
        person_id=person.pk,
        dedupe_key=key,
    )
    return row is not None


def subscription_confirmation_resend(*, email: str, language: str) -> None:
    """Send a fresh confirmation link to this address if it has subscriptions waiting.

    Does nothing otherwise; the caller answers the same either way. Asked
    for by hand, the link may leave a minute after the last one (not a
    day, as the automatic ones).
    """
    person = person_get_by_email(email)
    if person is None or not subscription_list_waiting(person=person):
        return
    with transaction.atomic():
        _subscription_confirmation_email_enqueue(
            person=person, language=person.language or language, resend=True
        )


def subscription_list_waiting(*, person: Person) -> list[Subscription]:
    """Requests a confirmation link would confirm: recent, not yet subscribed."""
    since = timezone.now() - timedelta(days=PENDING_DAYS)
    return list(
        Subscription.objects.filter(person=person, requested_at__gte=since)
        .exclude(status=Subscription.Status.SUBSCRIBED)
        .select_related("mailing_list")
    )


def _subscribe(subscription: Subscription, *, source: str, wording: str) -> None:
    now = timezone.now()
    subscription.status = Subscription.Status.SUBSCRIBED
    subscription.confirmed_at = now
    subscription.unsubscribed_at = None
    subscription.source = source or subscription.source
    subscription.save()
    consent_give(
        person=subscription.person,
        purpose=Consent.Purpose.SUBSCRIPTION,
        wording=wording,
        source=source or subscription.source,
        organisation=subscription.mailing_list.organisation,
        subject=subscription.mailing_list,
    )
    activity_record(
        person=subscription.person,
        kind=Activity.Kind.SUBSCRIBED,
        organisation=subscription.mailing_list.organisation,
        summary=subscription.mailing_list.label,
        subject=subscription.mailing_list,
    )


def subscription_confirm(*, person: Person, wording: str = "") -> list[MailingList]:
    """The person followed their confirmation link: subscribe them to what they asked for.

    This is the one path that undoes an unsubscribe or a suppression: the
    owner of the address asked again and proved it.
    """
    with transaction.atomic():
        waiting = subscription_list_waiting(person=person)
        if not waiting:
            return []
        person_confirm_email(person=person)
        if person.email_index:
            Suppression.objects.filter(email_index=person.email_index).delete()
        for subscription in waiting:
            _subscribe(
                subscription,
                source=subscription.source,
                wording=wording or subscription.mailing_list.label,
            )
    return [s.mailing_list for s in waiting]


def working_group_list_keep(*, group, names: dict[str, str]) -> None:
    """Create a working group's list of its members, or rename it after the group.

    ``names`` is the group's name by language. Registered with coalition
    (``working_group_list_register``), which calls it whenever a group is
    saved.
    """
    if group.mailing_list_id is None:
        group.mailing_list = mailing_list_create(
            organisation=group.organisation,
            slug=_group_list_slug(group),
            name=names,
            description=_group_list_description(),
            is_public=False,
            purpose=MailingList.Purpose.GROUP,
        )
        group.save(update_fields=["mailing_list"])
        return
    have = set(
        MailingListText.objects.filter(shared_id=group.mailing_list_id).values_list(
            "language", flat=True
        )
    )
    description = _group_list_description()
    texts = {
        # A language the list had no text in (a new one) gets the usual description too.
        code: {"name": name}
        if code in have
        else {"name": name, "description": description.get(code, "")}
        for code, name in names.items()
    }
    mailing_list_save(mailing_list=group.mailing_list, texts=texts)


def working_group_member_subscribe(*, group, person: Person) -> None:
    """Subscribe a new member to their working group's list.

    Members came through a confirmed request or were added by staff.
    """
    subscription_add_confirmed(
        mailing_list=group.mailing_list, person=person, source=f"group:{group.slug}"
    )


def _group_list_description() -> dict[str, str]:
    description = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            description[code] = gettext("The members of a working group.")
    return description


def _group_list_slug(group) -> str:
    """A free list slug for the group ("group-media", then "group-media-2", ...)."""
    base = f"group-{group.slug}"[:76]
    slug, n = base, 1
    while MailingList.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def subscription_add_confirmed(
    *, mailing_list: MailingList, person: Person, source: str, wording: str = ""
) -> Subscription | None:
    """Subscribe a person who confirmed their address through another double opt-in.

    For a confirmed signature or registration whose consent box was ticked.
    Never re-subscribes someone who unsubscribed from this list or whose
    address is suppressed (returns None then), and changes nothing for
    someone already subscribed.
    """
    if person.erased_at or _is_suppressed(person):
        return None
    with transaction.atomic():
        subscription, _created = Subscription.objects.select_for_update().get_or_create(
            mailing_list=mailing_list,
            person=person,
            defaults={"status": Subscription.Status.PENDING, "source": source},
        )
        if subscription.status == Subscription.Status.UNSUBSCRIBED:
            return None
        if subscription.status == Subscription.Status.SUBSCRIBED:
            return subscription
        _subscribe(subscription, source=source, wording=wording or mailing_list.label)
    return subscription


def subscription_unsubscribe(
    *, person: Person, mailing_lists: Iterable[MailingList], source: str = ""
) -> int:
    """Take the person off these lists now; return how many subscriptions ended."""
    count = 0
    with transaction.atomic():
        for subscription in (
            Subscription.objects.filter(person=person, mailing_list__in=list(mailing_lists))
            .exclude(status=Subscription.Status.UNSUBSCRIBED)
            .select_related("mailing_list__organisation")
        ):
            was_subscribed = subscription.status == Subscription.Status.SUBSCRIBED
            subscription.status = Subscription.Status.UNSUBSCRIBED
            subscription.unsubscribed_at = timezone.now()
            subscription.save(update_fields=["status", "unsubscribed_at", "updated_at"])
            consent_withdraw(
                person=person,
                purpose=Consent.Purpose.SUBSCRIPTION,
                organisation=subscription.mailing_list.organisation,
                subject=subscription.mailing_list,
            )
            if was_subscribed:
                activity_record(
                    person=person,
                    kind=Activity.Kind.UNSUBSCRIBED,
                    organisation=subscription.mailing_list.organisation,
                    summary=subscription.mailing_list.label,
                    subject=subscription.mailing_list,
                )
                count += 1
    # No log line: the Activity row is the record, and an operator's console
    # is no place for what each supporter does.
    return count


def person_unsubscribe_all(*, person: Person, source: str = "") -> int:
    """Take the person off every list and suppress their address for bulk mail."""
    with transaction.atomic():
        lists = MailingList.objects.filter(subscriptions__person=person)
        count = subscription_unsubscribe(person=person, mailing_lists=lists, source=source)
        if person.email_index:
            suppression_add(
                email_index_value=person.email_index, reason=Suppression.Reason.UNSUBSCRIBED
            )
    return count


def suppression_add(
    *, email_index_value: str = "", email: str = "", reason: str, detail: str = ""
) -> Suppression:
    """Never send bulk mail to this address again (until its owner opts in again)."""
    index = email_index_value or email_index(email)
    detail = email_addresses_redact(detail)
    suppression, created = Suppression.objects.get_or_create(
        email_index=index, defaults={"reason": reason, "detail": detail[:200]}
    )
    if not created and reason in (Suppression.Reason.COMPLAINED, Suppression.Reason.BOUNCED):
        # A complaint or bounce says more than an earlier unsubscribe.
        suppression.reason = reason
        suppression.detail = detail[:200]
        suppression.save(update_fields=["reason", "detail"])
    return suppression


def suppression_or_unsubscribe_indexes(
    organisation: Organisation, email_indexes: list[str]
) -> set[str]:
    """Which of these addresses are suppressed or unsubscribed from the organisation's lists.

    An import of supporters gives none of them a consent, whatever its file
    says (registered with ``people.services.marketing_refusal_register``).
    """
    suppressed = set(
        Suppression.objects.filter(email_index__in=email_indexes)
        .order_by()
        .values_list("email_index", flat=True)
    )
    # From the people to their few subscriptions, not from the organisation's many.
    unsubscribed = {
        index
        for index, organisation_id in Subscription.objects.filter(
            person__email_index__in=email_indexes, status=Subscription.Status.UNSUBSCRIBED
        )
        .order_by()
        .values_list("person__email_index", "mailing_list__organisation_id")
        if organisation_id == organisation.pk
    }
    return suppressed | unsubscribed


def suppression_addresses_undeliverable(addresses: list[str]) -> set[str]:
    """Which of these addresses bounced or were rejected: the outbox does not email them.

    An unsubscribe or a complaint stops bulk mail only; the email someone
    asked for (a confirmation, a receipt) still goes.
    """
    by_index = {email_index(address): address for address in addresses}
    found = Suppression.objects.filter(
        email_index__in=list(by_index),
        reason__in=[Suppression.Reason.BOUNCED, Suppression.Reason.REJECTED],
    ).values_list("email_index", flat=True)
    return {by_index[index] for index in found}


def suppression_add_refused(address: str, detail: str) -> None:
    """A mail server refused this address for good (a 5xx): suppress it, as a bounce."""
    suppression_add(email=address, reason=Suppression.Reason.BOUNCED, detail=detail)


# --- Mailings ----------------------------------------------------------------------------


def mailing_create(
    *,
    organisation: Organisation | None,
    lists: Iterable[MailingList],
    subject: dict[str, str],
    body_markdown: dict[str, str],
    audience: dict | None = None,
    first_name_fallback: dict[str, str] | None = None,
    rate_per_minute: int | None = None,
    track_opens: bool = False,
    created_by=None,
) -> Mailing:
    """Write a draft mailing to the confirmed subscribers of ``lists``.

    ``subject`` and ``body_markdown`` are ``{language: text}``; the body may
    say ``{{ first_name }}``, replaced by the reader's first name or by
    ``first_name_fallback[language]`` ("friend" by default). ``audience``
    narrows the lists (see ``selectors.audience_people``).
    """
    return mailing_save(
        mailing=Mailing(
            organisation=organisation,
            subject=dict(subject),
            body_markdown=dict(body_markdown),
            audience=dict(audience or {}),
            first_name_fallback=dict(first_name_fallback or {}),
            rate_per_minute=rate_per_minute,
            track_opens=track_opens,
            created_by=created_by,
        ),
        lists=lists,
    )


def mailing_save(*, mailing: Mailing, lists: Iterable[MailingList] | None = None) -> Mailing:
    """Save a draft or scheduled mailing as an organiser wrote it, and its lists if given.

    The one write path for a mailing's contents (admin, services, demo);
    its sending goes through ``mailing_schedule``, ``mailing_send_now`` and
    the rest. A mailing that has started sending is never changed: what was
    sent stays as it was sent (returned as stored).
    """
    with transaction.atomic():
        if mailing.pk is not None:
            stored = Mailing.objects.select_for_update().get(pk=mailing.pk)
            if stored.status not in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
                return stored
        mailing.save()
        if lists is not None:
            mailing.lists.set(list(lists))
    return mailing


def _check_ready(mailing: Mailing) -> None:
    if not mailing.languages:
        raise MailingNotReady(gettext("write a subject and a text in at least one language."))
    if not mailing.lists.exists():
        raise MailingNotReady(gettext("choose at least one list."))


def mailing_schedule(*, mailing: Mailing, send_at: datetime) -> Mailing:
    """Send the draft at ``send_at`` (a worker checks every minute); the audience is taken then."""
    if timezone.is_naive(send_at):
        raise ValueError("send_at must be timezone-aware")
    _check_ready(mailing)
    updated = Mailing.objects.filter(
        pk=mailing.pk, status__in=[Mailing.Status.DRAFT, Mailing.Status.SCHEDULED]
    ).update(status=Mailing.Status.SCHEDULED, send_at=send_at, updated_at=timezone.now())
    if not updated:
        raise MailingNotReady(gettext("only a draft or a scheduled mailing can be scheduled."))
    mailing.refresh_from_db()
    return mailing


def _deliveries_create(mailing: Mailing) -> int:
    people = mailing_audience(mailing=mailing).values_list("pk", "language").order_by()
    batch: list[Delivery] = []
    for person_id, language in people.iterator(chunk_size=5000):
        batch.append(
            Delivery(mailing=mailing, person_id=person_id, language=mailing.language_for(language))
        )
        if len(batch) >= 5000:
            Delivery.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Delivery.objects.bulk_create(batch, ignore_conflicts=True)
    return Delivery.objects.filter(mailing=mailing).count()


def mailing_send_now(*, mailing: Mailing) -> Mailing:
    """Start sending: fix the audience as one delivery row each, then batches in the background.

    Calling it again for a mailing that is already sending changes nothing.
    """
    with transaction.atomic():
        locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if locked.status == Mailing.Status.SENDING:
            return locked
        if locked.status not in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
            raise MailingNotReady(gettext("it has already been sent or cancelled."))
        _check_ready(locked)
        locked.recipient_count = _deliveries_create(locked)
        locked.status = Mailing.Status.SENDING
        locked.started_at = timezone.now()
        locked.save(update_fields=["recipient_count", "status", "started_at", "updated_at"])
        transaction.on_commit(partial(_dispatch, locked.pk))
    mailing.refresh_from_db()
    return mailing


def _dispatch(mailing_id: int, *, delay: int = 0) -> None:
    """Enqueue the parallel batch tasks; each enqueues the next until nothing is left."""
    from convoca.mailings.tasks import mailing_send_batch_task

    task = mailing_send_batch_task
    if delay:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay))
    for _ in range(max(1, settings.MAILINGS_PARALLEL_BATCHES)):
        task.enqueue(mailing_id=mailing_id)


def mailing_batch_run(*, mailing_id: int) -> BatchResult:
    """One batch task: send a batch, then enqueue the next or mark the mailing sent."""
    from convoca.mailings.tasks import mailing_send_batch_task

    result = mailing_send_batch(mailing_id=mailing_id)
    if result.stopped == "status":
        return result
    if result.stopped == "connection":
        # The mail server is away: try again in a minute.
        mailing_send_batch_task.using(run_after=timezone.now() + timedelta(seconds=60)).enqueue(
            mailing_id=mailing_id
        )
        return result
    if not mailing_finish_if_done(mailing_id=mailing_id) and (result.sent or result.failed):
        mailing_send_batch_task.enqueue(mailing_id=mailing_id)
    return result


def mailing_finish_if_done(*, mailing_id: int) -> bool:
    """Mark a sending mailing sent when no delivery is waiting or claimed; True if it is done."""
    waiting = Delivery.objects.filter(
        mailing_id=mailing_id, status__in=[Delivery.Status.PENDING, Delivery.Status.CLAIMED]
    ).exists()
    if waiting:
        return False
    Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).update(
        status=Mailing.Status.SENT, finished_at=timezone.now(), updated_at=timezone.now()
    )
    return True


def mailing_pause(*, mailing: Mailing) -> bool:
    """Stop a sending mailing after the messages in flight; ``mailing_resume`` goes on."""
    return bool(
        Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).update(
            status=Mailing.Status.PAUSED, updated_at=timezone.now()
        )
    )


def mailing_resume(*, mailing: Mailing) -> bool:
    """Go on sending a paused mailing, to those not yet sent to."""
    updated = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.PAUSED).update(
        status=Mailing.Status.SENDING, updated_at=timezone.now()
    )
    if updated:
        transaction.on_commit(partial(_dispatch, mailing.pk))
    return bool(updated)


def mailing_cancel(*, mailing: Mailing) -> int:
    """Cancel a scheduled, sending or paused mailing; whoever was not sent to will not be."""
    with transaction.atomic():
        updated = Mailing.objects.filter(
            pk=mailing.pk,
            status__in=[Mailing.Status.SCHEDULED, Mailing.Status.SENDING, Mailing.Status.PAUSED],
        ).update(status=Mailing.Status.CANCELLED, finished_at=timezone.now())
        if not updated:
            return 0
        # Claimed rows are left to their worker, which sees the status and
        # releases them; the sweep below catches them on its next run.
        return Delivery.objects.filter(mailing=mailing, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.CANCELLED
        )


def mailing_resume_stalled(*, now=None) -> list[int]:
    """Every minute: start due scheduled mailings, and revive any whose worker died.

    A sending mailing with stale claims (a worker killed mid-batch) gets
    them released and a new batch; a cancelled one gets its released rows
    cancelled. Returns the mailings given a new batch.
    """
    now = now or timezone.now()
    for mailing in Mailing.objects.filter(status=Mailing.Status.SCHEDULED, send_at__lte=now):
        try:
            mailing_send_now(mailing=mailing)
        except MailingNotReady:
            logger.warning("scheduled mailing %s cannot be sent", mailing.pk)
    revived = []
    deliveries_release_stale()
    Delivery.objects.filter(
        mailing__status=Mailing.Status.CANCELLED, status=Delivery.Status.PENDING
    ).update(status=Delivery.Status.CANCELLED)
    lease = timedelta(seconds=settings.MAILINGS_CLAIM_LEASE_SECONDS)
    for mailing_id in Mailing.objects.filter(status=Mailing.Status.SENDING).values_list(
        "pk", flat=True
    ):
        deliveries = Delivery.objects.filter(mailing_id=mailing_id)
        busy = deliveries.filter(
            models.Q(status=Delivery.Status.CLAIMED)
            | models.Q(sent_at__gte=now - lease, status__in=["sending", "sent"])
        ).exists()
        if busy:
            continue  # a worker is at it
        if mailing_finish_if_done(mailing_id=mailing_id):
            continue
        _dispatch(mailing_id)
        revived.append(mailing_id)
    return revived


def mailing_send_test(*, mailing: Mailing, email: str, given_name: str = "") -> list[str]:
    """Send the mailing to one address in each of its languages, marked as a test.

    The tests go through the outbox (the staff member's request never waits
    for the mail server). Nothing is recorded as a delivery; the unsubscribe
    links in a test do nothing (they name no real recipient).
    """
    composer = MailingComposer(mailing, test=True)
    for language in mailing.languages:
        message = composer.email_message(
            Recipient(
                delivery_id=0,
                person_id="test",
                email=email,
                given_name=given_name,
                language=language,
            )
        )
        message.subject = f"[TEST {language}] {message.subject}"
        outbox_message_enqueue(kind="mailings.test", message=message, language=language)
    return mailing.languages


# --- What providers tell us (django-anymail tracking webhooks) ---------------------------


TRACKED = {
    "delivered": "delivered_at",
    "bounced": "bounced_at",
    "complained": "complained_at",
    "opened": "opened_at",
    "unsubscribed": "unsubscribed_at",
}
SUPPRESS = {
    "bounced": Suppression.Reason.BOUNCED,
    "complained": Suppression.Reason.COMPLAINED,
    "rejected": Suppression.Reason.REJECTED,
}


def tracking_event_record(
    *,
    event_type: str,
    recipient: str = "",
    provider_id: str = "",
    metadata: dict | None = None,
    description: str = "",
    timestamp: datetime | None = None,
) -> None:
    """Record what a provider reports about a message; suppress bounces and complaints.

    The delivery is found by the id Convoca gave the provider
    (``metadata["convoca_delivery"]``) or the provider's message id; the
    address through the blind index. The address is never logged.
    """
    when = timestamp or timezone.now()
    delivery = None
    delivery_id = str((metadata or {}).get("convoca_delivery") or "")
    if delivery_id.isdigit():
        delivery = Delivery.objects.filter(pk=int(delivery_id)).first()
    if delivery is None and provider_id:
        delivery = Delivery.objects.filter(provider_id=provider_id).first()
    if delivery is not None and event_type in TRACKED:
        field = TRACKED[event_type]
        if event_type != "opened" or delivery.mailing.track_opens:
            Delivery.objects.filter(pk=delivery.pk, **{f"{field}__isnull": True}).update(
                **{field: when}
            )
    index = email_index(recipient) if recipient else ""
    if not index and delivery is not None:
        index = delivery.person.email_index or ""
    if not index:
        return
    if event_type in SUPPRESS:
        suppression_add(email_index_value=index, reason=SUPPRESS[event_type], detail=description)
    elif event_type == "unsubscribed":
        person = Person.objects.filter(email_index=index).first()
        if person:
            person_unsubscribe_all(person=person, source="provider")
        else:
            suppression_add(email_index_value=index, reason=Suppression.Reason.UNSUBSCRIBED)


def delivery_open_record(*, delivery_id: int) -> None:
    """A reader's mail client loaded the tracking image of a mailing that counts opens."""
    Delivery.objects.filter(
        pk=delivery_id, opened_at__isnull=True, mailing__track_opens=True
    ).update(opened_at=timezone.now())


def unsubscribe_one_click(*, person_id: str, mailing_id: int | None) -> int:
    """The List-Unsubscribe link: off the lists this mailing went to (all lists if none)."""
    person = Person.objects.filter(pk=person_id, erased_at__isnull=True).first()
    if person is None:
        return 0
    with transaction.atomic():
        mailing = Mailing.objects.filter(pk=mailing_id).first() if mailing_id else None
        if mailing is None:
            return person_unsubscribe_all(person=person, source="one-click")
        count = subscription_unsubscribe(
            person=person, mailing_lists=mailing.lists.all(), source="one-click"
        )
        Delivery.objects.filter(
            mailing=mailing, person=person, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=timezone.now())
    return count


def preferences_save(
    *, person: Person, list_ids: set[int], language: str, offered: Iterable[MailingList]
) -> None:
    """The preference centre: subscribed to exactly the ticked lists among those offered.

    The page is reached by a signed link sent to the person's address, which
    is proof enough to subscribe them to a list they tick.
    """
    with transaction.atomic():
        offered = list(offered)
        if language and language != person.language:
            person.language = language
            person.save(update_fields=["language", "updated_at"])
        subscribed = set(
            Subscription.objects.filter(
                person=person, status=Subscription.Status.SUBSCRIBED
            ).values_list("mailing_list_id", flat=True)
        )
        leave = [ml for ml in offered if ml.pk in subscribed and ml.pk not in list_ids]
        subscription_unsubscribe(person=person, mailing_lists=leave, source="preferences")
        join = [ml for ml in offered if ml.pk in list_ids and ml.pk not in subscribed]
        if join and person.email_index:
            Suppression.objects.filter(email_index=person.email_index).delete()
        for mailing_list in join:
            subscription, _ = Subscription.objects.get_or_create(
                mailing_list=mailing_list, person=person, defaults={"source": "preferences"}
            )
            _subscribe(subscription, source="preferences", wording=mailing_list.label)
        person_confirm_email(person=person)


# --- Personal data handlers (registered in apps.py) ----------------------------------------


def subscription_export_for_person(person: Person) -> list[dict]:
    def when(value):
        return value.isoformat() if value else None

    return [
        {
            "list": s.mailing_list.slug,
            "status": s.status,
            "source": s.source,
            "requested_at": when(s.requested_at),
            "confirmed_at": when(s.confirmed_at),
            "unsubscribed_at": when(s.unsubscribed_at),
        }
        for s in Subscription.objects.filter(person=person).select_related("mailing_list")
    ]


def subscription_erase_for_person(person: Person) -> None:
    Subscription.objects.filter(person=person).delete()
