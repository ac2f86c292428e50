"""The daily reconciliation: an event whose webhook never came is applied within a day, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from convoca.core.models import OutboxEmail
from convoca.donations.models import Donation, ProviderSync, WebhookEvent
from convoca.donations.providers import ProviderError
from convoca.donations.selectors import fundraiser_figures
from convoca.donations.services import provider_events_reconcile
from convoca.donations.tasks import provider_events_reconcile_task

pytestmark = pytest.mark.django_db


def test_a_payment_whose_webhook_never_arrived_is_counted_by_the_reconciliation(
    give, webhook, fundraiser, stripe_standin, django_capture_on_commit_callbacks
):
    _r, session = give(fundraiser)
    [event] = stripe_standin.complete(session)  # paid; the webhook is lost on the way
    assert fundraiser_figures(fundraiser).raised == 0

    with django_capture_on_commit_callbacks(execute=True):
        report = provider_events_reconcile_task.call()

    assert report == {"stripe": {"processed": 1}}
    figures = fundraiser_figures(fundraiser)
    assert (figures.raised, figures.donors) == (2500, 1)
    assert Donation.objects.get().status == Donation.Status.PAID
    assert OutboxEmail.objects.filter(kind="donations.receipt").count() == 1
    # The webhook arrives after all, and the next run reads the event again: once.
    assert webhook(event).content == b"duplicate"
    assert provider_events_reconcile() == {"stripe": {"duplicate": 1}}
    assert fundraiser_figures(fundraiser).raised == 2500
    assert OutboxEmail.objects.filter(kind="donations.receipt").count() == 1


def test_a_monthly_gift_and_its_refund_missed_by_the_webhook_are_applied_in_order(
    give, fundraiser, stripe_standin
):
    _r, session = give(fundraiser, frequency="monthly")
    stripe_standin.complete(session)  # checkout.session.completed, invoice.paid
    invoice = next(iter(stripe_standin.invoices.values()))
    stripe_standin.event(
        "charge.refunded",
        stripe_standin.charge_refunded(
            payment_intent=invoice["_payment_intent"], amount=2500, refunded=1000
        ),
    )

    assert provider_events_reconcile() == {"stripe": {"processed": 3}}

    donation = Donation.objects.get()
    assert donation.status == Donation.Status.ACTIVE
    assert fundraiser_figures(fundraiser).raised == 1500


def _event_lists(standin) -> list[dict]:
    """The query parameters of every ``GET /v1/events`` the library sent."""
    return [params for _method, path, params in standin.requests if path.startswith("/v1/events")]


def test_each_run_lists_only_events_since_the_newest_one_the_last_run_saw(
    give, fundraiser, stripe_standin
):
    old = stripe_standin.event("checkout.session.expired", {"id": "cs_old", "metadata": {}})
    old["created"] -= 10 * 86400  # before the first run's window (3 days)
    _r, session = give(fundraiser)
    [event] = stripe_standin.complete(session)

    assert provider_events_reconcile() == {"stripe": {"processed": 1}}
    sync = ProviderSync.objects.get(provider="stripe")
    assert (sync.last_event_id, int(sync.events_until.timestamp())) == (
        event["id"],
        event["created"],
    )
    first_since = int(_event_lists(stripe_standin)[0]["created[gte]"])
    assert abs(first_since - (timezone.now() - timedelta(days=3)).timestamp()) < 60
    assert "charge.refunded" in _event_lists(stripe_standin)[0].values()

    provider_events_reconcile()
    assert int(_event_lists(stripe_standin)[-1]["created[gte]"]) == event["created"]
    assert not WebhookEvent.objects.filter(event_id=old["id"]).exists()


def test_when_stripe_cannot_be_reached_nothing_changes_and_the_next_run_catches_up(
    give, fundraiser, stripe_standin
):
    _r, session = give(fundraiser)
    stripe_standin.complete(session)
    stripe_standin.down = True
    with pytest.raises(ProviderError):
        provider_events_reconcile()
    assert fundraiser_figures(fundraiser).raised == 0
    assert ProviderSync.objects.get().events_until is None

    stripe_standin.down = False
    assert provider_events_reconcile() == {"stripe": {"processed": 1}}
    assert fundraiser_figures(fundraiser).raised == 2500


def test_without_stripe_keys_there_is_nothing_to_reconcile(settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    assert provider_events_reconcile() == {}
    assert not ProviderSync.objects.exists()


def test_the_reconciliation_is_scheduled_daily():
    from crontask import scheduler

    jobs = {job.name: job for job in scheduler.get_jobs()}
    job = next(j for name, j in jobs.items() if "provider_events_reconcile_task" in name)
    assert str(job.trigger).startswith("cron[")
    assert "day='*'" in str(job.trigger)
