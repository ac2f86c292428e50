"""Background work for donations. Every task may run twice without doing anything twice."""

from crontask import cron
from django.tasks import task

from convoca.donations.services import provider_events_reconcile, webhook_event_purge


@cron("17 4 * * *")
@task
def webhook_event_purge_task() -> int:
    """Every night: forget provider events long past any retry of them."""
    return webhook_event_purge()


@cron("41 4 * * *")
@task
def provider_events_reconcile_task() -> dict:
    """Every night: apply any payment event whose webhook never arrived (one write path)."""
    return provider_events_reconcile()
