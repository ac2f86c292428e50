"""What every app shares: a time-stamped base, and the record of data keys."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    ``crypto.keyring_verify``).
    """

    version = models.PositiveIntegerField(_("version"), primary_key=True)
    key_id = models.CharField(_("fingerprint"), max_length=32)
    created_at = models.DateTimeField(_("first used"), auto_now_add=True)

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
        "coalition.Organisation",
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
