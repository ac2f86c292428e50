"""API keys, the custom fields organisations keep through the API, and outgoing webhooks."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convoca.core.fields import EncryptedTextField, OneLineCharField


class ApiKey(models.Model):
    """A key a program uses to call the API for one organisation (a coordinator's: the coalition).

    The key itself is shown once, when it is made; only its SHA-256 is kept
    (a random 256-bit key needs no slow hash) with its first characters, so
    staff can tell keys apart. A revoked key is refused from the next
    request on. ``last_used_at`` is stamped at most once a minute.
    """

    name = OneLineCharField(
        _("name"), max_length=100, help_text=_("What uses it, e.g. “CRM sync”.")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_keys",
        help_text=_("Leave empty (coordinators only) for a key that sees the whole coalition."),
    )
    prefix = models.CharField(_("starts with"), max_length=12, editable=False, unique=True)
    key_hash = models.CharField(max_length=64, editable=False, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CustomFields(models.Model):
    """What one organisation keeps about one person in its own fields (OSDI ``custom_fields``).

    A JSON object of short texts, encrypted like the rest of a person's
    data; each organisation sees and writes only its own.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    values = EncryptedTextField(_("values"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("custom fields")
        verbose_name_plural = _("custom fields")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"],
                condition=models.Q(organisation__isnull=False),
                name="%(app_label)s_%(class)s_one_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(organisation__isnull=True),
                name="%(app_label)s_%(class)s_one_for_the_coalition",
            ),
        ]

    def __str__(self):
        return str(_("custom fields %(ref)s")) % {"ref": str(self.pk)[:8]}


class WebhookEndpoint(models.Model):
    """An address an organisation wants told about new signatures, attendances, gifts, sign-ups.

    Convoca posts OSDI-shaped JSON there, signed with ``secret``
    (HMAC-SHA256 of the timestamp and the body; docs/api.md). Addresses
    that resolve to private, loopback or link-local addresses are refused.
    Events are collected from ``collected_until`` on: an endpoint hears of
    what happens after it is added, not of the past.
    """

    class Event(models.TextChoices):
        SIGNATURE = "signature", _("new signatures (once confirmed)")
        ATTENDANCE = "attendance", _("new event registrations")
        DONATION = "donation", _("new payments of donations")
        SUBSCRIPTION = "subscription", _("new subscriptions to mailing lists")
        UNSUBSCRIPTION = "unsubscription", _("unsubscriptions")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        help_text=_("Leave empty (coordinators only) to hear of the whole coalition."),
    )
    url = models.URLField(_("address"), max_length=500)
    secret = EncryptedTextField(_("signing secret"), editable=False)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    collected_until = models.DateTimeField(default=timezone.now, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-created_at"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: posted until the receiver answers 2xx, then never again.

    The row names the event (``event_key``, unique per endpoint) and the
    body is made when it is posted, so no personal data waits here and an
    erased person's data is never sent. Retried with the outbox's backoff
    and jitter for ``OUTBOX_RETRY_HOURS``, then given up.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        RETRYING = "retrying", _("retrying")
        CLAIMED = "claimed", _("being posted")
        DELIVERED = "delivered", _("delivered")
        GIVEN_UP = "given_up", _("given up")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("webhook"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("event"), max_length=16, choices=WebhookEndpoint.Event.choices)
    event_key = models.CharField(_("about"), max_length=80)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.WAITING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=100, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_key"],
                name="%(app_label)s_%(class)s_once_per_endpoint",
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="api_webhook_due")]

    def __str__(self):
        return f"{self.event_key} ({self.get_status_display()})"
