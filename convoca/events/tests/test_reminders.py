"""Reminders: by default a day and an hour before, each sent exactly once."""

from datetime import timedelta

from django.utils import timezone

from convoca.events.models import ReminderDelivery
from convoca.events.services import reminders_due, reminders_send


def _run(now):
    reminders_due(now=now)
    return reminders_send(now=now)


def test_a_registrant_gets_the_day_and_hour_reminders_once_each(
    webinar, register, smtp_sink, settings
):
    register(webinar)
    smtp_sink.messages.clear()
    start = webinar.starts_at
    assert _run(start - timedelta(hours=30)) == 0
    assert _run(start - timedelta(hours=23)) == 1
    assert _run(start - timedelta(hours=22)) == 0  # a restarted worker finds the row sent
    assert _run(start - timedelta(minutes=59)) == 1
    assert _run(start - timedelta(minutes=30)) == 0
    subjects = [m["message"]["Subject"] for m in smtp_sink.messages]
    assert subjects == [
        "Tomorrow: Sanctions kill: a webinar",
        "Starting soon: Sanctions kill: a webinar",
    ]
    body = smtp_sink.messages[1]["message"].get_body(("plain",)).get_content()
    assert "https://meet.example.org/secret-room-42" in body
    assert ReminderDelivery.objects.filter(sent_at__isnull=False).count() == 2


def test_reminders_are_configurable_per_event(make_event, register):
    event = make_event(reminder_minutes=[15])
    register(event)
    start = event.starts_at
    assert _run(start - timedelta(hours=23)) == 0
    assert _run(start - timedelta(minutes=10)) == 1


def test_no_reminder_after_cancelling_or_for_a_moment_before_registering(
    make_event, register, client
):
    event = make_event(starts_at=(timezone.now() + timedelta(hours=2)).replace(microsecond=0))
    register(event)
    # Registered two hours before: the day-before reminder never comes, the hour one does.
    assert _run(event.starts_at - timedelta(minutes=50)) == 1
    assert ReminderDelivery.objects.get().minutes_before == 60


def test_a_cancelled_registration_gets_no_reminder(webinar, register, commit):
    from convoca.events.models import Registration
    from convoca.events.services import registration_cancel

    register(webinar)
    commit(registration_cancel, registration=Registration.objects.get())
    assert _run(webinar.starts_at - timedelta(minutes=30)) == 0
