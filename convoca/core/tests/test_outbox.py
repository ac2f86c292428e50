"""The outbox over a real SMTP server: once each, retried, given up, whatever is killed."""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from convoca.core.models import OutboxEmail
from convoca.core.outbox import outbox_deliver, outbox_message_enqueue, outbox_purge_old

ROOT = Path(__file__).resolve().parents[3]
Status = OutboxEmail.Status


def _recipients(sink):
    return Counter(address for m in sink.messages for address in m["to"])


def _enqueue(to, *, kind="test.hello", subject="Hello", person_id="", dedupe_key=None):
    return outbox_message_enqueue(
        kind=kind,
        message=EmailMessage(subject=subject, body=f"Dear {to},\n.\nA line.\n", to=[to]),
        person_id=person_id,
        dedupe_key=dedupe_key,
    )


def _our_log(caplog) -> str:
    """What Convoca (and Django) logged; the test sink's own log names addresses."""
    return "\n".join(
        f"{r.getMessage()} {r.__dict__}"
        for r in caplog.records
        if not r.name.startswith("mail.log")
    )


def _make_due():
    OutboxEmail.objects.update(next_attempt_at=timezone.now())


def test_an_email_written_in_a_transaction_leaves_once_after_commit(
    db, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for n in range(3):
            _enqueue(f"ana{n}@example.org")
        assert smtp_sink.messages == []  # nothing leaves before the commit

    assert _recipients(smtp_sink) == {f"ana{n}@example.org": 1 for n in range(3)}
    assert len({m["connection"] for m in smtp_sink.messages}) == 1  # one SMTP session
    message = smtp_sink.messages[0]["message"]
    assert message["Subject"] == "Hello"
    assert "\n.\n" in message.get_content().replace("\r\n", "\n")  # a lone dot survives
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {Status.SENT}
    assert all(OutboxEmail.objects.values_list("sent_at", flat=True))

    assert outbox_deliver().sent == 0  # run again: nobody is mailed twice
    assert len(smtp_sink.messages) == 3


def test_a_web_request_only_writes_the_row_even_with_the_mail_server_down(
    db, smtp_sink, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    smtp_sink.stop()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = _enqueue("ana@example.org")
    assert len(callbacks) == 1  # the worker is asked, nothing is sent here
    row.refresh_from_db()
    assert row.status == Status.WAITING


def test_a_dedupe_key_writes_the_email_once(db, smtp_sink):
    assert _enqueue("ana@example.org", dedupe_key="reminder:1") is not None
    assert _enqueue("ana@example.org", dedupe_key="reminder:1") is None
    outbox_deliver()
    assert _recipients(smtp_sink) == {"ana@example.org": 1}


def test_a_temporary_refusal_is_retried_later_with_backoff(db, smtp_sink, caplog):
    caplog.set_level(logging.DEBUG)
    smtp_sink.deferred.add("ana@example.org")
    row = _enqueue("ana@example.org")
    _enqueue("ben@example.org")
    before = timezone.now()

    result = outbox_deliver()

    assert (result.sent, result.retrying) == (1, 1)
    row.refresh_from_db()
    assert row.status == Status.RETRYING
    assert row.attempts == 1
    assert row.last_error == "SMTP 451 (rcpt)"
    first_wait = row.next_attempt_at - before
    assert timedelta(seconds=14) <= first_wait <= timedelta(seconds=46)  # 30 s ± 50%

    assert outbox_deliver().done == 0  # not due yet: not tried again

    _make_due()
    outbox_deliver()  # still deferred: the wait doubles
    row.refresh_from_db()
    assert row.attempts == 2
    assert timedelta(seconds=29) <= row.next_attempt_at - timezone.now() <= timedelta(seconds=91)

    smtp_sink.deferred.clear()
    _make_due()
    assert outbox_deliver().sent == 1
    assert _recipients(smtp_sink) == {"ana@example.org": 1, "ben@example.org": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 3)
    assert "ana@example.org" not in _our_log(caplog)


def test_temporary_failures_are_retried_for_three_days_then_given_up(db, smtp_sink):
    smtp_sink.stop()
    young = _enqueue("ana@example.org")
    old = _enqueue("ben@example.org")
    OutboxEmail.objects.filter(pk=young.pk).update(created_at=timezone.now() - timedelta(hours=71))
    OutboxEmail.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=72))

    outbox_deliver()

    young.refresh_from_db()
    old.refresh_from_db()
    assert young.status == Status.RETRYING
    assert old.status == Status.GIVEN_UP
    assert old.last_error == "ConnectionRefusedError"


def test_the_mail_server_down_then_back_delivers_every_email_once(db, smtp_sink, caplog):
    caplog.set_level(logging.DEBUG)
    for n in range(20):
        _enqueue(f"s{n:02d}@example.org")
    smtp_sink.stop()

    result = outbox_deliver()

    assert (result.retrying, result.stopped) == (20, "connection")
    assert set(OutboxEmail.objects.values_list("last_error", flat=True)) == {
        "ConnectionRefusedError"
    }
    smtp_sink.start()
    _make_due()
    assert outbox_deliver().sent == 20
    assert _recipients(smtp_sink) == {f"s{n:02d}@example.org": 1 for n in range(20)}
    assert "@example.org" not in _our_log(caplog)


def test_a_connection_dropped_mid_batch_loses_no_email_and_sends_none_twice(db, smtp_sink):
    for n in range(10):
        _enqueue(f"s{n:02d}@example.org")
    original = smtp_sink.handle_DATA
    dropped = []

    async def handle_DATA(server, session, envelope):
        if len(smtp_sink.messages) == 4 and not dropped:
            dropped.append(1)
            server.transport.close()  # the server goes away before answering
            return "421 closing"
        return await original(server, session, envelope)

    smtp_sink.handle_DATA = handle_DATA
    result = outbox_deliver()
    assert result.stopped == "connection"
    # The message the server was given when it went away stays handed over (in doubt).
    assert OutboxEmail.objects.filter(status=Status.SENDING).count() == 1

    _make_due()
    outbox_deliver()
    received = _recipients(smtp_sink)
    assert len(received) == 9
    assert set(received.values()) == {1}


# --- A worker process killed in the middle of a batch ------------------------------------


def _worker(limit: int, port: int) -> subprocess.Popen:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "CONVOCA_DATA_DIR": str(django_settings.DATA_DIR),
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "TASKS_BACKEND": "django.tasks.backends.dummy.DummyBackend",
        "DJANGO_SETTINGS_MODULE": "convoca.settings",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("SITE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "convoca.core.tests.outbox_worker", str(limit)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _resume(settings):
    from convoca.core.tasks import outbox_deliver_task

    settings.OUTBOX_CLAIM_LEASE_SECONDS = 0  # the dead worker's claims are stale at once
    time.sleep(0.01)
    outbox_deliver_task.call()


@pytest.mark.django_db(transaction=True)
def test_worker_killed_while_the_server_holds_a_message_resumes_without_mailing_anyone_twice(
    smtp_sink, settings
):
    """The worst moment: the server has the whole message and has not said 250 yet."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    for n in range(60):
        _enqueue(f"s{n:03d}@example.org")
    reached, killed = threading.Event(), threading.Event()
    original = smtp_sink.handle_DATA

    async def handle_DATA(server, session, envelope):
        if len(smtp_sink.messages) == 24:
            reached.set()
            killed.wait(10)  # hold the 250 until the worker is dead
        return await original(server, session, envelope)

    smtp_sink.handle_DATA = handle_DATA
    worker = _worker(1000, settings.MAILERS["default"]["OPTIONS"]["port"])
    assert reached.wait(30), f"the worker sent nothing (exit code {worker.poll()})"
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    killed.set()
    time.sleep(0.2)
    assert len(smtp_sink.messages) == 25
    assert OutboxEmail.objects.filter(status=Status.SENDING).count() >= 1

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    _resume(settings)

    received = _recipients(smtp_sink)
    assert len(received) == 60
    assert set(received.values()) == {1}
    statuses = Counter(OutboxEmail.objects.values_list("status", flat=True))
    assert statuses[Status.SENT] + statuses[Status.SENDING] == 60


@pytest.mark.django_db(transaction=True)
def test_worker_killed_at_a_random_moment_resumes_with_everyone_mailed_exactly_once(
    smtp_sink, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    for n in range(150):
        _enqueue(f"s{n:03d}@example.org")
    worker = _worker(1000, settings.MAILERS["default"]["OPTIONS"]["port"])
    deadline = time.monotonic() + 30
    while len(smtp_sink.messages) < 50 and time.monotonic() < deadline:
        time.sleep(0.001)
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    at_kill = len(smtp_sink.messages)
    assert 0 < at_kill < 150

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    _resume(settings)

    received = _recipients(smtp_sink)
    assert len(received) == 150
    assert set(received.values()) == {1}


def test_old_emails_lose_their_address_and_text_but_keep_their_key(db, smtp_sink, settings):
    keyed = _enqueue("ana@example.org", dedupe_key="receipt:1")
    plain = _enqueue("ben@example.org")
    waiting = _enqueue("cy@example.org")
    outbox_deliver()
    OutboxEmail.objects.filter(pk=waiting.pk).update(status=Status.RETRYING)
    OutboxEmail.objects.update(created_at=timezone.now() - timedelta(days=31))

    assert outbox_purge_old() == 2

    keyed.refresh_from_db()
    assert (keyed.to, keyed.message, keyed.status) == ("", "", Status.SENT)
    assert not OutboxEmail.objects.filter(pk=plain.pk).exists()
    assert OutboxEmail.objects.get(pk=waiting.pk).to == "cy@example.org"  # still to send
    assert _enqueue("ana@example.org", dedupe_key="receipt:1") is None


def test_an_email_that_cannot_be_built_is_given_up_and_the_others_go(db, smtp_sink):
    bad = outbox_message_enqueue(
        kind="test.bad",
        message=EmailMessage(subject="Hi", body="x", to=["ana@example.org"]),
    )
    content = '{"subject": "Hi", "body": "x", "from": "a@b", "attachments": [], '
    content += '"headers": {"Reply-To": "a@b\\nBcc: victim@example.org"}}'
    row = OutboxEmail.objects.get(pk=bad.pk)
    row.message = content
    row.save(update_fields=["message"])
    _enqueue("ben@example.org")

    outbox_deliver()

    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.GIVEN_UP, "cannot be built")
    assert _recipients(smtp_sink) == {"ben@example.org": 1}  # and nobody in a Bcc


def test_non_ascii_subjects_names_and_texts_arrive_intact(db, smtp_sink, settings):
    settings.DEFAULT_FROM_EMAIL = "Coalición Solidaria <hola@example.org>"
    outbox_message_enqueue(
        kind="test.es",
        message=EmailMessage(
            subject="Confirma tu firma: «Levanten las sanciones» ¡gracias!",
            body="Hola, Begoña:\n.\nUna línea muy larga " + "ñ" * 300 + "\n",
            to=["bego@example.org"],
            headers={"Reply-To": "equipo@example.org"},
        ),
    )
    outbox_deliver()
    [sent] = smtp_sink.messages
    message = sent["message"]
    assert message["Subject"] == "Confirma tu firma: «Levanten las sanciones» ¡gracias!"
    assert message["From"].addresses[0].display_name == "Coalición Solidaria"
    assert message["Reply-To"] == "equipo@example.org"
    text = message.get_content().replace("\r\n", "\n")
    assert text == "Hola, Begoña:\n.\nUna línea muy larga " + "ñ" * 300 + "\n"


def test_a_server_refusing_the_sender_is_retried_not_given_up(db, smtp_sink):
    """A 5xx to MAIL FROM says the deployment is misconfigured, not that the email is bad."""
    smtp_sink.sender_refused = True
    row = _enqueue("ana@example.org")
    outbox_deliver()
    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.RETRYING, "SMTP 553 (mail)")

    smtp_sink.sender_refused = False
    _make_due()
    outbox_deliver()
    assert _recipients(smtp_sink) == {"ana@example.org": 1}
