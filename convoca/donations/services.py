"""Every write to donations: fundraisers, starting a gift, applying provider events, offline gifts.

Totals move only here, by the change in what a row counts, inside the
transaction that changes the row: ``FundraiserTotal`` and ``FundraiserMonth``
are always the sum of what they count, without ever summing rows to show them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from convoca.core.caching import public_pages_invalidate
from convoca.core.translatable import language_texts_save
from convoca.donations.models import (
    Donation,
    Donor,
    Fundraiser,
    FundraiserMonth,
    FundraiserTotal,
    OfflineGift,
    Payment,
    ProviderSync,
    WebhookEvent,
)
from convoca.donations.providers import (
    Change,
    CheckoutStart,
    PaymentProvider,
    ProviderError,
    ProviderEvent,
    provider_get,
)
from convoca.people.models import Activity, Consent, Person
from convoca.people.services import (
    PersonData,
    activity_record,
    consent_give,
    person_confirm_email,
    person_upsert,
)

logger = logging.getLogger(__name__)

MANAGE_SALT = "convoca.donations.manage"


class FundraiserClosed(Exception):
    """The fundraiser takes no online gifts (draft, closed, or past its deadline)."""


class GiftInvalid(Exception):
    """An amount or frequency this fundraiser does not take."""


# --- Fundraisers ---------------------------------------------------------------------------


def fundraiser_save(
    *,
    fundraiser: Fundraiser,
    texts: dict[str, dict[str, str]] | None = None,
    texts_removed: Iterable[str] = (),
) -> Fundraiser:
    """Save a fundraiser's goal, status and settings, and its texts, as an organiser set them.

    The one write path for fundraisers (admin, demo). ``fundraiser`` is the
    language-neutral row: what it says (goal, status, deadline) is every
    language's at once. ``texts`` are its title, summary, body and thank-you
    text by language (``{"en": {"title": ...}}``), written over the versions
    in those languages; ``texts_removed`` names languages whose version goes.
    Cached public pages (the sitemap lists the open fundraisers) are
    forgotten on commit.
    """
    fundraiser.full_clean()
    with transaction.atomic():
        fundraiser.save()
        language_texts_save(fundraiser, texts, texts_removed)
        transaction.on_commit(public_pages_invalidate)
    return fundraiser


def fundraiser_open(*, fundraiser: Fundraiser) -> Fundraiser:
    """Open a fundraiser: it takes gifts online until it is closed or its deadline passes."""
    fundraiser.status = Fundraiser.Status.OPEN
    fundraiser.save(update_fields=["status", "updated_at"])
    transaction.on_commit(public_pages_invalidate)
    return fundraiser


def fundraiser_close(*, fundraiser: Fundraiser) -> Fundraiser:
    """Close a fundraiser: it takes no more gifts online (offline gifts may still be entered)."""
    fundraiser.status = Fundraiser.Status.CLOSED
    fundraiser.save(update_fields=["status", "updated_at"])
    transaction.on_commit(public_pages_invalidate)
    return fundraiser


def fundraiser_delete(*, fundraiser: Fundraiser) -> None:
    """Delete a fundraiser that has no gifts (they protect it)."""
    fundraiser.delete()
    transaction.on_commit(public_pages_invalidate)


# --- Totals -------------------------------------------------------------------------------


def _month(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC).date()
    return moment.replace(day=1)


def _totals_move(
    *,
    fundraiser_id: int,
    month: date | None = None,
    online: int = 0,
    offline: int = 0,
    donors: int = 0,
    monthly_donors: int = 0,
    monthly_amount: int = 0,
) -> None:
    """Move a fundraiser's maintained figures by these amounts, with F() so no update is lost."""
    FundraiserTotal.objects.get_or_create(fundraiser_id=fundraiser_id)
    FundraiserTotal.objects.filter(fundraiser_id=fundraiser_id).update(
        amount=F("amount") + online + offline,
        online_amount=F("online_amount") + online,
        offline_amount=F("offline_amount") + offline,
        donors=F("donors") + donors,
        monthly_donors=F("monthly_donors") + monthly_donors,
        monthly_amount=F("monthly_amount") + monthly_amount,
    )
    if month is not None and (online or offline):
        FundraiserMonth.objects.get_or_create(fundraiser_id=fundraiser_id, month=month)
        FundraiserMonth.objects.filter(fundraiser_id=fundraiser_id, month=month).update(
            online_amount=F("online_amount") + online,
            offline_amount=F("offline_amount") + offline,
        )


def _donor_give(*, donor_id, delta: int, at: datetime) -> int:
    """Add ``delta`` to what a donor gave; return the change in the number of donors (-1, 0, 1)."""
    donor = Donor.objects.select_for_update().get(pk=donor_id)
    before = donor.given
    donor.given = before + delta
    fields = ["given", "updated_at"]
    if donor.first_gift_at is None and delta > 0:
        donor.first_gift_at = at
        fields.append("first_gift_at")
    donor.save(update_fields=fields)
    return int(donor.given > 0) - int(before > 0)


# --- Starting a gift ----------------------------------------------------------------------


@dataclass(frozen=True)
class DonationData:
    """What the donate form tells us."""

    person: PersonData
    amount: int
    frequency: str
    public_name: str = ""
    listed: bool = False
    listed_wording: str = ""
    news: bool = False
    news_wording: str = ""
    form: str = ""


def donation_create_pending(
    *, fundraiser: Fundraiser, data: DonationData, provider: PaymentProvider
) -> Donation:
    """Record a gift about to be paid through ``provider``; it counts for nothing yet.

    Raises ``FundraiserClosed`` or ``GiftInvalid``.
    """
    if not fundraiser.is_open:
        raise FundraiserClosed(fundraiser)
    if data.amount < fundraiser.minimum_amount or data.amount > 100_000_000:
        raise GiftInvalid("amount")
    if data.frequency not in Donation.Frequency.values or (
        data.frequency == Donation.Frequency.MONTHLY and not fundraiser.allow_monthly
    ):
        raise GiftInvalid("frequency")
    with transaction.atomic():
        person = person_upsert(data=data.person).person
        donor, _created = Donor.objects.get_or_create(fundraiser=fundraiser, person=person)
        return Donation.objects.create(
            fundraiser=fundraiser,
            donor=donor,
            frequency=data.frequency,
            amount=data.amount,
            currency=fundraiser.currency,
            language=data.person.language or "en",
            provider=provider.name,
            public_name=data.public_name.strip()[:80] if data.listed else "",
            choices={
                "listed": data.listed,
                "listed_wording": data.listed_wording,
                "news": data.news,
                "news_wording": data.news_wording,
                "form": data.form,
            },
        )


def donation_start(
    *,
    fundraiser: Fundraiser,
    data: DonationData,
    provider: PaymentProvider,
    success_url: str,
    cancel_url: str,
) -> CheckoutStart:
    """Record a pending donation and open the provider's checkout for it.

    The donation counts for nothing until a verified provider event says it
    was paid. Raises ``FundraiserClosed``, ``GiftInvalid``, or
    ``ProviderError`` (the donation then stays pending and is never counted).
    """
    donation = donation_create_pending(fundraiser=fundraiser, data=data, provider=provider)
    # The provider is called outside any transaction: no lock is held over the network.
    start = provider.checkout_start(
        donation=donation,
        email=data.person.email,
        title=fundraiser.title,
        success_url=success_url,
        cancel_url=cancel_url,
    )
    Donation.objects.filter(pk=donation.pk).update(checkout_reference=start.reference)
    return start


# --- Provider events ----------------------------------------------------------------------


def webhook_event_apply(*, provider: PaymentProvider, event: ProviderEvent) -> str:
    """Apply one verified provider event exactly once; return what became of it.

    ``"duplicate"`` when the event id was seen before (a retry, or a second
    delivery racing this one: the unique event id makes the second wait for
    the first and then find it). ``"ignored"``, ``"deferred"`` (it needs a
    payment not known yet, and is applied when that payment arrives) or
    ``"processed"`` otherwise. Everything happens in one transaction: if
    applying fails, the event is not recorded and the provider's retry
    applies it.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = WebhookEvent.objects.create(
                    provider=provider.name,
                    event_id=event.id,
                    kind=event.kind[:100],
                    status=WebhookEvent.Status.IGNORED,
                    occurred_at=event.occurred_at,
                )
        except IntegrityError:
            return "duplicate"
        if event.change is None:
            return "ignored"
        outcome = _change_apply(
            change=event.change, provider=provider.name, occurred_at=event.occurred_at
        )
        row.status = outcome
        if outcome == WebhookEvent.Status.DEFERRED:
            row.waiting_for = event.change.payment_intent
            row.change = event.change.as_json()
        row.save(update_fields=["status", "waiting_for", "change"])
    return str(outcome)


def provider_events_reconcile(*, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Apply every provider event a webhook missed; return the outcomes per provider.

    For each configured provider that can list its events: read them, oldest
    first, from the newest one the last run saw (or ``DONATIONS_RECONCILE_
    FIRST_DAYS`` back), and give each to ``webhook_event_apply``, the
    webhook's own write path, so an event delivered both ways counts once.
    The place reached is kept after each event: if one fails (the provider
    unreachable, an error on our side) the exception propagates and the
    next run starts again at it.
    """
    now = now or timezone.now()
    report: dict[str, dict[str, int]] = {}
    for name in settings.CONVOCA_DONATION_PROVIDERS:
        provider = provider_get(name)
        if provider is None or not provider.is_configured():
            continue
        sync, _ = ProviderSync.objects.get_or_create(provider=name)
        since = sync.events_until or now - timedelta(days=settings.DONATIONS_RECONCILE_FIRST_DAYS)
        events = provider.events_list(since=since)
        if events is None:
            continue
        outcomes: dict[str, int] = {}
        for event in events:
            outcome = webhook_event_apply(provider=provider, event=event)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            ProviderSync.objects.filter(pk=sync.pk).update(
                events_until=event.occurred_at, last_event_id=event.id
            )
        ProviderSync.objects.filter(pk=sync.pk).update(checked_at=now)
        if outcomes.get("processed") or outcomes.get("deferred"):
            # Worth a look: the webhook endpoint may be misconfigured or down.
            logger.warning(
                "reconciliation applied provider events the webhook had not delivered",
                extra={"provider": name, "outcomes": outcomes},
            )
        report[name] = outcomes
    return report


def _change_apply(*, change: Change, provider: str, occurred_at: datetime) -> str:
    if change.type == "refunded":
        return _refund_apply(change=change, provider=provider, occurred_at=occurred_at)
    donation = (
        Donation.objects.select_for_update()
        .filter(pk=_uuid_or_none(change.donation), provider=provider)
        .first()
    )
    if donation is None:
        # Another site on the same account, or a deleted donation: nothing of ours.
        logger.warning("provider event for an unknown donation", extra={"type": change.type})
        return WebhookEvent.Status.IGNORED
    if change.type == "payment_succeeded":
        _payment_apply(donation=donation, change=change, occurred_at=occurred_at)
    elif change.type == "checkout_completed":
        _references_set(donation, change)
        _status_set(donation, Donation.Status.ACTIVE, occurred_at, only_from=("pending",))
    elif change.type == "checkout_failed":
        _status_set(donation, Donation.Status.FAILED, occurred_at, only_from=("pending",))
    elif change.type == "checkout_expired":
        _status_set(donation, Donation.Status.EXPIRED, occurred_at, only_from=("pending",))
    elif change.type == "monthly_payment_failed":
        _references_set(donation, change)
        _status_set(donation, Donation.Status.PAST_DUE, occurred_at, only_from=("active",))
    elif change.type == "subscription_status":
        _references_set(donation, change)
        new = {
            "active": Donation.Status.ACTIVE,
            "past_due": Donation.Status.PAST_DUE,
            "cancelled": Donation.Status.CANCELLED,
        }[change.status]
        _status_set(donation, new, occurred_at, only_from=("pending", "active", "past_due"))
    else:
        return WebhookEvent.Status.IGNORED
    return WebhookEvent.Status.PROCESSED


def _uuid_or_none(value: str):
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return None


def _references_set(donation: Donation, change: Change) -> None:
    fields = []
    if change.customer and not donation.customer_reference:
        donation.customer_reference = change.customer
        fields.append("customer_reference")
    if change.subscription and not donation.subscription_reference:
        donation.subscription_reference = change.subscription
        fields.append("subscription_reference")
    if change.checkout and not donation.checkout_reference:
        donation.checkout_reference = change.checkout
        fields.append("checkout_reference")
    if fields:
        donation.save(update_fields=[*fields, "updated_at"])


def _status_set(
    donation: Donation, status: str, occurred_at: datetime, *, only_from: tuple[str, ...]
) -> None:
    """Move a donation to ``status`` unless a newer event already set it, or it is final.

    Events may arrive in any order: one older than the event that set the
    current status changes nothing. A monthly gift in good standing counts
    among the fundraiser's monthly donors; leaving or regaining it moves them.
    """
    if donation.status == status or donation.status not in only_from:
        return
    if donation.status_changed_at and occurred_at < donation.status_changed_at:
        return
    was_standing = donation.in_good_standing
    donation.status = status
    donation.status_changed_at = occurred_at
    donation.save(update_fields=["status", "status_changed_at", "updated_at"])
    change = int(donation.in_good_standing) - int(was_standing)
    if change:
        _totals_move(
            fundraiser_id=donation.fundraiser_id,
            monthly_donors=change,
            monthly_amount=change * donation.amount,
        )


def _payment_apply(*, donation: Donation, change: Change, occurred_at: datetime) -> None:
    _references_set(donation, change)
    payment = Payment.objects.select_for_update().filter(reference=change.reference).first()
    created = payment is None
    if created:
        payment = Payment.objects.create(
            donation=donation,
            fundraiser_id=donation.fundraiser_id,
            reference=change.reference,
            payment_intent=change.payment_intent or None,
            amount=change.amount,
            paid_at=occurred_at,
        )
        first_payment = not donation.payments.exclude(pk=payment.pk).exists()
        if first_payment:
            _choices_apply(donation)
        # Refunds that overtook this payment were kept; they apply now.
        if change.payment_intent:
            for waiting in WebhookEvent.objects.select_for_update().filter(
                waiting_for=change.payment_intent, status=WebhookEvent.Status.DEFERRED
            ):
                payment.refunded = max(
                    payment.refunded, min(waiting.change["amount"], change.amount)
                )
                waiting.status = WebhookEvent.Status.PROCESSED
                waiting.save(update_fields=["status"])
            payment.save(update_fields=["refunded"])
        from convoca.donations.emails import payment_receipt_email_enqueue

        payment_receipt_email_enqueue(payment=payment)
    if donation.is_monthly:
        _status_set(
            donation, Donation.Status.ACTIVE, occurred_at, only_from=("pending", "past_due")
        )
    else:
        _status_set(
            donation, Donation.Status.PAID, occurred_at, only_from=("pending", "failed", "expired")
        )
    _payment_recount(payment)
    if not donation.is_monthly and payment.refunded == payment.amount:
        _status_set(donation, Donation.Status.REFUNDED, occurred_at, only_from=("paid",))


def _choices_apply(donation: Donation) -> None:
    """The donor paid: record the consents they gave and show them if they chose to."""
    donor = Donor.objects.select_for_update().select_related("person").get(pk=donation.donor_id)
    person = donor.person
    fundraiser = donation.fundraiser
    choices = donation.choices or {}
    # Keeping a donor's record is a legal duty, not a sign-up awaiting confirmation.
    person_confirm_email(person=person)
    if choices.get("listed") and donation.public_name:
        consent_give(
            person=person,
            purpose=Consent.Purpose.PUBLIC_NAME,
            wording=choices.get("listed_wording", ""),
            source=choices.get("form", ""),
            organisation=fundraiser.organisation,
            subject=fundraiser,
        )
        donor.public_name = donation.public_name
        donor.listed = True
        donor.save(update_fields=["public_name", "listed", "updated_at"])
    if choices.get("news"):
        consent_give(
            person=person,
            purpose=Consent.Purpose.CONTACT,
            wording=choices.get("news_wording", ""),
            source=choices.get("form", ""),
            organisation=fundraiser.organisation,
        )
    activity_record(
        person=person,
        kind=Activity.Kind.DONATED,
        organisation=fundraiser.organisation,
        summary=fundraiser.text_in("title", settings.LANGUAGE_CODE),
        subject=fundraiser,
    )


def _payment_recount(payment: Payment) -> None:
    """Make the totals count what this payment is worth now (its amount, less refunds)."""
    worth = payment.amount - payment.refunded
    delta = worth - payment.counted
    if not delta:
        return
    payment.counted = worth
    payment.save(update_fields=["counted"])
    donors = _donor_give(donor_id=payment.donation.donor_id, delta=delta, at=payment.paid_at)
    _totals_move(
        fundraiser_id=payment.fundraiser_id,
        month=_month(payment.paid_at),
        online=delta,
        donors=donors,
    )


def _refund_apply(*, change: Change, provider: str, occurred_at: datetime) -> str:
    payment = (
        Payment.objects.filter(payment_intent=change.payment_intent, donation__provider=provider)
        .only("donation_id")
        .first()
    )
    if payment is None:
        return WebhookEvent.Status.DEFERRED
    # Lock the donation first, then the payment: the order every path takes.
    donation = Donation.objects.select_for_update().get(pk=payment.donation_id)
    payment = Payment.objects.select_for_update().select_related("donation").get(pk=payment.pk)
    # The provider reports the total refunded so far: a repeated or late event never adds twice.
    refunded = max(payment.refunded, min(change.amount, payment.amount))
    if refunded != payment.refunded:
        payment.refunded = refunded
        payment.save(update_fields=["refunded"])
    _payment_recount(payment)
    if not donation.is_monthly and payment.refunded == payment.amount:
        _status_set(donation, Donation.Status.REFUNDED, occurred_at, only_from=("paid",))
    return WebhookEvent.Status.PROCESSED


#: Stripe retries an event for three days; its id is kept well beyond that.
WEBHOOK_EVENT_RETENTION = timedelta(days=90)


def webhook_event_purge(*, now: datetime | None = None) -> int:
    """Delete applied or ignored provider events older than the retention; keep deferred ones."""
    cutoff = (now or timezone.now()) - WEBHOOK_EVENT_RETENTION
    deleted, _by_model = (
        WebhookEvent.objects.filter(received_at__lt=cutoff)
        .exclude(status=WebhookEvent.Status.DEFERRED)
        .delete()
    )
    return deleted


# --- Monthly donors managing their gift ---------------------------------------------------


def donation_manage_token_make(*, donation: Donation) -> str:
    return signing.dumps({"d": str(donation.pk)}, salt=MANAGE_SALT, compress=True)


def donation_manage_token_read(token: str) -> Donation | None:
    """The monthly donation a receipt's link was made for, or None."""
    try:
        payload = signing.loads(token, salt=MANAGE_SALT)
    except signing.BadSignature:
        return None
    return (
        Donation.objects.select_related("fundraiser")
        .filter(pk=_uuid_or_none(payload.get("d")), frequency=Donation.Frequency.MONTHLY)
        .exclude(customer_reference="")
        .first()
    )


def donation_manage_url(*, donation: Donation, provider: PaymentProvider, return_url: str) -> str:
    """Open the provider's page where the donor changes or cancels a monthly gift."""
    if not donation.customer_reference:
        raise ProviderError("no customer")
    return provider.manage_url(donation=donation, return_url=return_url)


# --- Offline gifts ------------------------------------------------------------------------


def _offline_count(gift: OfflineGift, sign: int) -> None:
    """Add (sign=1) or take away (sign=-1) an offline gift from the totals."""
    donors = sign * gift.donors
    if gift.donor_id:
        donors = _donor_give(
            donor_id=gift.donor_id,
            delta=sign * gift.amount,
            at=timezone.now(),
        )
    _totals_move(
        fundraiser_id=gift.fundraiser_id,
        month=_month(gift.received_on),
        offline=sign * gift.amount,
        donors=donors,
    )


def offline_donor_find(*, fundraiser: Fundraiser, person_data: PersonData | None) -> Donor | None:
    """The donor for a person an organiser names on an offline gift (created if needed)."""
    if person_data is None or not person_data.email:
        return None
    # From an organiser: the details they enter may correct what is stored.
    person = person_upsert(data=person_data, confirmed=True).person
    donor, _created = Donor.objects.get_or_create(fundraiser=fundraiser, person=person)
    return donor


def offline_gift_save(
    *, gift: OfflineGift, user: AbstractBaseUser | None, person_data: PersonData | None = None
) -> OfflineGift:
    """Create or change an offline gift and move the totals by the difference.

    ``gift`` carries the new values (a new or an edited row); the stored row,
    if any, is what is taken out of the totals first.
    """
    with transaction.atomic():
        if person_data is not None and person_data.email:
            gift.donor = offline_donor_find(fundraiser=gift.fundraiser, person_data=person_data)
        if gift.donor_id:
            gift.donors = 1
        if gift.pk:
            old = OfflineGift.objects.select_for_update().get(pk=gift.pk)
            _offline_count(old, -1)
        else:
            gift.entered_by = user if user and user.is_authenticated else None
        gift.save()
        _offline_count(gift, 1)
        if (
            gift.donor_id
            and not OfflineGift.objects.filter(donor_id=gift.donor_id).exclude(pk=gift.pk).exists()
        ):
            activity_record(
                person=gift.donor.person,
                kind=Activity.Kind.DONATED,
                organisation=gift.fundraiser.organisation,
                summary=gift.fundraiser.text_in("title", settings.LANGUAGE_CODE),
                subject=gift.fundraiser,
            )
    return gift


def offline_gift_delete(*, gift: OfflineGift) -> None:
    """Remove an offline gift entered by mistake, and take it out of the totals."""
    with transaction.atomic():
        old = OfflineGift.objects.select_for_update().filter(pk=gift.pk).first()
        if old is None:
            return
        _offline_count(old, -1)
        old.delete()


# --- Personal data ------------------------------------------------------------------------


def donor_export_for_person(person: Person) -> list[dict]:
    """What donations holds about a person, for their data export."""
    rows = []
    donors = Donor.objects.filter(person=person).select_related("fundraiser")
    for donor in donors.prefetch_related("fundraiser__versions"):
        rows.append(
            {
                "fundraiser": donor.fundraiser.text_in("title", settings.LANGUAGE_CODE),
                "public_name": donor.public_name,
                "listed": donor.listed,
                "given": donor.given,
                "currency": donor.fundraiser.currency,
                "gifts": [
                    {
                        "frequency": d.frequency,
                        "amount": d.amount,
                        "status": d.status,
                        "created_at": d.created_at.isoformat(),
                    }
                    for d in donor.donations.order_by("created_at")
                ],
            }
        )
    return rows


def donor_erase_for_person(person: Person) -> None:
    """Forget the names a person chose to appear under; amounts stay, anonymous."""
    Donor.objects.filter(person=person).update(public_name="", listed=False)
    Donation.objects.filter(donor__person=person).update(public_name="")
