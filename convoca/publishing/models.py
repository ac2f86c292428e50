"""Articles (a shared row, a version per language), topics, photos, the Weekly, press."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from convoca.core.fields import OneLineCharField, OneLineLabelsField
from convoca.core.i18n import label_in_language
from convoca.core.models import TimeStampedModel
from convoca.core.translatable import TranslatableModel, TranslationModel, version_constraints


class Topic(models.Model):
    """A subject that texts, links and coverage are filed under ("Venezuela", "Sanctions").

    One row for every language: its name is a ``{language: name}`` label,
    its address the same slug under each language's prefix.
    """

    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    name = OneLineLabelsField(_("name"), default=dict, help_text=_("The name in each language."))
    description = models.JSONField(_("description"), default=dict, blank=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["slug"]

    def __str__(self):
        return self.label() or self.slug

    def get_absolute_url(self):
        return reverse("publishing:topic-detail", kwargs={"slug": self.slug})

    def label(self, language: str | None = None) -> str:
        return label_in_language(self.name, language)

    def description_in(self, language: str | None = None) -> str:
        return label_in_language(self.description or {}, language)


def _image_path(image_id, width: int) -> str:
    return f"publishing/images/{image_id}/{width}.jpg"


class Image(TimeStampedModel):
    """A photo uploaded for articles, kept only as re-encoded copies at a few widths.

    The upload itself is never stored: each width is a new JPEG made from
    its pixels alone, so EXIF (GPS position, camera serial, author), XMP and
    IPTC metadata are gone: protest photos must not locate the people in
    them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="images",
    )
    title = OneLineCharField(_("title"), max_length=200, help_text=_("For finding it again."))
    credit = OneLineCharField(_("credit"), max_length=200, blank=True)
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    widths = models.JSONField(_("stored widths"), default=list, editable=False)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def path(self, width: int) -> str:
        return _image_path(self.pk, width)

    def url(self, width: int | None = None) -> str:
        from django.core.files.storage import default_storage

        if not self.widths:
            return ""
        if width is None:
            # The middle width: sharp in an article column, light on a phone.
            width = sorted(self.widths)[min(1, len(self.widths) - 1)]
        return default_storage.url(self.path(width))

    @property
    def srcset(self) -> str:
        return ", ".join(f"{self.url(w)} {w}w" for w in sorted(self.widths))

    def height_at(self, width: int) -> int:
        return round(self.height * width / self.width) if self.width else 0

    @property
    def src_width(self) -> int:
        return sorted(self.widths)[min(1, len(self.widths) - 1)] if self.widths else 0

    @property
    def src_height(self) -> int:
        return self.height_at(self.src_width)


class ArticleKind(models.TextChoices):
    STATEMENT = "statement", _("statement")
    NEWS = "news", _("news")
    ANALYSIS = "analysis", _("analysis")
    OPEN_LETTER = "open_letter", _("open letter")
    ANNOUNCEMENT = "announcement", _("announcement")


class ArticleShared(TranslatableModel):
    """What every language version of a text shares: one row per statement, news or letter.

    Its kind, organisation, topics, featured photo and related pages are
    set once for all versions, and taking the text off the site
    (``withdrawn``) takes off every version at once. Each version keeps its
    own publication state and time: a statement goes out in English while
    its Spanish translation is still a draft. Its id is the text's
    translation key.
    """

    kind = models.CharField(
        _("kind"), max_length=16, choices=ArticleKind.choices, default=ArticleKind.STATEMENT
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    withdrawn = models.BooleanField(
        _("taken off the site"),
        default=False,
        help_text=_("No version is shown, in any language, until it is published again."),
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="articles", blank=True
    )
    image = models.ForeignKey(
        Image,
        verbose_name=_("featured image"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    related_actions = models.ManyToManyField(
        "actions.Action",
        verbose_name=_("related actions"),
        related_name="related_articles",
        blank=True,
        help_text=_("Shown beside the text, in the reader's language when there is a version."),
    )
    related_events = models.ManyToManyField(
        "events.Event",
        verbose_name=_("related events"),
        related_name="related_articles",
        blank=True,
        help_text=_("Upcoming ones are shown beside the text, in the reader's language."),
    )

    class Meta:
        verbose_name = _("article in every language")
        verbose_name_plural = _("articles in every language")

    def __str__(self):
        version = self.version_in()
        return version.title if version else str(self.pk)


#: What an article's versions share, by field name (set on ``ArticleShared``).
ARTICLE_SHARED_FIELDS = (
    "kind",
    "organisation",
    "withdrawn",
    "topics",
    "image",
    "related_actions",
    "related_events",
)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(
            shared__withdrawn=False,
            status=Article.Status.PUBLISHED,
            published_at__lte=timezone.now(),
        )


class Article(TranslationModel):
    """One language version of a text the coalition publishes: its texts and publication.

    What every version shares (kind, organisation, topics, photo, related
    pages, being taken off the site) is its ``shared`` row's, read through
    the version (``article.kind``). Each version has its own slug and its
    own publication state and time, so a translation is published when it
    is ready. A version is public once published, its publication time has
    come (so it can be scheduled) and the text is not taken off the site.
    """

    Kind = ArticleKind

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    shared_attributes = (*ARTICLE_SHARED_FIELDS, "organisation_id", "image_id")

    shared = models.ForeignKey(
        ArticleShared,
        verbose_name=_("article in every language"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    title = OneLineCharField(_("title"), max_length=250)
    slug = models.SlugField(_("short name in addresses"), max_length=120)
    standfirst = models.TextField(
        _("standfirst"), blank=True, help_text=_("One paragraph that sums up the text.")
    )
    body = models.TextField(_("text"), help_text=_("Markdown: headings, links, quotes, lists."))
    byline = OneLineCharField(_("byline"), max_length=200, blank=True)
    dateline = OneLineCharField(
        _("dateline place"),
        max_length=120,
        blank=True,
        help_text=_("Where it was written, e.g. Tucson, AZ."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    image_alt = OneLineCharField(
        _("image description"),
        max_length=300,
        blank=True,
        help_text=_("What the photo shows, for readers who cannot see it."),
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            *version_constraints(
                slug_taken=_("Another article in this language has this address."),
                version_exists=_("This text already has a version in this language."),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="%(app_label)s_%(class)s_published_has_time",
                violation_error_message=_("A published article needs a publication time."),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        # The photo is every version's; its description is in each version's language.
        has_shared = self.shared_id is not None or "shared" in self._state.fields_cache
        if has_shared and self.shared.image_id is not None and not self.image_alt.strip():
            raise ValidationError(
                {"image_alt": _("Describe the featured image for readers who cannot see it.")}
            )

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("publishing:article-detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return (
            not self.shared.withdrawn
            and self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


def link_languages():
    return [
        *settings.LANGUAGES,
        ("pt", _("Portuguese")),
        ("fr", _("French")),
        ("other", _("other")),
    ]


class WeeklyIssueQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=WeeklyIssue.Status.PUBLISHED)


class WeeklyIssue(TimeStampedModel):
    """One numbered, dated issue of the Weekly: curated links grouped in sections.

    It is one issue for every language (an introduction and section titles
    per language; each link keeps its own language). It is published on its
    ``publish_at`` time (the next Friday by default) as a page in the
    archive and handed to the mailings engine once.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        PUBLISHED = "published", _("published")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="weekly_issues",
    )
    number = models.PositiveIntegerField(_("number"), unique=True)
    date = models.DateField(_("date"))
    intro = models.JSONField(
        _("introduction"), default=dict, blank=True, help_text=_("Markdown, in each language.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    mailing_handed_over_at = models.DateTimeField(
        _("handed to the mailings engine"), null=True, blank=True, editable=False
    )

    objects = WeeklyIssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("Weekly issue")
        verbose_name_plural = _("Weekly issues")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(publish_at__isnull=False),
                name="%(app_label)s_%(class)s_scheduled_has_time",
                violation_error_message=_("A scheduled issue needs a publication time."),
            ),
        ]

    def __str__(self):
        return f"The Weekly #{self.number}"

    def get_absolute_url(self):
        return reverse("publishing:weekly-detail", kwargs={"number": self.number})

    def intro_in(self, language: str | None = None) -> str:
        return label_in_language(self.intro or {}, language)


class WeeklySection(models.Model):
    """A heading of a Weekly issue under which its links are listed, titled in each language."""

    issue = models.ForeignKey(
        WeeklyIssue, verbose_name=_("issue"), on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = OneLineLabelsField(_("title"), default=dict, help_text=_("The title in each language."))

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["issue", "position", "pk"]

    def __str__(self):
        return self.label()

    def label(self, language: str | None = None) -> str:
        return label_in_language(self.title, language)


class WeeklyLink(TimeStampedModel):
    """A link an organiser collected for the Weekly: an article, video or report elsewhere.

    Collected during the week with no issue; put in an issue's section
    when the issue is made up.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", _("article")
        VIDEO = "video", _("video")
        REPORT = "report", _("report")
        AUDIO = "audio", _("audio")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="weekly_links",
    )
    url = models.URLField(_("address"), max_length=2000)
    title = OneLineCharField(_("title"), max_length=300)
    source = OneLineCharField(_("source outlet"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ARTICLE)
    language = models.CharField(_("language"), max_length=8, choices=link_languages, default="en")
    note = OneLineCharField(_("note"), max_length=300, blank=True, help_text=_("One line."))
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="weekly_links",
    )
    issue = models.ForeignKey(
        WeeklyIssue,
        verbose_name=_("issue"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="links",
    )
    section = models.ForeignKey(
        WeeklySection,
        verbose_name=_("section"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="links",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("Weekly link")
        verbose_name_plural = _("Weekly links")
        ordering = ["position", "created_at"]

    def __str__(self):
        return self.title


class PressCoverage(TimeStampedModel):
    """A piece of press coverage the campaign got: an article, an interview, a wire story."""

    class Medium(models.TextChoices):
        NEWSPAPER = "newspaper", _("newspaper")
        TELEVISION = "television", _("television")
        RADIO = "radio", _("radio")
        AGENCY = "agency", _("news agency")
        WEB = "web", _("web")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="press_coverage",
    )
    outlet = OneLineCharField(_("outlet"), max_length=200)
    medium = models.CharField(_("medium"), max_length=16, choices=Medium.choices)
    country = CountryField(_("country"), blank=True)
    date = models.DateField(_("date"))
    headline = OneLineCharField(_("headline"), max_length=300)
    url = models.URLField(_("address"), max_length=2000, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=link_languages, default="en")
    action = models.ForeignKey(
        "actions.Action",
        verbose_name=_("action"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="press_coverage",
    )
    campaign = OneLineCharField(
        _("campaign"),
        max_length=200,
        blank=True,
        help_text=_("When it is about a campaign rather than one action."),
    )
    public = models.BooleanField(_("shown in “In the media”"), default=True)

    class Meta:
        verbose_name = _("press coverage")
        verbose_name_plural = _("press coverage")
        ordering = ["-date", "outlet"]

    def __str__(self):
        return f"{self.outlet}: {self.headline}"
