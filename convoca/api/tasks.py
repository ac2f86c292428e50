"""Background work of the API: collecting webhook events and posting them. Safe to run twice."""

from crontask import cron
from django.tasks import task

from convoca.api.services import webhook_deliver, webhook_events_collect


@cron("* * * * *")
@task
def webhook_events_collect_task() -> int:
    """Every minute: make a delivery for each new event of each webhook (once per event)."""
    return webhook_events_collect()


@cron("* * * * *")
@task
def webhook_deliver_task() -> int:
    """Post the webhook deliveries that are due (asked for after collecting, and every minute)."""
    return webhook_deliver().delivered
