"""What every app shares: a time-stamped base, the record of data keys, the outbox."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convoca.core.fields import EncryptedTextField


class TimeStampedModel(models.Model):
    """A row that knows when it was created and last changed."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class DataKey(models.Model):
    """A data-encryption key this database has data under, by fingerprint only.

    The key itself never enters the database. The fingerprint lets Convoca
    refuse to start with a key file that cannot read the data (see
    ``crypto.keyring_verify``). A retired key stays as a row with
    ``retired_at``: no stored value uses it any more, it may be missing from
    the key file, and its version is never used again.
    """

    version = models.PositiveIntegerField(_("version"), primary_key=True)
    key_id = models.CharField(_("fingerprint"), max_length=32)
    created_at = models.DateTimeField(_("first used"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")

    def __str__(self):
        return f"v{self.version} ({self.key_id})"


class AuditEntry(models.Model):
    """Something a staff member did that touches many people's data: an export, an activation.

    Kept so that a coordinator can answer "who took this list, and when".
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verb = models.CharField(_("what"), max_length=64)
    target = models.CharField(_("on what"), max_length=300, blank=True)
    count = models.PositiveIntegerField(_("rows"), default=0)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.verb} {self.target}"


class OutboxEmail(models.Model):
    """One email to send, written in the transaction of the change that causes it.

    Rendered when it is written, in the recipient's language, so the worker
    that sends it needs no domain code. The address and the message (which
    names people) are encrypted at rest. A worker claims due rows, sends
    each exactly once (see ``core.sending``), retries temporary failures
    with backoff and gives up on permanent ones. ``dedupe_key`` makes "at
    most once per thing" a database rule.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        RETRYING = "retrying", _("retrying")
        CLAIMED = "claimed", _("being sent")
        SENDING = "sending", _("handed over, reply not recorded")
        SENT = "sent", _("sent")
        GIVEN_UP = "given_up", _("given up")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.WAITING
    )
    to = EncryptedTextField(_("recipient"))
    #: JSON of the rendered message: subject, body, headers, attachments.
    message = EncryptedTextField(_("message"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    person_id = models.CharField(_("person"), max_length=36, blank=True, db_index=True)
    dedupe_key = models.CharField(
        _("sent once for"), max_length=200, null=True, blank=True, unique=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    #: Not worth sending after this (a reminder once the event has started).
    expires_at = models.DateTimeField(_("not after"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=100, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="core_outbox_due"),
        ]

    def __str__(self):
        return f"{self.kind} ({self.get_status_display()})"
