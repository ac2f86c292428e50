"""Background work for the inbox. Every task is safe to run twice."""

from crontask import cron
from django.conf import settings
from django.contrib.auth import get_user_model
from django.tasks import task
from django.urls import reverse

from convoca.core.mail import absolute_url, email_send
from convoca.inbox.models import ContactMessage
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


@task
def contact_message_assigned_email_task(*, message_id: str, assignee_id: int) -> bool:
    """Tell a staff member a message was given to them: a link, no personal data."""
    message = ContactMessage.objects.filter(pk=message_id, assignee_id=assignee_id).first()
    assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
    if message is None or assignee is None or not assignee.email:
        return False
    email_send(
        to=assignee.email,
        template="inbox/email/assigned",
        context={
            "message": message,
            "link": absolute_url(reverse("admin:inbox_contactmessage_change", args=[message.pk])),
        },
        language=settings.LANGUAGE_CODE,
    )
    return True


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
