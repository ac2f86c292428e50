"""Articles: statements, news, analysis, open letters, in one language each."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from convoca.core.models import TimeStampedModel


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())


class Article(TimeStampedModel):
    """One language version of a text the coalition publishes.

    Versions of the same text in other languages share a
    ``translation_key``; each has its own slug and its own publication
    state. An article is public once published and its publication time
    has come (so it can be scheduled).
    """

    class Kind(models.TextChoices):
        STATEMENT = "statement", _("statement")
        NEWS = "news", _("news")
        ANALYSIS = "analysis", _("analysis")
        OPEN_LETTER = "open_letter", _("open letter")
        ANNOUNCEMENT = "announcement", _("announcement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    translation_key = models.UUIDField(_("translation group"), default=uuid.uuid4, db_index=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STATEMENT)
    title = models.CharField(_("title"), max_length=250)
    slug = models.SlugField(_("short name in addresses"), max_length=120)
    standfirst = models.TextField(
        _("standfirst"), blank=True, help_text=_("One paragraph that sums up the text.")
    )
    body = models.TextField(_("text"), help_text=_("Markdown: headings, links, quotes, lists."))
    byline = models.CharField(_("byline"), max_length=200, blank=True)
    dateline = models.CharField(
        _("dateline place"),
        max_length=120,
        blank=True,
        help_text=_("Where it was written, e.g. Tucson, AZ."),
    )
    organisation = models.ForeignKey(
        "coalition.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("publication time"), null=True, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "slug"],
                name="%(app_label)s_%(class)s_unique_slug",
                violation_error_message=_("Another article in this language has this address."),
            ),
            models.UniqueConstraint(
                fields=["translation_key", "language"],
                name="%(app_label)s_%(class)s_one_version_per_language",
                violation_error_message=_("This text already has a version in this language."),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="%(app_label)s_%(class)s_published_has_time",
                violation_error_message=_("A published article needs a publication time."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("publishing:article-detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )
