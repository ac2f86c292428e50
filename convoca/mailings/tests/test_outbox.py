"""The outbox and the suppression list, and the outbox's admin page for coordinators."""

import logging
from collections import Counter

from django.core.mail import EmailMessage
from django.utils import timezone

from convoca.core.models import OutboxEmail
from convoca.core.outbox import outbox_deliver, outbox_message_enqueue
from convoca.mailings.models import Suppression

Status = OutboxEmail.Status


def _recipients(sink):
    return Counter(address for m in sink.messages for address in m["to"])


def _enqueue(to, *, kind="test.hello", person_id=""):
    return outbox_message_enqueue(
        kind=kind,
        message=EmailMessage(subject="Hello", body=f"Dear {to},", to=[to]),
        person_id=person_id,
    )


def _make_due():
    OutboxEmail.objects.update(next_attempt_at=timezone.now())


def _our_log(caplog) -> str:
    """What Convoca (and Django) logged; the test sink's own log names addresses."""
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]
    return "\n".join(f"{r.getMessage()} {r.__dict__}" for r in ours)


def test_a_permanent_refusal_suppresses_the_address_and_is_not_retried(db, smtp_sink, caplog):
    caplog.set_level(logging.DEBUG)
    smtp_sink.refused.add("gone@example.org")
    row = _enqueue("gone@example.org")

    outbox_deliver()

    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.GIVEN_UP, "SMTP 550 (rcpt)")
    assert Suppression.objects.filter(reason=Suppression.Reason.BOUNCED).count() == 1
    _make_due()
    assert outbox_deliver().done == 0

    # The next email to that address never reaches the server.
    smtp_sink.refused.clear()
    later = _enqueue("gone@example.org")
    outbox_deliver()
    later.refresh_from_db()
    assert (later.status, later.last_error) == (Status.GIVEN_UP, "suppressed")
    assert smtp_sink.messages == []
    assert "gone@example.org" not in _our_log(caplog)


def test_an_unsubscribed_address_still_gets_the_email_it_asked_for(db, smtp_sink):
    from convoca.mailings.services import suppression_add

    suppression_add(email="ana@example.org", reason=Suppression.Reason.UNSUBSCRIBED)
    _enqueue("ana@example.org")
    outbox_deliver()
    assert _recipients(smtp_sink) == {"ana@example.org": 1}


# --- The admin ----------------------------------------------------------------------------


def test_coordinators_see_the_outbox_with_counts_and_no_address(
    client, coordinator, organiser, smtp_sink
):
    smtp_sink.deferred.add("ana@example.org")
    row = _enqueue("ana@example.org", kind="actions.confirmation")
    _enqueue("ben@example.org", kind="donations.receipt")
    outbox_deliver()

    client.force_login(coordinator)
    page = client.get("/admin/core/outboxemail/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "actions.confirmation" in html and "donations.receipt" in html
    assert "SMTP 451 (rcpt)" in html
    assert "ana@example.org" not in html and "ben@example.org" not in html
    detail = client.get(f"/admin/core/outboxemail/{row.pk}/change/")
    assert detail.status_code == 200
    assert "ana@example.org" not in detail.content.decode()

    smtp_sink.deferred.clear()
    response = client.post(
        "/admin/core/outboxemail/",
        {"action": "retry_now", "_selected_action": [str(row.pk)]},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.next_attempt_at <= timezone.now()
    outbox_deliver()
    assert _recipients(smtp_sink) == {"ana@example.org": 1, "ben@example.org": 1}

    client.force_login(organiser)
    assert client.get("/admin/core/outboxemail/").status_code == 403
    assert client.get(f"/admin/core/outboxemail/{row.pk}/change/").status_code in (403, 404)
