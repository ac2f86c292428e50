"""Actions people and organisations put their name to, and the names they put."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from convoca.core.fields import EncryptedTextField, OneLineCharField
from convoca.core.models import TimeStampedModel
from convoca.core.translatable import TranslatableModel, TranslationModel, version_constraints


class ActionShared(TranslatableModel):
    """What every language version of an action shares: one row per appeal, letter or pledge.

    Its kind, organisations, status, dates, goal and form settings are set
    once for all versions, so closing, reopening or changing the goal of an
    action does it in every language. Its id is the action's translation
    key: the count (``Tally``) and the signatures are kept under it. Only an
    open action whose start has come and whose end has not passed takes
    signatures.
    """

    class Kind(models.TextChoices):
        APPEAL = "appeal", _("appeal or petition")
        LETTER = "letter", _("open letter")
        ENDORSEMENT = "endorsement", _("endorsement call")
        PLEDGE = "pledge", _("pledge")
        #: Each supporter's letter goes to their own decision-makers (convoca.letters).
        TARGETED = "targeted", _("letter to decision-makers")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Ask(models.TextChoices):
        NO = "no", _("not asked")
        OPTIONAL = "optional", _("optional")
        REQUIRED = "required", _("required")

    class NextStep(models.TextChoices):
        SHARE = "share", _("share the action")
        DONATE = "donate", _("donate")
        EVENT = "event", _("register for an event")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.APPEAL)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="actions",
    )
    co_sponsors = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("co-sponsors"),
        blank=True,
        related_name="co_sponsored_actions",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    starts_at = models.DateTimeField(_("opens"), null=True, blank=True)
    ends_at = models.DateTimeField(_("closes"), null=True, blank=True)
    goal = models.PositiveIntegerField(
        _("goal"),
        default=0,
        help_text=_("0 for none. When reached, the next goal is set automatically."),
    )
    count_on_submit = models.BooleanField(
        _("count on submit"),
        default=False,
        help_text=_("Count signatures at once instead of after email confirmation."),
    )
    ask_organisation = models.CharField(
        _("ask for organisation"), max_length=8, choices=Ask.choices, default=Ask.NO
    )
    ask_role = models.CharField(
        _("ask for role"), max_length=8, choices=Ask.choices, default=Ask.NO
    )
    ask_members = models.CharField(
        _("ask for members represented"), max_length=8, choices=Ask.choices, default=Ask.NO
    )
    ask_comment = models.CharField(
        _("ask for a comment"), max_length=8, choices=Ask.choices, default=Ask.NO
    )
    ask_phone = models.CharField(
        _("ask for phone"), max_length=8, choices=Ask.choices, default=Ask.NO
    )
    ask_place = models.CharField(
        _("ask for city and postal code"), max_length=8, choices=Ask.choices, default=Ask.NO
    )
    show_signers = models.BooleanField(
        _("show signers publicly"),
        default=True,
        help_text=_("Only those who chose to appear. Pledgers are never shown."),
    )
    next_step = models.CharField(
        _("next step"), max_length=8, choices=NextStep.choices, default=NextStep.SHARE
    )
    next_step_url = models.URLField(_("next step address"), blank=True)

    class Meta:
        verbose_name = _("action in every language")
        verbose_name_plural = _("actions in every language")

    def __str__(self):
        version = self.version_in()
        return version.title if version else str(self.pk)

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.OPEN
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or now < self.ends_at)
        )


#: What a version of an action reads from its shared row as if it were its own.
ACTION_SHARED_FIELDS = (
    "kind",
    "organisation",
    "co_sponsors",
    "status",
    "starts_at",
    "ends_at",
    "goal",
    "count_on_submit",
    "ask_organisation",
    "ask_role",
    "ask_members",
    "ask_comment",
    "ask_phone",
    "ask_place",
    "show_signers",
    "next_step",
    "next_step_url",
)


class Action(TranslationModel):
    """One language version of an appeal, open letter, endorsement call or pledge: its texts.

    What every version shares (status, dates, goal, organisations, form
    settings) is its ``shared`` row (``ActionShared``), read through the
    version as ``action.status``, ``action.goal``; the versions share one
    count, one list of signatures and one goal. The sharing image is per
    version: it usually carries words.
    """

    Kind = ActionShared.Kind
    Status = ActionShared.Status
    Ask = ActionShared.Ask
    NextStep = ActionShared.NextStep
    shared_attributes = (*ACTION_SHARED_FIELDS, "organisation_id")

    shared = models.ForeignKey(
        ActionShared,
        verbose_name=_("action in every language"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    title = OneLineCharField(_("title"), max_length=250)
    slug = models.SlugField(_("short name in addresses"), max_length=120)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    trigger = models.TextField(
        _("trigger"), blank=True, help_text=_("For a pledge: the event that sets it off.")
    )
    thank_you = models.TextField(_("thank-you text"), blank=True, help_text=_("Markdown."))
    share_text = OneLineCharField(_("share text"), max_length=280, blank=True)
    og_image = models.ImageField(_("sharing image"), upload_to="actions/", blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["-created_at"]
        constraints = version_constraints(
            slug_taken=_("Another action in this language has this address."),
            version_exists=_("This action already has a version in this language."),
        )

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        with translation.override(self.language):
            if self.is_targeted:
                return reverse("letters:letter-detail", kwargs={"slug": self.slug})
            return reverse("actions:action-detail", kwargs={"slug": self.slug})

    @property
    def is_open(self) -> bool:
        return self.shared.is_open

    @property
    def is_pledge(self) -> bool:
        return self.kind == self.Kind.PLEDGE

    @property
    def is_endorsement(self) -> bool:
        return self.kind == self.Kind.ENDORSEMENT

    @property
    def is_targeted(self) -> bool:
        """A letter to decision-makers: signed through its letter page, never the plain form."""
        return self.kind == self.Kind.TARGETED


class Tally(models.Model):
    """The maintained count of an action (all its languages), read instead of counting rows.

    ``goal`` moves up by itself when the count reaches it. Updated with
    ``F()`` expressions in the same transaction as the signature it counts.
    """

    translation_key = models.UUIDField(primary_key=True)
    count = models.PositiveIntegerField(_("count"), default=0)
    goal = models.PositiveIntegerField(_("current goal"), default=0)
    members_represented = models.PositiveBigIntegerField(_("members represented"), default=0)

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")

    def __str__(self):
        return str(self.count)


class CountryTally(models.Model):
    """The maintained count of an action's signatures from one country."""

    translation_key = models.UUIDField()
    country = CountryField(blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("count by country")
        verbose_name_plural = _("counts by country")
        constraints = [
            models.UniqueConstraint(
                fields=["translation_key", "country"],
                name="%(app_label)s_%(class)s_one_row_per_country",
            )
        ]

    def __str__(self):
        return f"{self.country}: {self.count}"


class Signature(TimeStampedModel):
    """A person's name on an action, once per person per action (all languages).

    What the signer adds (organisation, role, comment) is encrypted like
    the rest of their personal data. ``visibility`` is the signer's choice
    of how they appear publicly; the default is not at all.
    """

    class Visibility(models.TextChoices):
        HIDDEN = "hidden", _("do not show me")
        COUNTRY = "country", _("show only my country")
        NAME = "name", _("show my name")
        FULL = "full", _("show my name, organisation and role")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.PROTECT, related_name="signatures"
    )
    # No index of its own: the unique (translation_key, person) index serves
    # every lookup by action, and one index fewer is written per signature.
    translation_key = models.UUIDField(editable=False)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    organisation_name = EncryptedTextField(_("organisation"), blank=True, one_line=True)
    role = EncryptedTextField(_("role"), blank=True, one_line=True)
    comment = EncryptedTextField(_("comment"), blank=True)
    #: JSON ``{question id: answer}`` to a pledge's questions; a sensitive
    #: question's answer is sealed (``core.sealing``) before it is stored here.
    answers = EncryptedTextField(_("answers"), blank=True)
    members_represented = models.PositiveBigIntegerField(
        _("members represented"), null=True, blank=True
    )
    country = CountryField(_("country"), blank=True)
    visibility = models.CharField(
        _("appears as"), max_length=8, choices=Visibility.choices, default=Visibility.HIDDEN
    )
    source = models.SlugField(_("source"), max_length=64, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    counted = models.BooleanField(_("counted"), default=False, editable=False)
    featured = models.BooleanField(_("featured"), default=False)
    purged_at = models.DateTimeField(
        _("personal data removed"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_key", "person"],
                name="%(app_label)s_%(class)s_one_per_person",
                violation_error_message=_("This person has already signed this action."),
            )
        ]
        indexes = [
            models.Index(
                fields=["translation_key", "confirmed_at"],
                name="actions_signature_public_idx",
                condition=Q(visibility__in=["country", "name", "full"]),
            ),
            # Who confirmed a signature of an action: the audience filter "signed the
            # action" reads its signers from this index alone, as a set or one signer
            # at a time (bench/scale.py: 2 s down to 0.4-0.7 s at 5 million signatures).
            models.Index(
                fields=["translation_key", "person"],
                name="actions_signature_signed_idx",
                condition=Q(confirmed_at__isnull=False),
            ),
            # The export's rows in the export's order. Without it the export's
            # server-side cursor, planned to return its first rows fast, walks the
            # created_at index of every action (15 s instead of 1 s for 9,000 rows).
            models.Index(
                fields=["translation_key", "created_at", "id"],
                name="actions_signature_export_idx",
                condition=Q(confirmed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return str(_("signature %(ref)s")) % {"ref": str(self.pk)[:8]}


class PledgeQuestion(models.Model):
    """A question a pledge asks on its form, in the language of that version of the pledge.

    The answer to a sensitive question (where someone will be, what they
    can do) is sealed to the organisation's public key as it arrives
    (``core.sealing``): the server stores and exports only the sealed text,
    and only the organisation's private key, kept on its own computer,
    opens it. A pledge with a sensitive question cannot open without that
    public key.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    action = models.ForeignKey(
        Action, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="questions"
    )
    text = OneLineCharField(_("question"), max_length=300)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=True,
        help_text=_("Sealed: only your organisation's private key can read the answers."),
    )
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("pledge question")
        verbose_name_plural = _("pledge questions")
        ordering = ["position", "text"]

    def __str__(self):
        return self.text


class Endorsement(TimeStampedModel):
    """An organisation's sign-on to an endorsement call, listed once an organiser approves it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    signature = models.OneToOneField(
        Signature, verbose_name=_("signature"), on_delete=models.CASCADE, related_name="endorsement"
    )
    name = OneLineCharField(_("organisation name"), max_length=200)
    country = CountryField(_("country"))
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="endorsements/", blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["country", "name"]

    def __str__(self):
        return self.name


class PledgeActivation(TranslatableModel):
    """The record that a pledge's trigger happened and its pledgers were called to act.

    This is the language-neutral row (which pledge, who activated it, how
    many were emailed); the message is a ``PledgeActivationText`` per
    language. Each pledger got the one in their language, else the one
    ``version_in`` picks for them.
    """

    # Kept from before the message moved out: the outbox's dedupe keys name it.
    id = models.BigAutoField(
        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
    )
    action = models.ForeignKey(
        Action, verbose_name=_("pledge"), on_delete=models.PROTECT, related_name="activations"
    )
    # The pledge's key (its ActionShared), whose signatures are its pledgers; a field here,
    # where the base's ``translation_key`` is the row's own id.
    translation_key = models.UUIDField(db_index=True, editable=False)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("activated by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recipients = models.PositiveIntegerField(_("pledgers to email"), default=0)

    class Meta:
        verbose_name = _("pledge activation")
        verbose_name_plural = _("pledge activations")

    def __str__(self):
        return f"{self.text_in('subject')} ({self.created_at:%Y-%m-%d})"


class PledgeActivationText(TranslationModel):
    """A pledge activation's message in one language: its subject and text."""

    shared = models.ForeignKey(
        PledgeActivation,
        verbose_name=_("pledge activation"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    subject = OneLineCharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), help_text=_("Markdown."))

    class Meta:
        verbose_name = _("pledge activation message")
        verbose_name_plural = _("pledge activation messages")
        ordering = ["language"]
        constraints = version_constraints(
            version_exists=_("This activation already has a message in this language.")
        )

    def __str__(self):
        return self.subject


class SignatureIntake(models.Model):
    """A signing form accepted but not yet recorded: the fast half of the signing path.

    The request stores what the form said (encrypted, bound to this row) in
    one INSERT and answers; a task turns intakes into people and
    signatures moments later, idempotently, and deletes them. Nothing
    acknowledged is lost: the row is committed before the visitor is
    answered.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # On SQLite intakes live in a file of their own (actions/routers.py): no
    # constraint can cross files, and the worker drops the intakes of an
    # action that no longer exists.
    action = models.ForeignKey(
        Action,
        verbose_name=_("action"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    payload = EncryptedTextField(_("form data"))
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    #: The worker recording it, where rows cannot be locked (SQLite's file of its
    #: own); another worker takes it only once ``claimed_at`` is a lease old.
    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("signature being recorded")
        verbose_name_plural = _("signatures being recorded")
        ordering = ["created_at"]

    def __str__(self):
        return str(self.pk)
