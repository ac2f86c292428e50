"""Background work for events. Every task may run twice without doing anything twice."""

from crontask import cron
from django.tasks import task

from convoca.events.services import reminders_due, series_sync_all


@cron("* * * * *")
@task
def reminders_send_task() -> int:
    """Every minute: write the reminders that fell due to the outbox, each once."""
    return reminders_due()


@cron("17 4 * * *")
@task
def series_occurrences_sync_task() -> int:
    """Every night: extend every published series' occurrences to a year ahead."""
    return series_sync_all()
