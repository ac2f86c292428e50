"""Events people come to, the series and campaigns that group them, and who registers.

Events, series and campaigns are on the translatable base
(``core.translatable``): what all versions share (times, place, capacity,
status, rule, dates) is one ``EventShared``/``SeriesShared``/``CampaignShared``
row, their texts one row per language. Nothing is copied between versions.
Registrations, counts and the wait list belong to the event in every
language: a registration's ``translation_key`` is its ``EventShared`` id.
"""

import secrets
import uuid
import zoneinfo
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
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

DEFAULT_REMINDERS = [24 * 60, 60]


def default_reminders() -> list[int]:
    return list(DEFAULT_REMINDERS)


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("%(zone)s is not a time zone; use a name like America/New_York."),
            params={"zone": value},
        ) from exc


def validate_time_zones(value) -> None:
    if not isinstance(value, list):
        raise ValidationError(_('List the time zones, like ["America/Los_Angeles"].'))
    for zone in value:
        validate_time_zone(str(zone))


def validate_reminders(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(m, int) and 0 < m <= 14 * 24 * 60 for m in value
    ):
        raise ValidationError(
            _("List minutes before the start, like [1440, 60] for a day and an hour.")
        )


def new_host_key() -> str:
    return secrets.token_urlsafe(24)


class CampaignShared(TranslatableModel):
    """What every language version of a distributed campaign shares, such as a week of action.

    Its dates, coordinating and endorsing organisations, the action whose
    signatures shade the map by country, whether it is published and
    whether anyone may offer to host an event in it. Anyone may offer to
    host an event; a coordinator approves each one. Publishing or
    withdrawing it does it in every language: its events, host form and
    map are the same in all of them.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("coordinating organisation"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    endorsers = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("endorsing organisations"),
        blank=True,
        related_name="endorsed_campaigns",
    )
    action = models.ForeignKey(
        "actions.ActionShared",
        verbose_name=_("action shown on the map"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Its signatures shade the map by country."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    accepts_hosts = models.BooleanField(_("anyone may offer to host an event"), default=True)

    class Meta:
        verbose_name = _("campaign in every language")
        verbose_name_plural = _("campaigns in every language")

    def __str__(self):
        version = self.version_in()
        return version.title if version else str(self.pk)


#: What a version of a campaign reads from its shared row as if it were its own.
CAMPAIGN_SHARED_FIELDS = (
    "starts_on", "ends_on", "organisation", "endorsers", "action", "status", "accepts_hosts",
)  # fmt: skip


class Campaign(TranslationModel):
    """One language version of a distributed campaign: its title, address, summary and call.

    What every version shares (dates, organisations, the action on the map,
    status) is its ``shared`` row (``CampaignShared``), read through the
    version as ``campaign.status``.
    """

    Status = CampaignShared.Status
    shared_attributes = (*CAMPAIGN_SHARED_FIELDS, "organisation_id", "action_id")

    shared = models.ForeignKey(
        CampaignShared,
        verbose_name=_("campaign in every language"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    title = OneLineCharField(_("title"), max_length=250)
    slug = models.SlugField(_("short name in addresses"), max_length=120)
    summary = models.TextField(_("summary"), blank=True)
    call = models.TextField(_("the call"), blank=True, help_text=_("Markdown."))

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-shared__starts_on"]
        constraints = version_constraints(
            slug_taken=_("Another campaign in this language has this address."),
            version_exists=_("This campaign already has a version in this language."),
        )

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("events:campaign-detail", kwargs={"slug": self.slug})

    @property
    def action_version(self):
        """The campaign's action to link to, in the campaign's language if it has one."""
        action = self.action
        return action.version_in(self.language) if action is not None else None


class SeriesShared(TranslatableModel):
    """What every language version of a series shares: its rule, times, place and settings.

    ``rule`` is an RFC 5545 recurrence rule (``FREQ=MONTHLY;BYDAY=-1TU``)
    applied to the local start time in ``time_zone``, so that 8 PM stays 8
    PM across daylight-saving changes. Publishing or changing the rule is
    one write that every version sees. Its id is the series' translation
    key, under which people register for the whole series.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("host organisation"),
        on_delete=models.PROTECT,
        related_name="event_series",
    )
    rule = models.CharField(
        _("recurrence rule"),
        max_length=300,
        help_text=_("RFC 5545, for example FREQ=MONTHLY;BYDAY=-1TU (last Tuesday of each month)."),
    )
    first_start = models.DateTimeField(
        _("first start"), help_text=_("Date and local time of the first occurrence.")
    )
    duration_minutes = models.PositiveIntegerField(_("duration in minutes"), default=60)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    display_zones = models.JSONField(
        _("also show the time in"),
        default=list,
        blank=True,
        validators=[validate_time_zones],
        help_text=_('For example ["America/Los_Angeles"].'),
    )
    kind = models.CharField(_("kind"), max_length=16, default="online", editable=False)
    online_url = models.URLField(
        _("join link"), blank=True, help_text=_("Only registrants see it.")
    )
    capacity = models.PositiveIntegerField(_("places per occurrence"), default=0)
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("series in every language")
        verbose_name_plural = _("series in every language")

    def __str__(self):
        version = self.version_in()
        return version.title if version else str(self.pk)

    def clean(self):
        from dateutil.rrule import rrulestr

        try:
            rrulestr(self.rule, dtstart=datetime(2026, 1, 1))  # noqa: DTZ001 (a local rule)
        except (ValueError, TypeError) as exc:
            raise ValidationError(
                {"rule": _("This is not a recurrence rule: %(error)s") % {"error": exc}}
            ) from exc


#: What a version of a series reads from its shared row as if it were its own.
SERIES_SHARED_FIELDS = (
    "organisation", "rule", "first_start", "duration_minutes", "time_zone", "display_zones",
    "online_url", "capacity", "is_published",
)  # fmt: skip


class Series(TranslationModel):
    """One language version of a recurring event, such as a monthly webinar: its texts.

    The rule, times and settings are its ``shared`` row (``SeriesShared``),
    read through the version as ``series.rule``. Each date becomes an
    ``Event`` row (an occurrence) in each language, that can be edited or
    cancelled on its own.
    """

    shared_attributes = (*SERIES_SHARED_FIELDS, "organisation_id", "kind")

    shared = models.ForeignKey(
        SeriesShared,
        verbose_name=_("series in every language"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    title = OneLineCharField(_("title"), max_length=250)
    slug = models.SlugField(_("short name in addresses"), max_length=100)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["title"]
        constraints = version_constraints(
            slug_taken=_("Another series in this language has this address."),
            version_exists=_("This series already has a version in this language."),
        )

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("events:series-detail", kwargs={"slug": self.slug})

    @property
    def occurrences(self):
        """The series' occurrences in this version's language."""
        return Event.objects.filter(shared__series_id=self.shared_id, language=self.language)


class EventShared(TranslatableModel):
    """What every language version of an event shares: when, where, how many, and its status.

    ``starts_at`` and ``ends_at`` are stored in UTC and shown in
    ``time_zone`` and in ``display_zones``. The join link of an online
    event reaches registrants only (their email, their registration page).
    An event of a series is an occurrence: ``occurrence_start`` is the time
    the rule gave it, which names it even after it is moved. An event
    offered through a campaign's host form waits as ``pending`` until a
    coordinator approves it; its host manages it through a private link.
    Cancelling, publishing, moving or resizing it is one write that every
    version sees. Its id is the event's translation key, under which people
    register (a registration is for the event in every language).
    """

    class Kind(models.TextChoices):
        ONLINE = "online", _("online")
        IN_PERSON = "in_person", _("in person")
        HYBRID = "hybrid", _("in person and online")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PENDING = "pending", _("awaiting approval")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")
        REJECTED = "rejected", _("not approved")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ONLINE)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("host organisation"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    host_group = OneLineCharField(
        _("local group hosting"), max_length=200, blank=True, help_text=_("For hosted events.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    display_zones = models.JSONField(
        _("also show the time in"),
        default=list,
        blank=True,
        validators=[validate_time_zones],
        help_text=_('For example ["America/New_York", "America/Los_Angeles"].'),
    )
    venue_name = OneLineCharField(_("venue"), max_length=200, blank=True)
    street_address = OneLineCharField(_("street address"), max_length=250, blank=True)
    city = OneLineCharField(_("city"), max_length=120, blank=True)
    postal_code = OneLineCharField(_("postal code"), max_length=20, blank=True)
    country = CountryField(_("country"), blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    online_url = models.URLField(
        _("join link"), blank=True, help_text=_("Only registrants see it, never the public page.")
    )
    capacity = models.PositiveIntegerField(
        _("places"), default=0, help_text=_("0 for no limit. When full, people join a wait list.")
    )
    ask_phone = models.BooleanField(_("ask for a phone number"), default=False)
    reminder_minutes = models.JSONField(
        _("reminders, minutes before the start"),
        default=default_reminders,
        blank=True,
        validators=[validate_reminders],
    )
    recording_url = models.URLField(_("recording"), blank=True)
    series = models.ForeignKey(
        SeriesShared,
        verbose_name=_("series"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="occurrences",
    )
    occurrence_start = models.DateTimeField(
        _("start given by the series rule"), null=True, blank=True, editable=False
    )
    campaign = models.ForeignKey(
        CampaignShared,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    host_person = models.ForeignKey(
        "people.Person",
        verbose_name=_("host"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_events",
    )
    host_key = models.CharField(
        _("host management key"), max_length=64, default=new_host_key, editable=False
    )

    class Meta:
        verbose_name = _("event in every language")
        verbose_name_plural = _("events in every language")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "occurrence_start"],
                condition=Q(series__isnull=False),
                name="%(app_label)s_%(class)s_one_per_occurrence",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("The event must end after it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="events_eventshared_listed_idx")
        ]

    def __str__(self):
        version = self.version_in()
        return version.title if version else str(self.pk)

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("The event must end after it starts.")})


#: What a version of an event reads from its shared row as if it were its own
#: (and what ``event_save`` writes once for every version).
EVENT_SHARED_FIELDS = (
    "kind", "starts_at", "ends_at", "time_zone", "display_zones", "venue_name",
    "street_address", "city", "postal_code", "country", "latitude", "longitude",
    "online_url", "capacity", "status", "reminder_minutes", "recording_url",
    "organisation", "host_group", "ask_phone", "host_person", "occurrence_start",
)  # fmt: skip


class Event(TranslationModel):
    """One language version of something people come to: a webinar, a rally, a meeting.

    Its title, address, summary, description, extra questions and report;
    the rest (times, place, capacity, status, host) is its ``shared`` row
    (``EventShared``), read through the version as ``event.starts_at``.
    ``event.series`` and ``event.campaign`` are the series' and campaign's
    versions in the event's language (or another when there is none).
    """

    Kind = EventShared.Kind
    Status = EventShared.Status
    shared_attributes = (
        *EVENT_SHARED_FIELDS, "organisation_id", "host_person_id", "host_key",
    )  # fmt: skip

    shared = models.ForeignKey(
        EventShared,
        verbose_name=_("event in every language"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    title = OneLineCharField(_("title"), max_length=250)
    slug = models.SlugField(_("short name in addresses"), max_length=120)
    summary = OneLineCharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    questions = models.JSONField(
        _("extra questions"),
        default=list,
        blank=True,
        help_text=_('Questions asked when registering, for example ["Your union?"].'),
    )
    report = models.TextField(_("report"), blank=True, help_text=_("Markdown, after the event."))

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["shared__starts_at"]
        constraints = version_constraints(
            slug_taken=_("Another event in this language has this address."),
            version_exists=_("This event already has a version in this language."),
        )

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("events:event-detail", kwargs={"slug": self.slug})

    @property
    def series(self) -> Series | None:
        """The series this is an occurrence of, in this version's language if it has one."""
        series = self.shared.series
        return series.version_in(self.language) if series is not None else None

    @property
    def campaign(self) -> Campaign | None:
        """The campaign this event is part of, in this version's language if it has one."""
        campaign = self.shared.campaign
        return campaign.version_in(self.language) if campaign is not None else None

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def is_online(self) -> bool:
        return self.kind in (self.Kind.ONLINE, self.Kind.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.kind in (self.Kind.IN_PERSON, self.Kind.HYBRID)

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def is_open_for_registration(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.starts_at > timezone.now()

    @property
    def has_place(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Speaker(models.Model):
    """A person who speaks at an event, as shown on its page."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="speakers"
    )
    name = OneLineCharField(_("name"), max_length=200)
    role = OneLineCharField(_("role"), max_length=200, blank=True)
    bio = models.TextField(_("short bio"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="speakers/", blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class Registration(TimeStampedModel):
    """A person's place at an event (all language versions), or on its wait list.

    ``translation_key`` is the event in every language (its ``EventShared``
    row), which the place, the count and the wait list are at; ``event`` is
    the version the person registered through, whose language their emails
    link to.

    One per person per event: registering again with the same email
    returns the same registration (and restores a cancelled one). When a
    confirmed registrant cancels, the first person on the wait list is moved
    up and told by email. ``answers`` (to the event's extra questions) are
    encrypted like other personal data.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("registered")
        WAITLISTED = "waitlisted", _("on the wait list")
        CANCELLED = "cancelled", _("cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    #: The event in every language (its ``EventShared`` id), which the place is at.
    translation_key = models.UUIDField(editable=False, db_index=True)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="event_registrations",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.CONFIRMED
    )
    answers = EncryptedTextField(_("answers"), blank=True)
    share_with_host = models.BooleanField(_("shares contact details with the host"), default=False)
    via_series = models.BooleanField(_("registered for the whole series"), default=False)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("moved up from the wait list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_key", "person"],
                name="%(app_label)s_%(class)s_one_per_person",
                violation_error_message=_("This person is already registered for this event."),
            )
        ]
        indexes = [
            models.Index(fields=["translation_key", "status"], name="events_registration_tk_idx")
        ]

    def __str__(self):
        return str(_("registration %(ref)s")) % {"ref": str(self.pk)[:8]}


class SeriesRegistration(TimeStampedModel):
    """A person registered for every occurrence of a series, present and future."""

    series_key = models.UUIDField(_("series"), db_index=True)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="series_registrations",
    )
    language = LanguageField(_("language"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("series registration")
        verbose_name_plural = _("series registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["series_key", "person"], name="%(app_label)s_%(class)s_one_per_person"
            )
        ]

    def __str__(self):
        return str(self.series_key)


class HostMessage(TimeStampedModel):
    """An email a host wrote to their event's registrants through the management page.

    The host is a supporter, and what they wrote may say who and where they
    are: subject and body are encrypted.
    """

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="host_messages"
    )
    #: Identifies the row in the encryption of its personal fields (the id is numbered).
    row_key = models.UUIDField(default=uuid.uuid4, editable=False)
    subject = EncryptedTextField(_("subject"), max_length=200, row_key="row_key", one_line=True)
    body = EncryptedTextField(_("message"), row_key="row_key")
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("message from a host")
        verbose_name_plural = _("messages from hosts")

    def __str__(self):
        # No personal data: this text lands in admin history and titles.
        return str(_("message of %(date)s")) % {
            "date": f"{self.created_at:%Y-%m-%d}" if self.created_at else "—"
        }


class PendingEvent(Event):
    """The approval queue: events offered through a campaign's host form."""

    class Meta:
        proxy = True
        verbose_name = _("hosted event awaiting approval")
        verbose_name_plural = _("approval queue")
