"""The emails events send, each rendered in the recipient's language and written to the outbox.

Call these inside the transaction of the change that causes the email.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from convoca.core.mail import absolute_url
from convoca.core.markdown import markdown_to_text
from convoca.core.outbox import outbox_email_enqueue, outbox_key
from convoca.events.calendars import calendar_ics
from convoca.events.models import Event, HostMessage, Registration
from convoca.events.selectors import event_in_language, event_times
from convoca.people.models import Person


def _language(person: Person) -> str:
    return person.language if person.language in ("en", "es") else "en"


def registration_url(registration: Registration, language: str) -> str:
    from convoca.events.services import registration_token_make

    with translation.override(language):
        return absolute_url(
            reverse(
                "events:registration-detail",
                kwargs={"token": registration_token_make(registration=registration)},
            )
        )


def host_url(event: Event, language: str) -> str:
    with translation.override(language):
        return absolute_url(reverse("events:host-manage", kwargs={"key": event.host_key}))


def _ics(event: Event, *, with_join_link: bool) -> tuple[str, bytes, str]:
    return (
        f"{event.slug}.ics",
        calendar_ics([event], name=event.title, with_join_link=with_join_link),
        "text/calendar",
    )


def _registration_mail(
    registration: Registration,
    template: str,
    *,
    kind: str,
    dedupe_key: str | None = None,
    expires_at=None,
    **extra,
) -> bool:
    person = registration.person
    language = _language(person)
    event = event_in_language(registration.event, language)
    with translation.override(language):
        context = {
            "event": event,
            "person": person,
            "registration": registration,
            "times": event_times(event),
            "registration_url": registration_url(registration, language),
            "event_url": absolute_url(event.get_absolute_url()),
            "description": markdown_to_text(event.summary or event.description),
            **extra,
        }
        confirmed = registration.status == Registration.Status.CONFIRMED
        attachments = [_ics(event, with_join_link=confirmed)]
    row = outbox_email_enqueue(
        kind=kind,
        to=person.email,
        template=template,
        context=context,
        language=language,
        attachments=attachments,
        person_id=person.pk,
        dedupe_key=dedupe_key,
        expires_at=expires_at,
    )
    return row is not None


def registration_confirmation_enqueue(registration: Registration) -> bool:
    """Your place (or your place on the wait list), the details, the .ics, the cancel link."""
    if registration.via_series or registration.person.erased_at:
        return False  # a series registration has one email for all its dates
    return _registration_mail(
        registration, "events/email/registration_confirmed", kind="events.registration"
    )


def registration_promoted_enqueue(registration: Registration) -> bool:
    """A place freed up and is yours now."""
    if registration.person.erased_at:
        return False
    return _registration_mail(
        registration, "events/email/registration_promoted", kind="events.promoted"
    )


def reminder_enqueue(registration: Registration, *, minutes_before: int) -> bool:
    """The reminder shortly before the start, with the join link for an online event; once."""
    return _registration_mail(
        registration,
        "events/email/reminder",
        kind="events.reminder",
        dedupe_key=reminder_key(registration.pk, minutes_before),
        expires_at=registration.event.starts_at,  # no use once it has started
        minutes_before=minutes_before,
    )


def reminder_key(registration_id, minutes_before: int) -> str:
    return outbox_key(f"events.reminder:{minutes_before}", registration_id)


def event_cancelled_enqueue(registration: Registration) -> bool:
    """The event is cancelled (no calendar file: there is nothing to add); once per registration."""
    person = registration.person
    language = _language(person)
    event = event_in_language(registration.event, language)
    with translation.override(language):
        context = {
            "event": event,
            "person": person,
            "times": event_times(event),
            "event_url": absolute_url(event.get_absolute_url()),
        }
    row = outbox_email_enqueue(
        kind="events.cancelled",
        to=person.email,
        template="events/email/event_cancelled",
        context=context,
        language=language,
        person_id=person.pk,
        dedupe_key=outbox_key("events.cancelled", registration.pk),
    )
    return row is not None


def series_registration_enqueue(*, subscription, series, occurrences: list[Event]) -> None:
    from convoca.events.services import series_registration_token_make

    person = subscription.person
    language = _language(person)
    with translation.override(language):
        context = {
            "cancel_url": absolute_url(
                reverse(
                    "events:series-registration-cancel",
                    kwargs={"token": series_registration_token_make(subscription=subscription)},
                )
            ),
            "series": series,
            "person": person,
            "occurrences": [(e, event_times(e)) for e in occurrences],
            "series_url": absolute_url(series.get_absolute_url()),
            "calendar_url": absolute_url(
                reverse("events:series-calendar", kwargs={"slug": series.slug})
            ),
        }
    outbox_email_enqueue(
        kind="events.series_registration",
        to=person.email,
        template="events/email/series_registered",
        context=context,
        language=language,
        person_id=person.pk,
    )


def host_email_enqueue(event: Event, template: str) -> None:
    person = event.host_person
    if person is None or person.erased_at:
        return
    language = _language(person)
    outbox_email_enqueue(
        kind=f"events.{template.rsplit('/', 1)[-1]}",
        to=person.email,
        template=template,
        context={
            "event": event,
            "person": person,
            "times": event_times(event),
            "host_url": host_url(event, language),
            "event_url": absolute_url(event.get_absolute_url()),
        },
        language=language,
        person_id=person.pk,
    )


def host_edited_enqueue(*, event: Event, fields: list[str]) -> int:
    """Email each coordinator which fields the host of a public event changed."""
    from convoca.organisations.selectors import coordinator_list_emailable

    language = settings.LANGUAGE_CODE  # staff have no language of their own
    with translation.override(language):
        admin_url = absolute_url(reverse("admin:events_event_change", args=[event.pk]))
        changed = ", ".join(str(Event._meta.get_field(name).verbose_name) for name in fields)
    sent = 0
    for user in coordinator_list_emailable():
        outbox_email_enqueue(
            kind="events.host_edited",
            to=user.email,
            template="events/email/host_edited",
            context={
                "event": event,
                "changed": changed,
                "admin_url": admin_url,
                "event_url": absolute_url(event.get_absolute_url()),
            },
            language=language,
        )
        sent += 1
    return sent


def host_message_email_enqueue(*, message: HostMessage, registration: Registration) -> bool:
    """A host's message to one registrant (whose address the host never sees); once."""
    person = registration.person
    language = _language(person)
    event = message.event
    row = outbox_email_enqueue(
        kind="events.host_message",
        to=person.email,
        template="events/email/host_message",
        context={
            "event": event_in_language(event, language),
            "subject": message.subject,
            "body": markdown_to_text(message.body),
            "host_group": event.host_group,
        },
        language=language,
        person_id=person.pk,
        dedupe_key=outbox_key(f"events.host_message:{message.pk}", registration.pk),
    )
    return row is not None
