"""/sitemap.xml: every public page in every language, with its language versions."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from convoca.core.caching import public_page
from convoca.publishing.models import Article, Topic
from convoca.publishing.selectors import weekly_issue_list_public


def _each_language(name: str, **kwargs) -> dict[str, str]:
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = settings.SITE_URL + reverse(name, kwargs=kwargs)
    return urls


def _entries():
    """``(url, lastmod, {language: url})`` for every public page."""
    from convoca.actions.selectors import action_list_open

    for name in (
        "home",
        "publishing:article-list",
        "publishing:weekly-list",
        "publishing:press-list",
    ):
        versions = _each_language(name)
        for url in versions.values():
            yield url, None, versions
    groups: dict = {}
    for article in Article.objects.published().only(
        "slug", "language", "translation_key", "updated_at"
    ):
        groups.setdefault(article.translation_key, []).append(article)
    for versions in groups.values():
        alternates = {a.language: settings.SITE_URL + a.get_absolute_url() for a in versions}
        for article in versions:
            yield alternates[article.language], article.updated_at, alternates
    for topic in Topic.objects.filter(articles__in=Article.objects.published()).distinct():
        versions = _each_language("publishing:topic-detail", slug=topic.slug)
        for url in versions.values():
            yield url, None, versions
    for issue in weekly_issue_list_public():
        versions = _each_language("publishing:weekly-detail", number=issue.number)
        for url in versions.values():
            yield url, issue.updated_at, versions
    actions: dict = {}
    for code, _name in settings.LANGUAGES:
        for action in action_list_open(language=code):
            actions.setdefault(action.translation_key, []).append(action)
    for versions in actions.values():
        alternates = {a.language: settings.SITE_URL + a.get_absolute_url() for a in versions}
        for action in versions:
            yield alternates[action.language], action.updated_at, alternates


@public_page
@require_safe
def sitemap(request):
    entries = [
        {"url": url, "lastmod": lastmod, "alternates": sorted(alt.items()) if len(alt) > 1 else []}
        for url, lastmod, alt in _entries()
    ]
    return render(
        request, "publishing/sitemap.xml", {"entries": entries}, content_type="application/xml"
    )
