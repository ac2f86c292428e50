"""Supporters, what they consented to, what they did, and how they are tagged."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from convoca.core.fields import BlindIndexField, EncryptedTextField, OneLineCharField
from convoca.core.models import TimeStampedModel
from convoca.core.translatable import LanguageField


class Person(TimeStampedModel):
    """One supporter, one per normalised email address.

    Email, names, phone, street address, postal code and city are encrypted
    at rest (bound to this row); the person is found through
    ``email_index``, a keyed hash of the normalised email, and by place
    through ``postal_code_index`` and ``city_index``, keyed hashes of the
    normalised postal code and city. Country and language stay in clear for
    targeting. An erased person keeps the row, so counts stay right, but
    loses every personal value and the indexes.
    """

    #: What erasure clears: everything that could identify the person.
    PERSONAL_FIELDS = (
        "email", "given_name", "family_name", "phone", "street_address", "postal_code", "city",
    )  # fmt: skip

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # NULL, not "", after erasure: the unique constraint ignores NULLs.
    email_index = models.CharField(  # noqa: DJ001
        _("email index"), max_length=64, null=True, blank=True, editable=False
    )
    email = EncryptedTextField(_("email"), blank=True, one_line=True)
    given_name = EncryptedTextField(_("given name"), blank=True, one_line=True)
    family_name = EncryptedTextField(_("family name"), blank=True, one_line=True)
    phone = EncryptedTextField(_("phone"), blank=True, one_line=True)
    street_address = EncryptedTextField(_("street address"), blank=True, one_line=True)
    postal_code = EncryptedTextField(_("postal code"), blank=True, one_line=True)
    city = EncryptedTextField(_("city"), blank=True, one_line=True)
    postal_code_index = BlindIndexField(
        _("postal code index"), source="postal_code", purpose="postal_code"
    )
    city_index = BlindIndexField(_("city index"), source="city", purpose="locality")
    country = CountryField(_("country"), blank=True)
    language = LanguageField(_("language"), default="en")
    email_confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)
    tags = models.ManyToManyField(
        "people.Tag",
        verbose_name=_("tags"),
        through="people.PersonTag",
        blank=True,
        related_name="people",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["email_index"],
                name="%(app_label)s_%(class)s_one_per_email",
                violation_error_message=_("A person with this email already exists."),
            )
        ]

    def __str__(self):
        # No personal data: this text lands in admin history, logs and titles.
        if self.erased_at:
            return str(_("erased person"))
        return _("person %(ref)s") % {"ref": str(self.pk)[:8]}

    #: Blind indexes kept in step with the value they index.
    INDEXES = {"postal_code": "postal_code_index", "city": "city_index"}

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None:
            update_fields = set(update_fields)
            update_fields |= {
                index for source, index in self.INDEXES.items() if source in update_fields
            }
        super().save(*args, update_fields=update_fields, **kwargs)

    @property
    def full_name(self) -> str:
        return " ".join(filter(None, [self.given_name, self.family_name]))


class Tag(TimeStampedModel):
    """A label an organisation puts on people to find them again (e.g. "speaker", "union")."""

    name = OneLineCharField(_("name"), max_length=80)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tags",
        help_text=_("Leave empty for a tag of the whole coalition."),
    )

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=Q(organisation__isnull=False),
                name="%(app_label)s_%(class)s_unique_name_per_organisation",
                violation_error_message=_("This organisation already has a tag with this name."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(organisation__isnull=True),
                name="%(app_label)s_%(class)s_unique_coalition_name",
                violation_error_message=_("The coalition already has a tag with this name."),
            ),
        ]

    def __str__(self):
        return self.name


class PersonTag(models.Model):
    """A tag on a person, and when it was put there."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, verbose_name=_("tag"), on_delete=models.CASCADE)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("tag on a person")
        verbose_name_plural = _("tags on people")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "tag"], name="%(app_label)s_%(class)s_once_per_person"
            )
        ]

    def __str__(self):
        return str(self.tag)


class Consent(models.Model):
    """Permission a person gave, to an organisation or a list, and its withdrawal.

    A row is one grant, kept as evidence: the wording the person saw, in
    which form and when. Withdrawing sets ``withdrawn_at``; giving consent
    again makes a new row. A consent with no organisation is given to the
    coalition as a whole. ``subject`` points at what the consent is about
    when it is narrower than an organisation (a mailing list).
    """

    class Purpose(models.TextChoices):
        CONTACT = "contact", _("may contact me about its work")
        SUBSCRIPTION = "subscription", _("may send me a mailing list")
        PUBLIC_NAME = "public_name", _("may show my name publicly")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="consents"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("to organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consents",
    )
    purpose = models.CharField(_("purpose"), max_length=24, choices=Purpose.choices)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    wording = models.TextField(_("wording shown"), blank=True)
    source = models.CharField(_("given through"), max_length=200, blank=True)
    given_at = models.DateTimeField(_("given"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        indexes = [
            models.Index(
                fields=["organisation", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="people_consent_current_idx",
            )
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} · {self.organisation or _('the coalition')}"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None


class Activity(models.Model):
    """One thing a person did (signed, registered, donated, ...), for their timeline.

    ``summary`` names the thing done (an action's title), never personal
    data, so the timeline survives erasure as anonymous history.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("first seen")
        SIGNED = "signed", _("signed")
        ENDORSED = "endorsed", _("endorsed")
        PLEDGED = "pledged", _("pledged")
        REGISTERED = "registered", _("registered for an event")
        DONATED = "donated", _("donated")
        SUBSCRIBED = "subscribed", _("subscribed")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
        WROTE = "wrote", _("wrote to the organisers")
        CONSENT_GIVEN = "consent_given", _("gave consent")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("withdrew consent")
        JOINED_GROUP = "joined_group", _("joined a working group")
        DATA_VIEWED = "data_viewed", _("looked at their data")
        ERASED = "erased", _("erased their data")
        IMPORTED = "imported", _("imported by an organisation")

    #: Kinds that mean the person took part in something an organisation ran,
    #: which lets that organisation's staff see them.
    PARTICIPATION = (
        "signed",
        "endorsed",
        "pledged",
        "registered",
        "donated",
        "wrote",
        "joined_group",
        # Brought over from the organisation's previous tool (people.imports).
        "imported",
    )

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    summary = OneLineCharField(_("summary"), max_length=300, blank=True)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    occurred_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["organisation", "person"], name="people_activity_org_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.summary}".strip()


class PersonImport(TimeStampedModel):
    """One CSV file of supporters an organisation brings over, and what became of its rows.

    The uploaded file is kept, encrypted under a key of its own
    (``file_key``, itself encrypted in this row), only until the import is
    done or discarded; then file and key are deleted. The figures and the
    skipped rows' numbers and reasons stay as the report. ``mapping`` says
    which column holds what (``{field: column number}``).
    """

    class Format(models.TextChoices):
        ACTION_NETWORK = "action_network", _("Action Network activists export")
        GENERIC = "generic", _("another CSV file (choose the columns)")

    class Status(models.TextChoices):
        MAPPING = "mapping", _("choosing the columns")
        ANALYSING = "analysing", _("reading the file")
        READY = "ready", _("waiting for confirmation")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("discarded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="person_imports",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    format = models.CharField(_("format"), max_length=16, choices=Format.choices)
    file_name = OneLineCharField(_("file name"), max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    file_key = EncryptedTextField(_("file key"), blank=True, editable=False)
    language = LanguageField(_("language"), default="en")
    header = models.JSONField(_("columns"), default=list, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=1, default=",")
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.MAPPING
    )
    error = models.CharField(_("error"), max_length=300, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    preview_new = models.PositiveIntegerField(_("new to the organisation"), default=0)
    preview_merged = models.PositiveIntegerField(_("already known"), default=0)
    preview_skipped = models.PositiveIntegerField(_("to skip"), default=0)
    preview_consents = models.PositiveIntegerField(_("subscribed in the file"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    bytes_done = models.PositiveBigIntegerField(_("bytes read"), default=0)
    created = models.PositiveIntegerField(_("added"), default=0)
    merged = models.PositiveIntegerField(_("merged"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    consents = models.PositiveIntegerField(_("consents recorded"), default=0)
    kept_unsubscribed = models.PositiveIntegerField(_("kept unsubscribed"), default=0)
    unsubscribed = models.PositiveIntegerField(_("unsubscribes honoured"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import of supporters")
        verbose_name_plural = _("imports of supporters")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name or str(self.pk)[:8]

    @property
    def source(self) -> str:
        """What consents given through this import say they came from."""
        return f"import:{self.pk}"

    @property
    def percent_done(self) -> int:
        """How far the file has been read (analysing) or imported (importing)."""
        if self.status in (self.Status.READY, self.Status.DONE):
            return 100
        if self.status == self.Status.ANALYSING:
            return min(99, int(100 * self.bytes_done / self.file_size)) if self.file_size else 0
        if not self.total_rows:
            return 0
        return min(100, int(100 * self.rows_done / self.total_rows))


class PersonImportSkip(models.Model):
    """A row of an imported file that was not imported, and why (no personal data)."""

    class Reason(models.TextChoices):
        NO_EMAIL = "no_email", _("no email address")
        BAD_EMAIL = "bad_email", _("not a valid email address")
        FIELD_COUNT = "field_count", _("not as many cells as the header has columns")
        TOO_LONG = "too_long", _("a cell is too long")
        NOT_CSV = "not_csv", _("not readable as CSV")
        ENCODING = "encoding", _("characters that are not UTF-8")

    person_import = models.ForeignKey(
        PersonImport,
        verbose_name=_("import"),
        on_delete=models.CASCADE,
        related_name="skips",
    )
    row = models.PositiveIntegerField(_("row"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)

    class Meta:
        verbose_name = _("skipped row")
        verbose_name_plural = _("skipped rows")
        ordering = ["row"]
        constraints = [
            models.UniqueConstraint(
                fields=["person_import", "row"], name="%(app_label)s_%(class)s_once_per_row"
            )
        ]

    def __str__(self):
        return f"{self.row}: {self.get_reason_display()}"
