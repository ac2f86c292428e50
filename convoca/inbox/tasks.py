"""Background work for the inbox. Every task is safe to run twice."""

from crontask import cron
from django.tasks import task

from convoca.inbox.services import contact_message_purge_closed


@cron("29 3 * * *")
@task
def contact_message_purge_closed_task() -> int:
    """Every night: closed messages past the retention period lose their personal data."""
    return contact_message_purge_closed()
