"""The emails events send, each rendered in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from convoca.core.mail import absolute_url, email_send
from convoca.core.markdown import markdown_to_text
from convoca.events.calendars import calendar_ics
from convoca.events.models import Event, Registration, ReminderDelivery
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


def _registration_mail(registration: Registration, template: str, **extra) -> None:
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
    email_send(
        to=person.email,
        template=template,
        context=context,
        language=language,
        attachments=attachments,
    )


def registration_confirmation_send(registration: Registration) -> None:
    """Your place (or your place on the wait list), the details, the .ics, the cancel link."""
    _registration_mail(registration, "events/email/registration_confirmed")


def registration_promoted_send(registration: Registration) -> None:
    """A place freed up and is yours now."""
    _registration_mail(registration, "events/email/registration_promoted")


def event_cancelled_send(registration: Registration) -> None:
    """The event is cancelled (no calendar file: there is nothing to add)."""
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
    email_send(
        to=person.email,
        template="events/email/event_cancelled",
        context=context,
        language=language,
    )


def reminder_send(*, delivery: ReminderDelivery) -> None:
    """The reminder shortly before the start, with the join link for an online event."""
    _registration_mail(
        delivery.registration, "events/email/reminder", minutes_before=delivery.minutes_before
    )


def series_registration_send(*, subscription, series, occurrences: list[Event]) -> None:
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
    email_send(
        to=person.email,
        template="events/email/series_registered",
        context=context,
        language=language,
    )


def host_email_send(event: Event, template: str) -> None:
    person = event.host_person
    if person is None or person.erased_at:
        return
    language = _language(person)
    email_send(
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
    )


def host_edited_send(*, event: Event, fields: list[str]) -> int:
    """Email each coordinator which fields the host of a public event changed."""
    from convoca.coalition.selectors import coordinator_list_emailable

    language = settings.LANGUAGE_CODE  # staff have no language of their own
    with translation.override(language):
        admin_url = absolute_url(reverse("admin:events_event_change", args=[event.pk]))
        changed = ", ".join(str(Event._meta.get_field(name).verbose_name) for name in fields)
    sent = 0
    for user in coordinator_list_emailable():
        email_send(
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


def host_message_email_send(*, event: Event, person: Person, subject: str, body: str) -> None:
    language = _language(person)
    email_send(
        to=person.email,
        template="events/email/host_message",
        context={
            "event": event_in_language(event, language),
            "subject": subject,
            "body": markdown_to_text(body),
            "host_group": event.host_group,
        },
        language=language,
    )
