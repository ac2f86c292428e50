"""Background work every app shares: delivering the outbox. Safe to run twice and at once."""

from crontask import cron
from django.conf import settings
from django.tasks import task

from convoca.core.outbox import outbox_deliver, outbox_purge_old, outbox_release_stale


@cron("* * * * *")
@task
def outbox_deliver_task() -> int:
    """Send the emails that are due (asked for after each write, and every minute anyway)."""
    outbox_release_stale()
    result = outbox_deliver()
    if result.done >= settings.OUTBOX_BATCH_SIZE and not result.stopped:
        outbox_deliver_task.enqueue()  # more are waiting: the next batch in its own task
    return result.sent


@cron("47 3 * * *")
@task
def outbox_purge_old_task() -> int:
    """Every night: old emails lose their address and text (personal data kept no longer)."""
    return outbox_purge_old()
