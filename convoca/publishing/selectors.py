"""Reads of published texts."""

from django.db.models import QuerySet

from convoca.publishing.models import Article


def article_get_public(*, language: str, slug: str) -> Article | None:
    return (
        Article.objects.published()
        .filter(language=language, slug=slug)
        .select_related("organisation")
        .first()
    )


def article_list_latest(*, language: str, limit: int = 5) -> QuerySet[Article]:
    return (
        Article.objects.published().filter(language=language).select_related("organisation")[:limit]
    )


def article_translations(article: Article) -> list[Article]:
    """The other published language versions of this text."""
    return list(
        Article.objects.published()
        .filter(translation_key=article.translation_key)
        .exclude(pk=article.pk)
        .order_by("language")
    )
