"""Every write to the contact inbox: a message arrives, is assigned, answered, closed, purged."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from convoca.inbox.models import ContactMessage, ThreadEntry
from convoca.people.models import Activity
from convoca.people.services import PersonData, activity_record, person_upsert

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ContactData:
    """What the contact form says."""

    name: str
    email: str
    subject: str
    body: str
    language: str


def contact_message_create(*, data: ContactData, organisation=None) -> ContactMessage:
    """Store a contact message, then (after commit) acknowledge it by email.

    The message is committed before any email is attempted, and a failing
    enqueue or mail server cannot undo it: the acknowledgement task is
    retried by ``contact_message_acknowledge_pending`` until it goes out.
    """
    from convoca.inbox.tasks import contact_message_acknowledge_task

    with transaction.atomic():
        person = person_upsert(
            data=PersonData(email=data.email, given_name=data.name, language=data.language)
        ).person
        message = ContactMessage.objects.create(
            person=person,
            organisation=organisation,
            name=data.name.strip(),
            subject=data.subject,
            body=data.body.strip(),
            language=data.language,
        )
        activity_record(
            person=person,
            kind=Activity.Kind.WROTE,
            organisation=organisation,
            summary=message.get_subject_display(),
            subject=message,
        )
    transaction.on_commit(
        partial(contact_message_acknowledge_task.enqueue, message_id=str(message.pk)), robust=True
    )
    return message


def contact_message_acknowledge(*, message_id: str) -> bool:
    """Send the acknowledgement of one message unless it went out already; True if sent now.

    A mail server error is logged (by id, never by address) and leaves the
    message unacknowledged for the next retry; it never raises.
    """
    from convoca.core.mail import email_send

    message = (
        ContactMessage.objects.select_related("person")
        .filter(pk=message_id, acknowledged_at__isnull=True, erased_at__isnull=True)
        .first()
    )
    if message is None or not message.email:
        return False
    try:
        email_send(
            to=message.email,
            template="inbox/email/acknowledgement",
            context={"message": message},
            language=message.language,
            headers=_reply_to(),
        )
    except Exception:
        logger.warning("contact acknowledgement not sent", extra={"message_id": str(message.pk)})
        return False
    ContactMessage.objects.filter(pk=message.pk).update(acknowledged_at=timezone.now())
    return True


def contact_message_acknowledge_pending(*, now=None) -> int:
    """Retry the acknowledgements that failed, for messages of the last three days."""
    now = now or timezone.now()
    ids = ContactMessage.objects.filter(
        acknowledged_at__isnull=True,
        erased_at__isnull=True,
        created_at__gte=now - timedelta(days=3),
        created_at__lte=now - timedelta(minutes=1),
    ).values_list("pk", flat=True)
    return sum(contact_message_acknowledge(message_id=str(pk)) for pk in list(ids))


def _reply_to() -> dict:
    return {"Reply-To": settings.CONVOCA_INBOX_REPLY_TO} if settings.CONVOCA_INBOX_REPLY_TO else {}


def contact_message_assign(*, message: ContactMessage, assignee, by=None) -> None:
    """Give the message to a staff member (or to nobody); a new message becomes assigned.

    The assignee is emailed a link to it, unless they assigned it to themself.
    """
    from convoca.inbox.tasks import contact_message_assigned_email_task

    message.assignee = assignee
    fields = ["assignee", "updated_at"]
    if assignee is not None and message.status == ContactMessage.Status.NEW:
        message.status = ContactMessage.Status.ASSIGNED
        fields.append("status")
    message.save(update_fields=fields)
    if assignee is not None and assignee != by:
        transaction.on_commit(
            partial(
                contact_message_assigned_email_task.enqueue,
                message_id=str(message.pk),
                assignee_id=assignee.pk,
            ),
            robust=True,
        )


def contact_message_status_set(*, message: ContactMessage, status: str) -> None:
    """Move the message to a status; closing starts the retention period."""
    message.status = status
    message.closed_at = timezone.now() if status == ContactMessage.Status.CLOSED else None
    message.save(update_fields=["status", "closed_at", "updated_at"])


def contact_message_reply(*, message: ContactMessage, author, body: str) -> ThreadEntry:
    """Email a reply to the sender and keep it in the thread; the message becomes answered."""
    from convoca.inbox.tasks import thread_entry_send_task

    with transaction.atomic():
        entry = ThreadEntry.objects.create(
            message=message, kind=ThreadEntry.Kind.REPLY, author=author, body=body.strip()
        )
        if message.status != ContactMessage.Status.CLOSED:
            message.status = ContactMessage.Status.ANSWERED
            message.save(update_fields=["status", "updated_at"])
    transaction.on_commit(
        partial(thread_entry_send_task.enqueue, entry_id=str(entry.pk)), robust=True
    )
    return entry


def thread_entry_send(*, entry_id: str) -> bool:
    """Send one reply unless it went out already; a mail error leaves it to retry."""
    from convoca.core.mail import email_send

    entry = (
        ThreadEntry.objects.select_related("message__person")
        .filter(pk=entry_id, kind=ThreadEntry.Kind.REPLY, sent_at__isnull=True)
        .first()
    )
    if entry is None or entry.message.erased_at or not entry.message.email:
        return False
    message = entry.message
    try:
        email_send(
            to=message.email,
            template="inbox/email/reply",
            context={"message": message, "reply": entry.body},
            language=message.language,
            headers=_reply_to(),
        )
    except Exception:
        logger.warning("contact reply not sent", extra={"entry_id": str(entry.pk)})
        return False
    ThreadEntry.objects.filter(pk=entry.pk).update(sent_at=timezone.now())
    return True


def thread_entry_send_pending(*, now=None) -> int:
    """Retry the replies that failed to go out in the last three days."""
    now = now or timezone.now()
    ids = ThreadEntry.objects.filter(
        kind=ThreadEntry.Kind.REPLY,
        sent_at__isnull=True,
        message__erased_at__isnull=True,
        created_at__gte=now - timedelta(days=3),
        created_at__lte=now - timedelta(minutes=1),
    ).values_list("pk", flat=True)
    return sum(thread_entry_send(entry_id=str(pk)) for pk in list(ids))


def contact_message_note_add(*, message: ContactMessage, author, body: str) -> ThreadEntry:
    """Add a note for staff to the thread; nobody is emailed."""
    return ThreadEntry.objects.create(
        message=message, kind=ThreadEntry.Kind.NOTE, author=author, body=body.strip()
    )


def contact_message_erase(*, message: ContactMessage) -> None:
    """Remove the message's personal data for good: name, text, thread, link to the sender."""
    with transaction.atomic():
        ThreadEntry.objects.filter(message=message).delete()
        message.name = ""
        message.body = ""
        message.person = None
        message.erased_at = timezone.now()
        message.save(update_fields=["name", "body", "person", "erased_at", "updated_at"])


def contact_message_purge_closed(*, now=None) -> int:
    """Erase the personal data of messages closed longer ago than the retention period."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CONVOCA_INBOX_RETENTION_DAYS)
    ids = list(
        ContactMessage.objects.filter(
            status=ContactMessage.Status.CLOSED, closed_at__lt=cutoff, erased_at__isnull=True
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        contact_message_erase(message=ContactMessage.objects.get(pk=pk))
    return len(ids)
