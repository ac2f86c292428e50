"""Stripe's webhooks: verified over the raw body, applied exactly once, in any order."""

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from convoca.core.models import OutboxEmail
from convoca.core.outbox import outbox_deliver, outbox_sent_at
from convoca.donations.emails import RECEIPT
from convoca.donations.models import Donation, Payment, WebhookEvent
from convoca.donations.selectors import fundraiser_figures

pytestmark = pytest.mark.django_db


def test_event_with_a_bad_signature_is_refused_and_changes_nothing(
    give, webhook, fundraiser, stripe_standin
):
    _r, session = give(fundraiser)
    [event] = stripe_standin.complete(session)
    response = webhook(event, secret="whsec_someone_else")
    assert response.status_code == 400
    assert fundraiser_figures(fundraiser).raised == 0
    assert WebhookEvent.objects.count() == 0


def test_body_changed_after_signing_is_refused(client, give, fundraiser, stripe_standin):
    _r, session = give(fundraiser)
    [event] = stripe_standin.complete(session)
    body, headers = stripe_standin.signed(event)
    tampered = body.replace(b'"amount_total": 2500', b'"amount_total": 250000')
    assert tampered != body
    response = client.post(
        "/donations/webhooks/stripe/",
        data=tampered,
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 400
    assert fundraiser_figures(fundraiser).raised == 0


def test_event_with_a_stale_timestamp_is_refused(give, webhook, fundraiser, stripe_standin):
    _r, session = give(fundraiser)
    [event] = stripe_standin.complete(session)
    response = webhook(event, timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert fundraiser_figures(fundraiser).raised == 0
    # Within the tolerance, the same event is taken.
    assert webhook(event, timestamp=int(time.time()) - 200).status_code == 200
    assert fundraiser_figures(fundraiser).raised == 2500


def test_event_without_a_signature_is_refused(client, fundraiser, stripe_standin):
    response = client.post(
        "/donations/webhooks/stripe/", data=b'{"id": "evt_1"}', content_type="application/json"
    )
    assert response.status_code == 400


def test_the_same_event_delivered_twice_counts_once_and_sends_one_receipt(
    give, webhook, fundraiser, stripe_standin, smtp_sink
):
    _r, session = give(fundraiser)
    [event] = stripe_standin.complete(session)
    first = webhook(event)
    second = webhook(event)
    assert (first.status_code, first.content) == (200, b"processed")
    assert (second.status_code, second.content) == (200, b"duplicate")
    figures = fundraiser_figures(fundraiser)
    assert (figures.raised, figures.donors) == (2500, 1)
    assert len(smtp_sink.messages) == 1


def test_the_payment_admin_shows_when_the_receipt_was_sent(
    give, webhook, fundraiser, stripe_standin, smtp_sink, client, coordinator
):
    smtp_sink.stop()  # the receipt waits in the outbox
    _r, session = give(fundraiser)
    [event] = stripe_standin.complete(session)
    webhook(event)
    client.force_login(coordinator)
    assert client.get("/admin/donations/payment/").status_code == 200
    assert Payment.objects.annotate(sent=outbox_sent_at(RECEIPT)).get().sent is None

    smtp_sink.start()
    OutboxEmail.objects.update(next_attempt_at=timezone.now())
    outbox_deliver()
    assert len(smtp_sink.messages) == 1
    assert Payment.objects.annotate(sent=outbox_sent_at(RECEIPT)).get().sent is not None
    assert client.get("/admin/donations/payment/").status_code == 200


def test_two_events_for_one_payment_count_it_once(give, webhook, fundraiser, stripe_standin):
    # checkout.session.completed, then async_payment_succeeded for the same session.
    _r, session = give(fundraiser)
    [completed] = stripe_standin.complete(session)
    again = stripe_standin.event("checkout.session.async_payment_succeeded", session)
    webhook(completed)
    webhook(again)
    assert Payment.objects.count() == 1
    assert fundraiser_figures(fundraiser).raised == 2500


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_event_count_it_once(
    give, fundraiser, stripe_standin, settings
):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    _r, session = give(fundraiser)
    [event] = stripe_standin.complete(session)
    body, headers = stripe_standin.signed(event)
    barrier = threading.Barrier(2)
    answers = []

    def deliver():
        try:
            barrier.wait(5)
            response = Client().post(
                "/donations/webhooks/stripe/",
                data=body,
                content_type="application/json",
                headers=headers,
            )
            answers.append((response.status_code, response.content))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(answers) == [(200, b"duplicate"), (200, b"processed")]
    figures = fundraiser_figures(fundraiser)
    assert (figures.raised, figures.donors) == (2500, 1)
    assert Payment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_different_events_for_one_payment_count_it_once(
    give, fundraiser, stripe_standin, settings
):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    _r, session = give(fundraiser)
    [completed] = stripe_standin.complete(session)
    succeeded = stripe_standin.event("checkout.session.async_payment_succeeded", session)
    barrier = threading.Barrier(2)
    answers = []

    def deliver(event):
        try:
            body, headers = stripe_standin.signed(event)
            barrier.wait(5)
            response = Client().post(
                "/donations/webhooks/stripe/",
                data=body,
                content_type="application/json",
                headers=headers,
            )
            answers.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(e,)) for e in (completed, succeeded)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == [200, 200]
    assert Payment.objects.count() == 1
    assert fundraiser_figures(fundraiser).raised == 2500


def test_a_refund_takes_the_gift_out_of_the_total_and_the_donor_count(
    give, webhook, fundraiser, stripe_standin
):
    _r, session = give(fundraiser, amount_choice="5000")
    webhook(stripe_standin.complete(session)[0])
    partial = stripe_standin.charge_refunded(
        payment_intent=session["payment_intent"], amount=5000, refunded=2000
    )
    webhook(stripe_standin.event("charge.refunded", partial))
    figures = fundraiser_figures(fundraiser)
    assert (figures.raised, figures.donors) == (3000, 1)
    # The same refund reported again does not take it out twice.
    webhook(stripe_standin.event("charge.refunded", partial))
    assert fundraiser_figures(fundraiser).raised == 3000
    full = stripe_standin.charge_refunded(
        payment_intent=session["payment_intent"], amount=5000, refunded=5000
    )
    webhook(stripe_standin.event("charge.refunded", full))
    figures = fundraiser_figures(fundraiser)
    assert (figures.raised, figures.donors) == (0, 0)
    assert fundraiser.months.get().online_amount == 0
    assert Donation.objects.get().status == Donation.Status.REFUNDED


def test_a_refund_that_overtakes_its_payment_waits_for_it(
    give, webhook, fundraiser, stripe_standin
):
    _r, session = give(fundraiser, amount_choice="5000")
    [completed] = stripe_standin.complete(session)
    refund = stripe_standin.charge_refunded(
        payment_intent=session["payment_intent"], amount=5000, refunded=1000
    )
    response = webhook(stripe_standin.event("charge.refunded", refund))
    assert (response.status_code, response.content) == (200, b"deferred")
    assert fundraiser_figures(fundraiser).raised == 0
    webhook(completed)
    assert fundraiser_figures(fundraiser).raised == 4000
    assert WebhookEvent.objects.filter(status="deferred").count() == 0


def test_an_event_older_than_the_status_it_would_undo_changes_nothing(
    give, webhook, fundraiser, stripe_standin
):
    _r, session = give(fundraiser, frequency="monthly")
    completed, invoice_paid = stripe_standin.complete(session)
    now = int(time.time())
    webhook(completed)
    webhook(invoice_paid)
    deleted = stripe_standin.event(
        "customer.subscription.deleted",
        stripe_standin.subscription(session, "canceled"),
        created=now + 60,
    )
    late_update = stripe_standin.event(
        "customer.subscription.updated",
        stripe_standin.subscription(session, "active"),
        created=now + 30,
    )
    webhook(deleted)
    webhook(late_update)
    assert Donation.objects.get().status == Donation.Status.CANCELLED
    figures = fundraiser_figures(fundraiser)
    assert (figures.monthly_donors, figures.raised) == (0, 2500)


def test_an_invoice_that_arrives_before_its_checkout_still_finds_its_donation(
    give, webhook, fundraiser, stripe_standin
):
    _r, session = give(fundraiser, frequency="monthly")
    completed, invoice_paid = stripe_standin.complete(session)
    webhook(invoice_paid)
    webhook(completed)
    donation = Donation.objects.get()
    assert donation.status == Donation.Status.ACTIVE
    assert donation.subscription_reference == session["subscription"]
    figures = fundraiser_figures(fundraiser)
    assert (figures.raised, figures.monthly_donors, figures.monthly_amount) == (2500, 1, 2500)


def test_monthly_gift_counts_every_month_paid_and_the_receipt_links_to_the_portal(
    give, webhook, fundraiser, stripe_standin, smtp_sink, client
):
    _r, session = give(fundraiser, frequency="monthly", amount_choice="1000")
    assert session["mode"] == "subscription"
    assert session["_recurring"] == {"interval": "month"}
    for event in stripe_standin.complete(session):
        webhook(event)
    webhook(stripe_standin.event("invoice.paid", stripe_standin.invoice(session)))
    figures = fundraiser_figures(fundraiser)
    assert (figures.raised, figures.donors, figures.monthly_donors) == (2000, 1, 1)
    assert len(smtp_sink.messages) == 2
    body = smtp_sink.messages[0]["message"].get_content()
    assert "Amount: 10\u00a0EUR (monthly)" in body
    link = next(line for line in body.splitlines() if "/donations/manage/" in line)
    assert "ana@example.org" not in link
    path = link.split("//", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert "Manage my monthly gift" in page.content.decode()
    response = client.post("/" + path)
    assert response.status_code == 303
    assert response["Location"].startswith(stripe_standin.url + "/p/session/")
    [portal] = [r for r in stripe_standin.requests if r[1] == "/v1/billing_portal/sessions"]
    assert portal[2]["customer"] == session["customer"]


def test_a_failed_monthly_payment_takes_the_donor_out_of_the_monthly_figures(
    give, webhook, fundraiser, stripe_standin
):
    _r, session = give(fundraiser, frequency="monthly", amount_choice="1000")
    for event in stripe_standin.complete(session):
        webhook(event)
    failed = stripe_standin.invoice(session, paid=False)
    response = webhook(stripe_standin.event("invoice.payment_failed", failed))
    assert response.status_code == 200
    donation = Donation.objects.get()
    assert donation.status == Donation.Status.PAST_DUE
    figures = fundraiser_figures(fundraiser)
    assert (figures.raised, figures.monthly_donors, figures.monthly_amount) == (1000, 0, 0)
    # The retried payment succeeds: the donor is back.
    webhook(stripe_standin.event("invoice.paid", stripe_standin.invoice(session)))
    figures = fundraiser_figures(fundraiser)
    assert (figures.raised, figures.monthly_donors, figures.monthly_amount) == (2000, 1, 1000)


def test_a_refunded_monthly_payment_is_found_through_its_invoice(
    give, webhook, fundraiser, stripe_standin
):
    _r, session = give(fundraiser, frequency="monthly", amount_choice="1000")
    completed, invoice_paid = stripe_standin.complete(session)
    webhook(completed)
    webhook(invoice_paid)
    # The invoice event does not name its payment; Stripe's invoice payments list does.
    invoice = stripe_standin.invoices[invoice_paid["data"]["object"]["id"]]
    payment_intent = invoice["_payment_intent"]
    refund = stripe_standin.charge_refunded(
        payment_intent=payment_intent, amount=1000, refunded=1000
    )
    webhook(stripe_standin.event("charge.refunded", refund))
    assert fundraiser_figures(fundraiser).raised == 0


def test_an_abandoned_checkout_is_marked_and_counts_nothing(
    give, webhook, fundraiser, stripe_standin
):
    _r, session = give(fundraiser)
    webhook(stripe_standin.event("checkout.session.expired", session))
    assert Donation.objects.get().status == Donation.Status.EXPIRED
    assert fundraiser_figures(fundraiser).raised == 0


def test_an_event_we_do_not_use_is_acknowledged(webhook, stripe_standin):
    response = webhook(
        stripe_standin.event("customer.created", {"id": "cus_1", "object": "customer"})
    )
    assert (response.status_code, response.content) == (200, b"ignored")


def test_when_stripe_cannot_be_asked_the_event_is_refused_for_a_retry(
    give, webhook, fundraiser, stripe_standin
):
    _r, session = give(fundraiser, frequency="monthly")
    completed, invoice_paid = stripe_standin.complete(session)
    webhook(completed)
    stripe_standin.fail_with = 400
    response = webhook(invoice_paid)
    assert response.status_code == 503
    assert WebhookEvent.objects.filter(kind="invoice.paid").count() == 0
    # Stripe sends it again later; this time it is applied.
    assert webhook(invoice_paid).content == b"processed"
    assert fundraiser_figures(fundraiser).raised == 2500


def test_a_fault_on_our_side_answers_500_so_stripe_retries_and_the_retry_counts(
    give, webhook, fundraiser, stripe_standin, monkeypatch
):
    from convoca.donations import services

    _r, session = give(fundraiser)
    [event] = stripe_standin.complete(session)
    real = services._payment_recount

    def broken(payment):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_payment_recount", broken)
    assert webhook(event).status_code == 500
    assert WebhookEvent.objects.count() == 0
    assert Payment.objects.count() == 0
    monkeypatch.setattr(services, "_payment_recount", real)
    assert webhook(event).status_code == 200
    assert fundraiser_figures(fundraiser).raised == 2500


def test_events_long_past_any_retry_are_forgotten_but_waiting_ones_stay(
    give, webhook, fundraiser, stripe_standin
):
    from datetime import timedelta

    from django.utils import timezone

    from convoca.donations.tasks import webhook_event_purge_task

    _r, session = give(fundraiser)
    [completed] = stripe_standin.complete(session)
    webhook(completed)
    refund = stripe_standin.charge_refunded(payment_intent="pi_unknown", amount=100, refunded=100)
    webhook(stripe_standin.event("charge.refunded", refund))
    WebhookEvent.objects.update(received_at=timezone.now() - timedelta(days=91))
    assert webhook_event_purge_task.call() == 1
    assert list(WebhookEvent.objects.values_list("status", flat=True)) == ["deferred"]
    assert fundraiser_figures(fundraiser).raised == 2500
