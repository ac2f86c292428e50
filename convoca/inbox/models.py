"""Messages written to the organisers through the contact form, and their threads."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from convoca.core.fields import EncryptedTextField
from convoca.core.models import TimeStampedModel
from convoca.core.outbox import outbox_key, outbox_sent_times
from convoca.core.translatable import LanguageField

#: The outbox kinds (and dedupe-key prefixes) of the inbox's emails.
ACKNOWLEDGEMENT = "inbox.acknowledgement"
REPLY = "inbox.reply"


class ContactMessage(TimeStampedModel):
    """One message sent through the contact form, and where it stands.

    Stored before anything else happens, so a failing mail server never
    loses it; the acknowledgement email is written to the outbox with it
    (``acknowledged_at`` reads when it went out). The sender is a supporter
    (``person``); the name they typed and the message are encrypted here.
    Closed messages lose their personal data after the retention period
    (``erased_at``), keeping only their subject type and dates.
    """

    class Subject(models.TextChoices):
        GENERAL = "general", _("general question")
        PRESS = "press", _("press")
        MEETING = "meeting", _("joining a meeting")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ASSIGNED = "assigned", _("assigned")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("sender"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_messages",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        help_text=_("Empty: written to the whole coalition."),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_messages",
    )
    name = EncryptedTextField(_("name"), blank=True, one_line=True)
    subject = models.CharField(
        _("subject"), max_length=16, choices=Subject.choices, default=Subject.GENERAL
    )
    body = EncryptedTextField(_("message"), blank=True)
    language = LanguageField(_("language"), default="en")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_contact_messages",
        limit_choices_to={"is_staff": True, "is_active": True},
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="%(app_label)s_%(class)s_closed_has_date",
                violation_error_message=_("A closed message records when it was closed."),
            )
        ]

    def __str__(self):
        # No personal data: this text lands in admin history and titles.
        return _("%(subject)s message of %(date)s") % {
            "subject": self.get_subject_display(),
            "date": f"{self.created_at:%Y-%m-%d}" if self.created_at else "—",
        }

    @property
    def email(self) -> str:
        """The sender's address, from their Person (empty once erased)."""
        if self.person is None or self.person.erased_at:
            return ""
        return self.person.email

    @property
    def acknowledged_at(self):
        """When the acknowledgement email was handed to the mail server, if it was."""
        return outbox_sent_times([outbox_key(ACKNOWLEDGEMENT, self.pk)]).get(
            outbox_key(ACKNOWLEDGEMENT, self.pk)
        )


class ThreadEntry(TimeStampedModel):
    """A reply emailed to the sender, or a note for staff only, in a message's thread.

    A reply's email is written to the outbox with it (``sent_at`` reads when
    it went out). A note is never sent to anyone.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", _("reply to the sender")
        NOTE = "note", _("note for staff only")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(
        ContactMessage,
        verbose_name=_("contact message"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    body = EncryptedTextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("thread entry")
        verbose_name_plural = _("thread")
        ordering = ["created_at"]

    def __str__(self):
        return self.get_kind_display()

    @property
    def sent_at(self):
        """When a reply's email was handed to the mail server, if it was (a note: never)."""
        key = outbox_key(REPLY, self.pk)
        return outbox_sent_times([key]).get(key)
