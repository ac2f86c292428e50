"""Every write to the contact inbox: a message arrives, is assigned, answered, closed, purged."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from convoca.core.mail import absolute_url
from convoca.core.outbox import outbox_email_enqueue, outbox_emails_erase, outbox_key
from convoca.inbox.models import ACKNOWLEDGEMENT, REPLY, ContactMessage, ThreadEntry
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
    """Store a contact message and its acknowledgement email, in one transaction.

    The email is an outbox row: a failing mail server never loses the
    message nor fails the visitor's request, and the outbox retries.
    """
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
        outbox_email_enqueue(
            kind=ACKNOWLEDGEMENT,
            to=person.email,
            template="inbox/email/acknowledgement",
            context={"message": message},
            language=message.language,
            headers=_reply_to(),
            person_id=person.pk,
            dedupe_key=outbox_key(ACKNOWLEDGEMENT, message.pk),
        )
    return message


def _reply_to() -> dict:
    return {"Reply-To": settings.CONVOCA_INBOX_REPLY_TO} if settings.CONVOCA_INBOX_REPLY_TO else {}


def contact_message_assign(*, message: ContactMessage, assignee, by=None) -> None:
    """Give the message to a staff member (or to nobody); a new message becomes assigned.

    The assignee is emailed a link to it (no personal data), unless they
    assigned it to themself.
    """
    message.assignee = assignee
    fields = ["assignee", "updated_at"]
    if assignee is not None and message.status == ContactMessage.Status.NEW:
        message.status = ContactMessage.Status.ASSIGNED
        fields.append("status")
    with transaction.atomic():
        message.save(update_fields=fields)
        if assignee is not None and assignee != by and assignee.is_active and assignee.email:
            # Staff have no language of their own: the site's default language.
            with translation.override(settings.LANGUAGE_CODE):
                link = absolute_url(reverse("admin:inbox_contactmessage_change", args=[message.pk]))
            outbox_email_enqueue(
                kind="inbox.assigned",
                to=assignee.email,
                template="inbox/email/assigned",
                context={"message": message, "link": link},
                language=settings.LANGUAGE_CODE,
            )


def contact_message_status_set(*, message: ContactMessage, status: str) -> None:
    """Move the message to a status; closing starts the retention period."""
    message.status = status
    message.closed_at = timezone.now() if status == ContactMessage.Status.CLOSED else None
    message.save(update_fields=["status", "closed_at", "updated_at"])


def contact_message_reply(*, message: ContactMessage, author, body: str) -> ThreadEntry:
    """Email a reply to the sender and keep it in the thread; the message becomes answered.

    The email is an outbox row written with the reply.
    """
    with transaction.atomic():
        entry = ThreadEntry.objects.create(
            message=message, kind=ThreadEntry.Kind.REPLY, author=author, body=body.strip()
        )
        if message.status != ContactMessage.Status.CLOSED:
            message.status = ContactMessage.Status.ANSWERED
            message.save(update_fields=["status", "updated_at"])
        if message.erased_at is None and message.email:
            outbox_email_enqueue(
                kind=REPLY,
                to=message.email,
                template="inbox/email/reply",
                context={"message": message, "reply": entry.body},
                language=message.language,
                headers=_reply_to(),
                person_id=message.person_id,
                dedupe_key=outbox_key(REPLY, entry.pk),
            )
    return entry


def contact_message_note_add(*, message: ContactMessage, author, body: str) -> ThreadEntry:
    """Add a note for staff to the thread; nobody is emailed."""
    return ThreadEntry.objects.create(
        message=message, kind=ThreadEntry.Kind.NOTE, author=author, body=body.strip()
    )


def contact_message_erase(*, message: ContactMessage) -> None:
    """Remove the message's personal data for good: name, text, thread, link to the sender."""
    with transaction.atomic():
        entries = ThreadEntry.objects.filter(message=message)
        outbox_emails_erase(
            keys=[
                outbox_key(ACKNOWLEDGEMENT, message.pk),
                *(outbox_key(REPLY, pk) for pk in entries.values_list("pk", flat=True)),
            ]
        )
        entries.delete()
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
