"""Background work for the inbox. Every task is safe to run twice."""

from crontask import cron
from django.tasks import task

from convoca.inbox.services import (
    contact_message_acknowledge,
    contact_message_acknowledge_pending,
    contact_message_purge_closed,
    thread_entry_send,
    thread_entry_send_pending,
)


@task
def contact_message_acknowledge_task(*, message_id: str) -> bool:
    """Acknowledge one message to its sender, unless that was done already."""
    return contact_message_acknowledge(message_id=message_id)


@task
def thread_entry_send_task(*, entry_id: str) -> bool:
    """Email one reply from the inbox, unless it went out already."""
    return thread_entry_send(entry_id=entry_id)


@cron("*/10 * * * *")
@task
def inbox_email_retry_task() -> int:
    """Every ten minutes: send the acknowledgements and replies a mail error held back."""
    return contact_message_acknowledge_pending() + thread_entry_send_pending()


@cron("29 3 * * *")
@task
def contact_message_purge_closed_task() -> int:
    """Every night: closed messages past the retention period lose their personal data."""
    return contact_message_purge_closed()
