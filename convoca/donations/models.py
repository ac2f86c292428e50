"""Fundraisers, the gifts that fill them, and the provider events that say a gift was paid.

Amounts are integers in the currency's minor unit (cents), in the
fundraiser's one currency. A gift counts toward a fundraiser only through
``Payment.counted`` (online, set from a verified provider event) or an
``OfflineGift`` an organiser entered; ``FundraiserTotal`` and
``FundraiserMonth`` are the maintained sums the public page and the admin
read, moved in the same transaction as the row they count.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convoca.core.fields import EncryptedTextField, OneLineCharField
from convoca.core.models import TimeStampedModel
from convoca.core.translatable import (
    LanguageField,
    TranslatableModel,
    TranslationModel,
    VersionText,
    version_constraints,
)

#: Currencies a fundraiser may be in; all have two decimal places.
CURRENCIES = [
    ("EUR", "EUR"),
    ("USD", "USD"),
    ("GBP", "GBP"),
    ("MXN", "MXN"),
    ("CAD", "CAD"),
    ("AUD", "AUD"),
    ("CHF", "CHF"),
]


def minor_to_major(amount: int) -> str:
    """``2550`` as ``"25.50"``, ``2500`` as ``"25"``: how people write an amount."""
    whole, cents = divmod(abs(int(amount)), 100)
    sign = "-" if amount < 0 else ""
    return f"{sign}{whole}" if cents == 0 else f"{sign}{whole}.{cents:02d}"


class Fundraiser(TranslatableModel):
    """A call for money toward one concrete thing, with a goal in one currency.

    This is the language-neutral row: the goal, the currency, the status and
    the total are one, whichever language the page is read in. Its title and
    texts are a ``FundraiserText`` per language (``text_in("title")``).
    Only an open fundraiser whose deadline has not passed takes gifts online;
    organisers may still enter offline gifts after it closes.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    # Kept from before the texts moved out: gifts, donors and totals refer to it.
    id = models.BigAutoField(
        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
    )
    slug = models.SlugField(_("short name in addresses"), max_length=120, unique=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="fundraisers",
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="EUR")
    goal = models.PositiveBigIntegerField(
        _("goal"),
        validators=[MinValueValidator(100)],
        help_text=_("In cents: 500000 is 5,000.00."),
    )
    suggested_amounts = models.JSONField(
        _("suggested amounts"),
        default=list,
        blank=True,
        help_text=_("In cents, for example [1000, 2500, 5000]."),
    )
    minimum_amount = models.PositiveIntegerField(
        _("smallest gift"), default=100, validators=[MinValueValidator(50)]
    )
    allow_monthly = models.BooleanField(_("monthly gifts"), default=True)
    show_donors = models.BooleanField(
        _("show the donor list"),
        default=True,
        help_text=_("Only donors who chose to appear, under the name they chose."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)

    # Its texts, read in the visitor's language (``FundraiserText``).
    title = VersionText()
    summary = VersionText()
    body = VersionText()
    thank_you = VersionText()

    class Meta:
        verbose_name = _("fundraiser")
        verbose_name_plural = _("fundraisers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goal__gte=100),
                name="%(app_label)s_%(class)s_goal_positive",
                violation_error_message=_("The goal must be at least 1.00."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("donations:fundraiser-detail", kwargs={"slug": self.slug})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN and (
            self.deadline is None or timezone.now() < self.deadline
        )


class FundraiserText(TranslationModel):
    """A fundraiser's title, summary, text and thank-you text in one language."""

    shared = models.ForeignKey(
        Fundraiser,
        verbose_name=_("fundraiser"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    title = OneLineCharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    thank_you = models.TextField(_("thank-you text"), blank=True)

    class Meta:
        verbose_name = _("fundraiser text")
        verbose_name_plural = _("fundraiser texts")
        ordering = ["language"]
        constraints = version_constraints(
            version_exists=_("This fundraiser already has a text in this language.")
        )

    def __str__(self):
        return self.title


class FundraiserTotal(models.Model):
    """The maintained figures of a fundraiser, read by its public page instead of summing rows.

    ``amount`` is what counts toward the goal (online net of refunds, plus
    offline). ``monthly_*`` are the monthly gifts in good standing: a failed
    monthly payment takes a donor out until a payment succeeds again.
    """

    fundraiser = models.OneToOneField(
        Fundraiser,
        verbose_name=_("fundraiser"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="total",
    )
    amount = models.BigIntegerField(_("raised"), default=0)
    online_amount = models.BigIntegerField(_("raised online"), default=0)
    offline_amount = models.BigIntegerField(_("raised offline"), default=0)
    donors = models.PositiveIntegerField(_("donors"), default=0)
    monthly_donors = models.PositiveIntegerField(_("monthly donors"), default=0)
    monthly_amount = models.BigIntegerField(_("given monthly"), default=0)

    class Meta:
        verbose_name = _("fundraiser total")
        verbose_name_plural = _("fundraiser totals")

    def __str__(self):
        return minor_to_major(self.amount)


class FundraiserMonth(models.Model):
    """What a fundraiser raised in one calendar month (UTC), maintained like its total."""

    fundraiser = models.ForeignKey(
        Fundraiser, verbose_name=_("fundraiser"), on_delete=models.CASCADE, related_name="months"
    )
    month = models.DateField(_("month"))
    online_amount = models.BigIntegerField(_("raised online"), default=0)
    offline_amount = models.BigIntegerField(_("raised offline"), default=0)

    class Meta:
        verbose_name = _("month of a fundraiser")
        verbose_name_plural = _("months of fundraisers")
        ordering = ["fundraiser", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["fundraiser", "month"], name="%(app_label)s_%(class)s_one_row_per_month"
            )
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}"

    @property
    def amount(self) -> int:
        return self.online_amount + self.offline_amount


class Donor(TimeStampedModel):
    """A person who gave to a fundraiser: one row per person and fundraiser.

    ``given`` is the maintained sum of what they gave that counts (net of
    refunds): a donor counts in the fundraiser's number of donors while it
    is above zero. ``listed`` is their choice to appear in the public donor
    list, under ``public_name`` (encrypted, like all their personal data).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    fundraiser = models.ForeignKey(
        Fundraiser, verbose_name=_("fundraiser"), on_delete=models.PROTECT, related_name="donors"
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="donations_donors",
    )
    public_name = EncryptedTextField(_("public name"), blank=True, one_line=True)
    listed = models.BooleanField(_("appears in the donor list"), default=False)
    given = models.BigIntegerField(_("given"), default=0, editable=False)
    first_gift_at = models.DateTimeField(_("first gift"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["-first_gift_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["fundraiser", "person"], name="%(app_label)s_%(class)s_one_per_person"
            )
        ]

    def __str__(self):
        return _("donor %(ref)s") % {"ref": str(self.pk)[:8]}


class Donation(TimeStampedModel):
    """A gift a visitor started online: one-off, or monthly until cancelled.

    Created when the visitor leaves for the provider's hosted checkout, and
    ``pending`` until a verified provider event says otherwise; nothing the
    visitor's browser sends can change its status. A monthly donation makes
    one ``Payment`` per month paid. ``choices`` keeps what the donor ticked
    (listing, news) with the wording they saw, applied only once they paid;
    ``public_name`` the name they chose for the donor list.
    """

    class Frequency(models.TextChoices):
        ONCE = "once", _("one-off")
        MONTHLY = "monthly", _("monthly")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for payment")
        PAID = "paid", _("paid")
        REFUNDED = "refunded", _("refunded")
        ACTIVE = "active", _("monthly, active")
        PAST_DUE = "past_due", _("monthly, payment failed")
        CANCELLED = "cancelled", _("monthly, cancelled")
        FAILED = "failed", _("payment failed")
        EXPIRED = "expired", _("abandoned")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    fundraiser = models.ForeignKey(
        Fundraiser,
        verbose_name=_("fundraiser"),
        on_delete=models.PROTECT,
        related_name="donations",
    )
    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="donations"
    )
    frequency = models.CharField(
        _("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.ONCE
    )
    amount = models.PositiveIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    language = LanguageField(_("language"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    provider = models.CharField(_("provider"), max_length=32)
    # NULL until known: unique constraints ignore NULLs.
    checkout_reference = models.CharField(
        _("checkout reference"), max_length=255, null=True, blank=True, unique=True
    )
    customer_reference = models.CharField(_("customer reference"), max_length=255, blank=True)
    subscription_reference = models.CharField(
        _("subscription reference"), max_length=255, null=True, blank=True, unique=True
    )
    public_name = EncryptedTextField(_("public name"), blank=True, one_line=True)
    choices = models.JSONField(_("choices"), default=dict, blank=True, editable=False)
    #: The provider's time of the last event that set ``status``: an older event never undoes it.
    status_changed_at = models.DateTimeField(
        _("status from an event of"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("online donation")
        verbose_name_plural = _("online donations")
        ordering = ["-created_at"]

    def __str__(self):
        return _("donation %(ref)s") % {"ref": str(self.pk)[:8]}

    @property
    def is_monthly(self) -> bool:
        return self.frequency == self.Frequency.MONTHLY

    @property
    def in_good_standing(self) -> bool:
        """A monthly gift that is being paid: it counts among the monthly donors."""
        return self.status == self.Status.ACTIVE


class Payment(models.Model):
    """Money that arrived online for a donation: the one-off payment, or one month's.

    Identified by the provider's reference (a payment intent, an invoice) so
    that the same payment reported twice, or by two events, is one row.
    ``counted`` is what this payment adds to the totals now (amount minus
    refunds while paid, else 0); the totals move by the change in it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    donation = models.ForeignKey(
        Donation, verbose_name=_("donation"), on_delete=models.PROTECT, related_name="payments"
    )
    fundraiser = models.ForeignKey(
        Fundraiser, verbose_name=_("fundraiser"), on_delete=models.PROTECT, related_name="payments"
    )
    reference = models.CharField(_("provider reference"), max_length=255)
    payment_intent = models.CharField(  # noqa: DJ001
        _("payment reference"), max_length=255, null=True, blank=True
    )
    amount = models.PositiveIntegerField(_("amount"))
    refunded = models.PositiveIntegerField(_("refunded"), default=0)
    counted = models.BigIntegerField(_("counted"), default=0, editable=False)
    paid_at = models.DateTimeField(_("paid"))

    class Meta:
        verbose_name = _("online payment")
        verbose_name_plural = _("online payments")
        ordering = ["-paid_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], name="%(app_label)s_%(class)s_unique_reference"
            ),
            models.UniqueConstraint(
                fields=["payment_intent"],
                condition=Q(payment_intent__isnull=False),
                name="%(app_label)s_%(class)s_unique_payment_intent",
            ),
            models.CheckConstraint(
                condition=Q(refunded__lte=models.F("amount")),
                name="%(app_label)s_%(class)s_refund_within_amount",
            ),
        ]

    def __str__(self):
        return minor_to_major(self.amount)


class OfflineGift(TimeStampedModel):
    """A gift an organiser entered by hand: cash at a rally, a cheque, a bank transfer.

    It counts toward the goal as soon as it is saved. ``donors`` is how many
    people it stands for (a collection bucket is many); with a ``donor`` it
    is that person's gift, and counts once in the number of donors.
    """

    class Method(models.TextChoices):
        CASH = "cash", _("cash")
        CHEQUE = "cheque", _("cheque")
        TRANSFER = "transfer", _("bank transfer")
        OTHER = "other", _("other")

    fundraiser = models.ForeignKey(
        Fundraiser,
        verbose_name=_("fundraiser"),
        on_delete=models.PROTECT,
        related_name="offline_gifts",
    )
    amount = models.PositiveIntegerField(
        _("amount"), validators=[MinValueValidator(1)], help_text=_("In cents.")
    )
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    donors = models.PositiveIntegerField(
        _("number of donors"),
        default=1,
        help_text=_("How many people gave this: a collection at a rally may be many."),
    )
    donor = models.ForeignKey(
        Donor,
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offline_gifts",
    )
    #: Identifies the row in the encryption of its personal fields (the id is numbered).
    row_key = models.UUIDField(default=uuid.uuid4, editable=False)
    # May name the donor or where the gift was handed over: encrypted.
    note = EncryptedTextField(_("note"), max_length=300, blank=True, row_key="row_key")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("offline gift")
        verbose_name_plural = _("offline gifts")
        ordering = ["-received_on", "-created_at"]

    def __str__(self):
        return minor_to_major(self.amount)


class WebhookEvent(models.Model):
    """One event a payment provider sent, kept so that it is applied exactly once.

    The provider's event id is unique: a retried or doubled delivery finds
    the row and changes nothing. An event that refers to a payment not known
    yet (a refund that overtook its payment) waits as ``deferred`` and is
    applied when that payment arrives. Only what is needed is kept: no
    personal data from the payload.
    """

    class Status(models.TextChoices):
        PROCESSED = "processed", _("processed")
        IGNORED = "ignored", _("not relevant")
        DEFERRED = "deferred", _("waiting for an earlier event")

    provider = models.CharField(_("provider"), max_length=32)
    event_id = models.CharField(_("event id"), max_length=255)
    kind = models.CharField(_("type"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    waiting_for = models.CharField(_("waiting for"), max_length=255, blank=True, db_index=True)
    #: The normalised change, for a deferred event to be applied later.
    change = models.JSONField(_("change"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("sent"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="%(app_label)s_%(class)s_once_per_event"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.event_id}"


class ProviderSync(models.Model):
    """How far the daily reconciliation has read a payment provider's list of events.

    ``events_until`` is the time of the newest event the last run saw; the
    next run lists events from that moment on (the same second again, so
    none made in it is missed; those seen already are recognised by their
    id in ``WebhookEvent``).
    """

    provider = models.CharField(_("provider"), max_length=32, unique=True)
    events_until = models.DateTimeField(_("events read until"), null=True, blank=True)
    last_event_id = models.CharField(_("last event read"), max_length=255, blank=True)
    checked_at = models.DateTimeField(_("last reconciled"), null=True, blank=True)

    class Meta:
        verbose_name = _("reconciliation with a provider")
        verbose_name_plural = _("reconciliations with providers")

    def __str__(self):
        return self.provider
