"""Background work for events. Every task may run twice without doing anything twice."""

from crontask import cron
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from convoca.events import emails
from convoca.events.models import (
    CancellationNotice,
    Event,
    HostMessage,
    HostMessageDelivery,
    Registration,
    Series,
    SeriesRegistration,
)
from convoca.events.services import reminders_due, reminders_send, series_sync_all


def _registration(registration_id: str) -> Registration | None:
    return (
        Registration.objects.select_related("event", "person")
        .filter(pk=registration_id, person__erased_at__isnull=True)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )


@task
def registration_confirmation_email_task(*, registration_id: str) -> bool:
    """Send the registration's confirmation (or wait-list) email with its .ics."""
    registration = _registration(registration_id)
    if registration is None or registration.via_series:
        return False
    emails.registration_confirmation_send(registration)
    return True


@task
def registration_promoted_email_task(*, registration_id: str) -> bool:
    """Tell a person on the wait list that they have a place now."""
    registration = _registration(registration_id)
    if registration is None or registration.status != Registration.Status.CONFIRMED:
        return False
    emails.registration_promoted_send(registration)
    return True


@task
def series_registration_email_task(*, subscription_id: int) -> bool:
    """Confirm a registration for a whole series, listing the dates to come."""
    subscription = (
        SeriesRegistration.objects.select_related("person")
        .filter(pk=subscription_id, cancelled_at__isnull=True, person__erased_at__isnull=True)
        .first()
    )
    if subscription is None:
        return False
    series = Series.objects.filter(
        translation_key=subscription.series_key, language=subscription.language
    ).first()
    if series is None:
        return False
    upcoming = list(
        series.occurrences.filter(
            status=Event.Status.PUBLISHED, starts_at__gt=timezone.now()
        ).order_by("starts_at")[:6]
    )
    emails.series_registration_send(subscription=subscription, series=series, occurrences=upcoming)
    return True


@task
def host_submitted_email_task(*, event_id: int) -> bool:
    """Give the host their private management link; the event waits for approval."""
    event = Event.objects.select_related("host_person").filter(pk=event_id).first()
    if event is None:
        return False
    emails.host_email_send(event, "events/email/host_submitted")
    return True


@task
def host_edited_email_task(*, event_id: int, fields: list[str]) -> int:
    """Tell the coordinators what the host of a public event changed; how many emails."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    return emails.host_edited_send(event=event, fields=fields)


@task
def host_reviewed_email_task(*, event_id: int) -> bool:
    """Tell the host whether their event was approved."""
    event = Event.objects.select_related("host_person").filter(pk=event_id).first()
    if event is None or event.status not in (Event.Status.PUBLISHED, Event.Status.REJECTED):
        return False
    template = (
        "events/email/host_approved"
        if event.status == Event.Status.PUBLISHED
        else "events/email/host_rejected"
    )
    emails.host_email_send(event, template)
    return True


@task
def event_cancellation_email_task(*, translation_key: str) -> int:
    """Tell each registrant of a cancelled event, once."""
    sent = 0
    pending = CancellationNotice.objects.filter(
        registration__translation_key=translation_key, sent_at__isnull=True
    )
    for notice_id in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            notice = (
                CancellationNotice.objects.select_for_update(skip_locked=True)
                .select_related("registration__event", "registration__person")
                .filter(pk=notice_id, sent_at__isnull=True)
                .first()
            )
            if notice is None:
                continue
            if notice.registration.person.erased_at is None:
                emails.event_cancelled_send(notice.registration)
                sent += 1
            notice.sent_at = timezone.now()
            notice.save(update_fields=["sent_at"])
    return sent


@task
def host_message_send_task(*, message_id: int) -> int:
    """Email a host's message to each registrant not yet emailed."""
    message = HostMessage.objects.select_related("event").get(pk=message_id)
    sent = 0
    pending = HostMessageDelivery.objects.filter(message=message, sent_at__isnull=True)
    for delivery_id in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            delivery = (
                HostMessageDelivery.objects.select_for_update(skip_locked=True)
                .select_related("registration__person")
                .filter(pk=delivery_id, sent_at__isnull=True)
                .first()
            )
            if delivery is None:
                continue
            person = delivery.registration.person
            if person.erased_at is None:
                emails.host_message_email_send(
                    event=message.event, person=person, subject=message.subject, body=message.body
                )
                sent += 1
            delivery.sent_at = timezone.now()
            delivery.save(update_fields=["sent_at"])
    return sent


@cron("* * * * *")
@task
def reminders_send_task() -> int:
    """Every minute: make the reminders that fell due, and send each one once."""
    reminders_due()
    return reminders_send()


@cron("17 4 * * *")
@task
def series_occurrences_sync_task() -> int:
    """Every night: extend every published series' occurrences to a year ahead."""
    return series_sync_all()
