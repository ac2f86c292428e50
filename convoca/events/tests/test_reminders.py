"""Reminders: by default a day and an hour before, each sent exactly once."""

from datetime import timedelta

from django.utils import timezone

from convoca.core.models import OutboxEmail
from convoca.core.outbox import outbox_deliver
from convoca.events.services import reminders_due


def _run(now):
    """The every-minute task at ``now``, then the outbox's delivery: how many reminders left."""
    reminders_due(now=now)
    return outbox_deliver().sent


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
    assert OutboxEmail.objects.filter(kind="events.reminder", status="sent").count() == 2


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
    [reminder] = OutboxEmail.objects.filter(kind="events.reminder")
    assert reminder.dedupe_key.startswith("events.reminder:60:")


def test_a_cancelled_registration_gets_no_reminder(webinar, register, commit):
    from convoca.events.models import Registration
    from convoca.events.services import registration_cancel

    register(webinar)
    commit(registration_cancel, registration=Registration.objects.get())
    assert _run(webinar.starts_at - timedelta(minutes=30)) == 0


def test_a_reminder_still_waiting_when_the_event_starts_is_never_sent(webinar, register, smtp_sink):
    register(webinar)
    smtp_sink.messages.clear()
    smtp_sink.stop()
    reminders_due(now=webinar.starts_at - timedelta(minutes=30))
    outbox_deliver()
    reminders = OutboxEmail.objects.filter(kind="events.reminder")
    assert {r.status for r in reminders} == {"retrying"}
    assert {r.expires_at for r in reminders} == {webinar.starts_at}

    # The server is back only after the start (the rows' deadline stands for it).
    smtp_sink.start()
    reminders.update(next_attempt_at=timezone.now(), expires_at=timezone.now())
    outbox_deliver()
    assert set(reminders.values_list("status", "last_error")) == {("given_up", "expired")}
    assert smtp_sink.messages == []
