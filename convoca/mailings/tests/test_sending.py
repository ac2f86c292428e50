"""The sending engine: everyone once, in their language, whatever is killed."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from convoca.mailings.models import Delivery, Mailing, Suppression
from convoca.mailings.selectors import mailing_progress, mailing_recipient_count
from convoca.mailings.services import (
    mailing_cancel,
    mailing_pause,
    mailing_resume,
    mailing_resume_stalled,
    mailing_send_now,
    person_unsubscribe_all,
    subscription_request,
    suppression_add,
)
from convoca.mailings.tasks import mailing_send_batch_task

ROOT = Path(__file__).resolve().parents[3]


def _recipients(sink):
    return Counter(address for m in sink.messages for address in m["to"])


def test_mailing_reaches_each_confirmed_subscriber_once_in_their_language(
    alerts, make_subscriber, make_mailing, smtp_sink, commit
):
    make_subscriber(alerts, "ana@example.org", language="es", given_name="Ana")
    make_subscriber(alerts, "bo@example.org", language="en")
    gone = make_subscriber(alerts, "gone@example.org")
    person_unsubscribe_all(person=gone)
    make_subscriber(alerts, "bounced@example.org")
    suppression_add(email="bounced@example.org", reason=Suppression.Reason.BOUNCED)
    subscription_request(mailing_list=alerts, email="pending@example.org", language="en")
    mailing = make_mailing([alerts])
    assert mailing_recipient_count(mailing=mailing) == 2

    with commit():
        mailing_send_now(mailing=mailing)

    assert _recipients(smtp_sink) == {"ana@example.org": 1, "bo@example.org": 1}
    by_to = {m["to"][0]: m["message"] for m in smtp_sink.messages}
    ana, bo = by_to["ana@example.org"], by_to["bo@example.org"]
    assert ana["Subject"] == "Seminario el martes"
    assert "Hola Ana:" in ana.get_body(("plain",)).get_content()
    assert "<strong>martes</strong>" in ana.get_body(("html",)).get_content()
    assert bo["Subject"] == "Webinar on Tuesday, friend"
    assert "Hello friend," in bo.get_body(("plain",)).get_content()
    assert bo["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert bo["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/en/lists/unsubscribe/")
    assert "mailto:" in bo["List-Unsubscribe"]
    assert "bo@example.org" not in bo["List-Unsubscribe"]
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    progress = mailing_progress(mailing=mailing)
    assert (progress.sent, progress.pending, progress.failed) == (2, 0, 0)


def test_sending_a_mailing_again_mails_nobody_twice(
    alerts, make_subscriber, make_mailing, smtp_sink, commit
):
    for n in range(5):
        make_subscriber(alerts, f"p{n}@example.org")
    mailing = make_mailing([alerts])
    with commit():
        mailing_send_now(mailing=mailing)
        mailing_send_now(mailing=mailing)
        mailing_send_batch_task.enqueue(mailing_id=mailing.pk)
        mailing_resume_stalled()
    assert sorted(_recipients(smtp_sink).values()) == [1] * 5
    assert Delivery.objects.filter(mailing=mailing).count() == 5


def test_a_paused_mailing_sends_the_rest_on_resume_and_a_cancelled_one_stops(
    alerts, make_subscriber, make_mailing, smtp_sink, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    for n in range(6):
        make_subscriber(alerts, f"p{n}@example.org")
    mailing = make_mailing([alerts])
    mailing_send_now(mailing=mailing)  # queued, not run: the dummy backend keeps tasks
    from convoca.mailings.sending import mailing_send_batch

    mailing_send_batch(mailing_id=mailing.pk, limit=2)
    assert len(smtp_sink.messages) == 2
    assert mailing_pause(mailing=mailing)
    assert mailing_send_batch(mailing_id=mailing.pk).sent == 0
    assert mailing_resume(mailing=mailing)
    mailing_send_batch(mailing_id=mailing.pk, limit=2)
    assert len(smtp_sink.messages) == 4
    assert mailing_cancel(mailing=mailing) == 2
    assert mailing_send_batch(mailing_id=mailing.pk).sent == 0
    assert sorted(_recipients(smtp_sink).values()) == [1] * 4
    assert mailing_progress(mailing=mailing).cancelled == 2


def test_rate_limit_spaces_the_messages(alerts, make_subscriber, make_mailing, smtp_sink, commit):
    for n in range(4):
        make_subscriber(alerts, f"p{n}@example.org")
    mailing = make_mailing([alerts], rate_per_minute=240)  # one every 0.25 s
    started = time.monotonic()
    with commit():
        mailing_send_now(mailing=mailing)
    assert len(smtp_sink.messages) == 4
    assert time.monotonic() - started >= 0.7


def test_a_refused_recipient_is_failed_and_the_others_are_sent(
    alerts, make_subscriber, make_mailing, smtp_sink, commit
):
    make_subscriber(alerts, "ok@example.org")
    make_subscriber(alerts, "refused@example.org")

    async def handle_RCPT(server, session, envelope, address, rcpt_options):
        if address.startswith("refused"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_sink.handle_RCPT = handle_RCPT
    mailing = make_mailing([alerts])
    with commit():
        mailing_send_now(mailing=mailing)
    assert list(_recipients(smtp_sink)) == ["ok@example.org"]
    failed = Delivery.objects.get(mailing=mailing, status=Delivery.Status.FAILED)
    assert failed.error.startswith("550")
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT


# --- A worker process killed in the middle of a batch ----------------------------------


def _worker(mailing_id: int, limit: int, port: int) -> subprocess.Popen:
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
        [
            sys.executable,
            "-m",
            "convoca.mailings.tests.worker_process",
            str(mailing_id),
            str(limit),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _sink_port(settings):
    return settings.MAILERS["default"]["OPTIONS"]["port"]


def _subscribers(alerts, make_subscriber, count):
    for n in range(count):
        make_subscriber(alerts, f"s{n:03d}@example.org", language="es" if n % 3 else "en")


def _resume(settings):
    settings.MAILINGS_CLAIM_LEASE_SECONDS = 0  # the dead worker's claims are stale at once
    time.sleep(0.01)
    mailing_resume_stalled()


@pytest.mark.django_db(transaction=True)
def test_worker_killed_while_the_server_holds_a_message_resumes_without_mailing_anyone_twice(
    organisation, alerts, make_subscriber, make_mailing, smtp_sink, settings
):
    """The worst moment: the server has the whole message and has not said 250 yet."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    _subscribers(alerts, make_subscriber, 60)
    mailing = make_mailing([alerts])
    mailing_send_now(mailing=mailing)
    reached, killed = threading.Event(), threading.Event()
    original = smtp_sink.handle_DATA

    async def handle_DATA(server, session, envelope):
        if len(smtp_sink.messages) == 24:
            reached.set()
            killed.wait(10)  # hold the 250 until the worker is dead
        return await original(server, session, envelope)

    smtp_sink.handle_DATA = handle_DATA
    worker = _worker(mailing.pk, 1000, _sink_port(settings))
    assert reached.wait(30), f"the worker sent nothing (exit code {worker.poll()})"
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    killed.set()
    time.sleep(0.2)
    assert len(smtp_sink.messages) == 25
    assert Delivery.objects.filter(mailing=mailing, status="claimed").count() == 60 - 25

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    _resume(settings)

    received = _recipients(smtp_sink)
    assert len(received) == 60
    assert set(received.values()) == {1}
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    progress = mailing_progress(mailing=mailing)
    assert progress.sent + progress.in_doubt == 60
    # The message the server held when the worker died, and the few whose 250 was
    # not yet recorded: handed over, never sent again.
    assert 1 <= progress.in_doubt <= 50


@pytest.mark.django_db(transaction=True)
def test_worker_killed_at_a_random_moment_resumes_with_everyone_mailed_exactly_once(
    organisation, alerts, make_subscriber, make_mailing, smtp_sink, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    _subscribers(alerts, make_subscriber, 150)
    mailing = make_mailing([alerts])
    mailing_send_now(mailing=mailing)
    worker = _worker(mailing.pk, 1000, _sink_port(settings))
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


def test_a_scheduled_mailing_leaves_when_due_and_not_before(
    alerts, make_subscriber, make_mailing, smtp_sink, commit
):
    from datetime import timedelta

    from django.utils import timezone

    from convoca.mailings.services import mailing_schedule

    make_subscriber(alerts, "ana@example.org")
    mailing = make_mailing([alerts])
    send_at = timezone.now() + timedelta(hours=1)
    mailing_schedule(mailing=mailing, send_at=send_at)
    with commit():
        mailing_resume_stalled()
    assert smtp_sink.messages == []
    with commit():
        mailing_resume_stalled(now=send_at + timedelta(seconds=1))
    assert _recipients(smtp_sink) == {"ana@example.org": 1}


def test_open_counting_is_off_by_default_and_said_in_the_email_when_on(
    client, alerts, make_subscriber, make_mailing, smtp_sink, commit
):
    import re

    make_subscriber(alerts, "ana@example.org")
    quiet = make_mailing([alerts])
    with commit():
        mailing_send_now(mailing=quiet)
    html = smtp_sink.messages[0]["message"].get_body(("html",)).get_content()
    assert "/lists/o/" not in html
    smtp_sink.messages.clear()

    counted = make_mailing([alerts], track_opens=True)
    with commit():
        mailing_send_now(mailing=counted)
    message = smtp_sink.messages[0]["message"]
    assert "tells us whether it was opened" in message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    pixel = re.search(r'src="https?://[^/]+(/[a-z]+/lists/o/[^"]+)"', html)
    assert client.get(pixel.group(1))["Content-Type"] == "image/gif"
    assert mailing_progress(mailing=counted).opened == 1


def test_someone_suppressed_after_sending_started_is_not_mailed_and_the_mailing_finishes(
    alerts, make_subscriber, make_mailing, smtp_sink, settings, commit
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    make_subscriber(alerts, "ana@example.org")
    make_subscriber(alerts, "bo@example.org")
    mailing = make_mailing([alerts])
    mailing_send_now(mailing=mailing)
    suppression_add(email="bo@example.org", reason=Suppression.Reason.COMPLAINED)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with commit():
        mailing_send_batch_task.enqueue(mailing_id=mailing.pk)
    assert _recipients(smtp_sink) == {"ana@example.org": 1}
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT


def test_a_line_break_in_a_first_name_cannot_add_a_header(
    alerts, make_subscriber, make_mailing, smtp_sink, commit
):
    make_subscriber(alerts, "ana@example.org", given_name="Ana\r\nBcc: victim@example.org")
    mailing = make_mailing([alerts])
    with commit():
        mailing_send_now(mailing=mailing)
    [received] = smtp_sink.messages
    assert received["to"] == ["ana@example.org"]
    assert received["message"]["Bcc"] is None
    assert received["message"]["Subject"] == "Webinar on Tuesday, Ana Bcc: victim@example.org"


def test_a_whole_chunk_suppressed_meanwhile_does_not_stop_the_others(
    alerts, make_subscriber, make_mailing, smtp_sink, settings, commit
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.MAILINGS_CHUNK_SIZE = 2
    for n in range(5):
        make_subscriber(alerts, f"p{n}@example.org")
    mailing = make_mailing([alerts])
    mailing_send_now(mailing=mailing)
    for n in (0, 1):
        suppression_add(email=f"p{n}@example.org", reason=Suppression.Reason.BOUNCED)
    from convoca.mailings.sending import mailing_send_batch

    mailing_send_batch(mailing_id=mailing.pk)
    assert sorted(_recipients(smtp_sink)) == ["p2@example.org", "p3@example.org", "p4@example.org"]
