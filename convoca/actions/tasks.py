"""Background work for actions. Every task may run twice without doing anything twice."""

from crontask import cron
from django.tasks import task

from convoca.actions.services import signature_intake_process, signature_purge_unconfirmed


@cron("43 3 * * *")
@task
def signature_purge_unconfirmed_task() -> int:
    """Every night: strip what unconfirmed signers added, once the retention period is over."""
    return signature_purge_unconfirmed()


@cron("* * * * *")
@task
def signature_intake_process_task() -> int:
    """Record the signing forms accepted since the last run (and, every minute, any left)."""
    return signature_intake_process()
