"""Letters to decision-makers: who they go to, how supporters find them, what became of each.

A letter is an action (``actions.Action`` of kind ``targeted``) signed on
the usual path (double opt-in, consents, counts); this app adds the
targets, the district tables that find a supporter's own targets, the
supporter's words and each letter's delivery to each target.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from convoca.core.fields import EncryptedTextField, OneLineCharField
from convoca.core.models import TimeStampedModel
from convoca.core.translatable import (
    LanguageField,
    TranslatableModel,
    TranslationModel,
    version_constraints,
)


class TargetBody(TimeStampedModel):
    """A body whose members supporters write to: a chamber, a parliament, a city council.

    Owned by the organisation that imported it; its members and its
    district table are kept current by re-importing their CSV files.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="target_bodies",
    )
    name = OneLineCharField(_("name"), max_length=200, help_text=_("For example: US House."))
    country = CountryField(_("country"), blank=True)

    class Meta:
        verbose_name = _("body of decision-makers")
        verbose_name_plural = _("bodies of decision-makers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("Your organisation already has a body with this name."),
            )
        ]

    def __str__(self):
        return self.name


class Target(TimeStampedModel):
    """A decision-maker supporters write to: their office, district and ways to reach them.

    Public data about a public office, kept in clear. ``key`` is the
    identifier in the imported file (a bioguide id, a member number) that
    makes a re-import update the same row. A member missing from the last
    import is kept (letters refer to them) but no longer ``active``. An
    address that a mail server refused is marked and not written to again
    until it changes.
    """

    body = models.ForeignKey(
        TargetBody, verbose_name=_("body"), on_delete=models.PROTECT, related_name="targets"
    )
    key = models.CharField(_("identifier"), max_length=100)
    name = OneLineCharField(_("name"), max_length=200)
    office = OneLineCharField(_("office"), max_length=200, blank=True)
    district = OneLineCharField(_("district"), max_length=60, blank=True, db_index=True)
    region = OneLineCharField(_("region"), max_length=100, blank=True)
    party = OneLineCharField(_("party"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    web_form_url = models.URLField(_("web form"), max_length=500, blank=True)
    phone = OneLineCharField(_("phone"), max_length=60, blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    active = models.BooleanField(_("in the last import"), default=True)
    email_bounced_at = models.DateTimeField(_("email refused"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision-maker")
        verbose_name_plural = _("decision-makers")
        ordering = ["body", "district", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "key"],
                name="%(app_label)s_%(class)s_unique_key",
                violation_error_message=_("This body already has a member with this identifier."),
            )
        ]

    def __str__(self):
        return f"{self.office} {self.name}".strip()

    @property
    def reachable_by_email(self) -> bool:
        return bool(self.email) and self.email_bounced_at is None


class District(models.Model):
    """One row of a body's district table: where a supporter lives → their district.

    ``postal_code`` is normalised (capitals, no spaces); one ending in ``*``
    matches every code that starts with it. A row with neither a postal
    code nor a region stands for the whole country.
    """

    body = models.ForeignKey(
        TargetBody, verbose_name=_("body"), on_delete=models.CASCADE, related_name="districts"
    )
    country = CountryField(_("country"))
    postal_code = OneLineCharField(_("postal code"), max_length=20, blank=True)
    region = OneLineCharField(_("region"), max_length=100, blank=True)
    district = OneLineCharField(_("district"), max_length=60)

    class Meta:
        verbose_name = _("district row")
        verbose_name_plural = _("district table")
        ordering = ["body", "country", "postal_code", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "country", "postal_code", "region", "district"],
                name="%(app_label)s_%(class)s_unique_row",
            )
        ]
        indexes = [
            models.Index(fields=["country", "postal_code"], name="letters_district_code_idx")
        ]

    def __str__(self):
        place = self.postal_code or self.region or self.country.code
        return f"{place} → {self.district}"


class LetterCampaign(TranslatableModel):
    """What makes an action a letter: its texts, its targets, how letters are delivered.

    One per action (all its languages, by ``translation_key``). Supporters
    get the members of ``bodies`` for their district, plus the
    ``pinned_targets`` (a minister, a committee chair) whatever their place.
    The letter's texts are a ``LetterText`` per language.
    """

    class Delivery(models.TextChoices):
        EMAIL = "email", _("one email per letter, up to the daily cap; the rest in a digest")
        DIGEST = "digest", _("one digest email per decision-maker per day")

    action = models.OneToOneField(
        "actions.Action",
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        related_name="letter_campaign",
        limit_choices_to={"shared__kind": "targeted"},
    )
    # Its own numbered id: letters and deliveries refer to it.
    id = models.BigAutoField(
        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
    )
    #: The action's translation key: one campaign for the action in every language.
    translation_key = models.UUIDField(unique=True, editable=False)
    bodies = models.ManyToManyField(
        TargetBody, verbose_name=_("bodies to look up"), blank=True, related_name="campaigns"
    )
    pinned_targets = models.ManyToManyField(
        Target,
        verbose_name=_("decision-makers every letter goes to"),
        blank=True,
        related_name="pinned_in",
    )
    delivery = models.CharField(
        _("delivery"), max_length=8, choices=Delivery.choices, default=Delivery.EMAIL
    )
    daily_cap = models.PositiveIntegerField(
        _("daily cap per decision-maker"),
        default=50,
        help_text=_("Letters emailed one by one to each decision-maker per day (UTC)."),
    )

    class Meta:
        verbose_name = _("letter campaign")
        verbose_name_plural = _("letter campaigns")

    def __str__(self):
        return str(self.action)


class LetterText(TranslationModel):
    """The letter in one language: its subject, the part supporters may edit, the fixed part."""

    shared = models.ForeignKey(
        LetterCampaign,
        verbose_name=_("letter campaign"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    subject = OneLineCharField(_("subject"), max_length=200)
    editable_text = models.TextField(
        _("text supporters may edit"), help_text=_("Plain text. Supporters start from it.")
    )
    fixed_text = models.TextField(
        _("text supporters may not change"), blank=True, help_text=_("Plain text.")
    )

    class Meta:
        verbose_name = _("letter text")
        verbose_name_plural = _("letter texts")
        ordering = ["language"]
        constraints = version_constraints(
            version_exists=_("This letter already has a text in this language.")
        )

    def __str__(self):
        return self.subject


class Letter(TimeStampedModel):
    """One supporter's letter: their signature, their words, the targets they chose.

    The text and the place they sign with are personal (they reveal an
    opinion and where the writer lives): encrypted, bound to this row. The
    writer's address goes to a target only if ``show_email``; replies reach
    them only if ``reply_to``. Delivered once the signature is confirmed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    signature = models.OneToOneField(
        "actions.Signature",
        verbose_name=_("signature"),
        on_delete=models.CASCADE,
        related_name="letter",
    )
    campaign = models.ForeignKey(
        LetterCampaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="letters"
    )
    language = LanguageField(_("language"))
    text = EncryptedTextField(_("text"), blank=True)
    locality = EncryptedTextField(_("signed from"), blank=True, one_line=True)
    show_email = models.BooleanField(_("email shown to decision-makers"), default=False)
    reply_to = models.BooleanField(_("replies go to the writer"), default=False)
    targets = models.ManyToManyField(
        Target, verbose_name=_("decision-makers"), related_name="letters"
    )
    purged_at = models.DateTimeField(
        _("personal data removed"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-created_at"]

    def __str__(self):
        return str(_("letter %(ref)s")) % {"ref": str(self.pk)[:8]}


class LetterDelivery(TimeStampedModel):
    """A letter to one decision-maker: how it goes and what became of it.

    One row per letter and target, made when the writer confirms. Emailed
    alone while the target's daily cap allows, else gathered into the
    day's digest; left to the writer when the target has no working email.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting for the daily digest")
        QUEUED = "queued", _("handed to the outbox")
        FAILED = "failed", _("address refused")
        BY_WRITER = "by_writer", _("left to the writer (no working email)")

    letter = models.ForeignKey(
        Letter, verbose_name=_("letter"), on_delete=models.CASCADE, related_name="deliveries"
    )
    target = models.ForeignKey(
        Target,
        verbose_name=_("decision-maker"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    campaign = models.ForeignKey(
        LetterCampaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    in_digest = models.BooleanField(_("in a digest"), default=False)
    queued_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    outbox_key = models.CharField(_("outbox key"), max_length=120, blank=True, editable=False)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "target"], name="%(app_label)s_%(class)s_one_per_target"
            )
        ]
        indexes = [
            models.Index(
                fields=["campaign", "target", "queued_at"], name="letters_delivery_cap_idx"
            ),
            models.Index(
                fields=["status", "campaign", "target"],
                name="letters_delivery_waiting_idx",
                condition=models.Q(status="waiting"),
            ),
        ]

    def __str__(self):
        return f"{self.target} · {self.get_status_display()}"


class TargetCount(models.Model):
    """The maintained number of letters to one target in one campaign, for the public page."""

    campaign = models.ForeignKey(
        LetterCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="counts"
    )
    target = models.ForeignKey(
        Target, verbose_name=_("decision-maker"), on_delete=models.CASCADE, related_name="+"
    )
    count = models.PositiveIntegerField(_("letters"), default=0)

    class Meta:
        verbose_name = _("letters to a decision-maker")
        verbose_name_plural = _("letters per decision-maker")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "target"], name="%(app_label)s_%(class)s_one_per_target"
            )
        ]

    def __str__(self):
        return f"{self.target}: {self.count}"
