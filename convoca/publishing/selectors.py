"""Reads of published texts, the Weekly and press coverage."""

from __future__ import annotations

import re
from datetime import datetime

from django.db import connection
from django.db.models import Count, F, Func, Prefetch, QuerySet, TextField, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from convoca.publishing.models import (
    Article,
    PressCoverage,
    Topic,
    WeeklyIssue,
    WeeklyLink,
)


def article_get_public(*, language: str, slug: str) -> Article | None:
    return (
        Article.objects.published()
        .filter(language=language, slug=slug)
        .select_related("shared__organisation", "shared__image")
        .prefetch_related("shared__topics")
        .first()
    )


def article_list_public(
    *,
    language: str,
    topic: Topic | None = None,
    month: datetime | None = None,
    kinds: list[str] | None = None,
) -> QuerySet[Article]:
    articles = Article.objects.published().filter(language=language)
    if topic is not None:
        articles = articles.filter(shared__topics=topic)
    if month is not None:
        end = (
            month.replace(year=month.year + 1, month=1)
            if month.month == 12
            else month.replace(month=month.month + 1)
        )
        articles = articles.filter(published_at__gte=month, published_at__lt=end)
    if kinds:
        articles = articles.filter(shared__kind__in=kinds)
    return articles.select_related("shared__organisation", "shared__image")


def article_list_latest(*, language: str, limit: int = 5) -> QuerySet[Article]:
    return article_list_public(language=language)[:limit]


def article_translations(article: Article) -> list[Article]:
    """The other published language versions of this text."""
    return list(
        Article.objects.published()
        .filter(shared_id=article.shared_id)
        .exclude(pk=article.pk)
        .order_by("language")
    )


def article_months(*, language: str) -> list[dict]:
    """``{"month": aware datetime, "count": n}`` for every month with a published article."""
    return list(
        Article.objects.published()
        .filter(language=language)
        .annotate(month=TruncMonth("published_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(count=Count("id"))
        .order_by("-month")
    )


def article_related_actions(article: Article) -> list:
    """The related actions, each in the article's language when it has a version in it."""
    from convoca.actions.models import Action

    chosen = list(article.related_actions.exclude(shared__status=Action.Status.DRAFT))
    if not chosen:
        return []
    local = {
        a.translation_key: a
        for a in Action.objects.filter(
            shared_id__in=[a.translation_key for a in chosen], language=article.language
        ).exclude(shared__status=Action.Status.DRAFT)
    }
    return list({a.translation_key: local.get(a.translation_key, a) for a in chosen}.values())


def article_related_events(article: Article) -> list:
    """The related events still to come, published, each in the article's language if it can be."""
    from convoca.events.models import Event
    from convoca.events.selectors import event_in_language

    chosen = (
        article.related_events.filter(
            shared__status=Event.Status.PUBLISHED, shared__ends_at__gt=timezone.now()
        )
        .select_related("shared")
        .order_by("shared__starts_at")
    )
    return list(
        {e.translation_key: event_in_language(e, article.language) for e in chosen}.values()
    )


def topic_list_public(*, language: str) -> list[Topic]:
    """Topics with at least one published article in ``language``, with ``article_count``."""
    now = timezone.now()
    return list(
        Topic.objects.filter(
            articles__withdrawn=False,
            articles__versions__language=language,
            articles__versions__status=Article.Status.PUBLISHED,
            articles__versions__published_at__lte=now,
        ).annotate(article_count=Count("articles__versions"))
    )


def topic_get(*, slug: str) -> Topic | None:
    return Topic.objects.filter(slug=slug).first()


# --- Search ----------------------------------------------------------------------------

SEARCH_CONFIGS = {"en": "english", "es": "spanish"}
# PostgreSQL's text search keeps accents unless the unaccent extension is
# installed (which needs a superuser); translate() folds the usual Latin ones
# in the documents, and the same table folds the query.
_ACCENTED = "áàâäãåéèêëíìîïóòôöõúùûüñçÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇ"
_PLAIN = "aaaaaaeeeeiiiiooooouuuuncAAAAAAEEEEIIIIOOOOOUUUUNC"
_FOLD = str.maketrans(_ACCENTED, _PLAIN)
_WORD = re.compile(r"\w+", re.UNICODE)


def article_search(*, query: str, language: str | None = None, limit: int = 50) -> list[Article]:
    """Published articles matching ``query`` in their title, standfirst or text, best first.

    ``language`` None searches both languages. SQLite uses its FTS5 index
    (accents ignored, the last word matched as a prefix); PostgreSQL its
    text search with each article's language's stemming.
    """
    words = _WORD.findall(query)[:12]
    if not words:
        return []
    published = Article.objects.published().select_related("shared__organisation")
    if language:
        published = published.filter(language=language)
    if connection.vendor == "postgresql":
        return _search_postgresql(published, query, language, limit)
    return _search_sqlite(published, words, limit)


def _search_sqlite(published, words: list[str], limit: int) -> list[Article]:
    # Each word quoted, so nothing a visitor types is FTS5 syntax.
    match = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM publishing_article_fts WHERE publishing_article_fts MATCH %s "
            "ORDER BY bm25(publishing_article_fts, 10.0, 4.0, 1.0) LIMIT 500",
            [match.strip()],
        )
        ranked = [row[0] for row in cursor.fetchall()]
    found = {a.pk: a for a in published.filter(pk__in=ranked)}
    return [found[pk] for pk in ranked if pk in found][:limit]


def _folded(field: str) -> Func:
    return Func(
        F(field), Value(_ACCENTED), Value(_PLAIN), function="translate", output_field=TextField()
    )


def _search_postgresql(published, query: str, language: str | None, limit: int) -> list[Article]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    results = []
    for code, config in SEARCH_CONFIGS.items():
        if language and code != language:
            continue
        vector = (
            SearchVector(_folded("title"), weight="A", config=config)
            + SearchVector(_folded("standfirst"), weight="B", config=config)
            + SearchVector(_folded("body"), weight="C", config=config)
        )
        search = SearchQuery(query.translate(_FOLD), config=config, search_type="websearch")
        results += list(
            published.filter(language=code)
            .annotate(document=vector, rank=SearchRank(vector, search))
            .filter(document=search)
            .order_by("-rank")[:limit]
        )
    results.sort(key=lambda a: a.rank, reverse=True)
    return results[:limit]


# --- The Weekly ------------------------------------------------------------------------


def weekly_issue_list_public() -> QuerySet[WeeklyIssue]:
    return WeeklyIssue.objects.published().order_by("-number")


def weekly_issue_latest() -> WeeklyIssue | None:
    return weekly_issue_list_public().first()


def weekly_issue_get_public(*, number: int) -> WeeklyIssue | None:
    return weekly_issue_list_public().filter(number=number).first()


def weekly_issue_sections(issue: WeeklyIssue, language: str | None = None) -> list[tuple]:
    """``(section title, links)`` in order; links in no section come last, titled ""."""
    sections = list(
        issue.sections.prefetch_related(
            Prefetch(
                "links",
                queryset=WeeklyLink.objects.filter(issue=issue).order_by("position", "created_at"),
            )
        )
    )
    grouped = [(s.label(language), list(s.links.all())) for s in sections]
    loose = list(issue.links.filter(section__isnull=True).order_by("position", "created_at"))
    if loose:
        grouped.append(("", loose))
    return [(title, links) for title, links in grouped if links]


# --- Press coverage -------------------------------------------------------------------


def press_coverage_grouped(*, language: str) -> list[dict]:
    """Public coverage by campaign, then by country (names in ``language``), newest first.

    A campaign is the action's title in ``language`` when the coverage is
    about an action (its version in that language if it has one), else the
    campaign label, else "Other coverage".
    """
    from convoca.actions.models import Action

    items = list(
        PressCoverage.objects.filter(public=True)
        .select_related("action")
        .order_by("-date", "outlet")
    )
    keys = {c.action.translation_key for c in items if c.action}
    local = {
        a.translation_key: a
        for a in Action.objects.filter(shared_id__in=keys, language=language).exclude(
            shared__status=Action.Status.DRAFT
        )
    }
    campaigns: dict[str, dict] = {}
    for item in items:
        if item.action:
            action = local.get(item.action.translation_key, item.action)
            name, url = (
                action.title,
                (action.get_absolute_url() if action.status != Action.Status.DRAFT else ""),
            )
        else:
            name, url = item.campaign or _("Other coverage"), ""
        campaign = campaigns.setdefault(name, {"name": name, "url": url, "countries": {}})
        country = str(item.country.name) if item.country else _("International")
        campaign["countries"].setdefault(country, []).append(item)
    return [
        {
            "name": c["name"],
            "url": c["url"],
            "count": sum(len(v) for v in c["countries"].values()),
            "countries": sorted(c["countries"].items()),
        }
        for c in campaigns.values()
    ]


def topic_weekly_links(*, topic: Topic, limit: int = 10) -> list[WeeklyLink]:
    return list(
        WeeklyLink.objects.filter(topic=topic, issue__status=WeeklyIssue.Status.PUBLISHED)
        .select_related("issue")
        .order_by("-issue__number", "position")[:limit]
    )


def press_coverage_count() -> int:
    return PressCoverage.objects.filter(public=True).count()
