from datetime import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language_info
from django.views.decorators.http import require_safe

from convoca.core.caching import public_page
from convoca.core.markdown import markdown_render
from convoca.publishing.forms import SearchForm
from convoca.publishing.selectors import (
    article_get_public,
    article_list_public,
    article_months,
    article_related_actions,
    article_related_events,
    article_search,
    article_translations,
    press_coverage_grouped,
    topic_get,
    topic_list_public,
    topic_weekly_links,
    weekly_issue_get_public,
    weekly_issue_list_public,
    weekly_issue_sections,
)

PAGE_SIZE = 20


def _home(language: str) -> str:
    with translation.override(language):
        return reverse("home")


def _same_page_in_each_language(name: str, **kwargs) -> dict[str, str]:
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = reverse(name, kwargs=kwargs)
    return urls


@public_page
@require_safe
def article_detail(request, slug):
    article = article_get_public(language=request.LANGUAGE_CODE, slug=slug)
    if article is None:
        raise Http404
    translations = [
        {
            "article": other,
            "url": other.get_absolute_url(),
            "language_name": get_language_info(other.language)["name_local"],
        }
        for other in article_translations(article)
    ]
    # The language switcher goes to the translation, or to the home
    # page of a language the text has no version in.
    versions = {t["article"].language: t["url"] for t in translations}
    return render(
        request,
        "publishing/article_detail.html",
        {
            "article": article,
            "body": markdown_render(article.body),
            "translations": translations,
            "topics": list(article.topics.all()),
            "related_actions": article_related_actions(article),
            "related_events": article_related_events(article),
            "alternates": {
                **{code: _home(code) for code, _name in settings.LANGUAGES},
                **versions,
            },
            "hreflang": {article.language: article.get_absolute_url(), **versions},
        },
    )


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


@public_page
@require_safe
def article_list(request):
    language = request.LANGUAGE_CODE
    return render(
        request,
        "publishing/article_list.html",
        {
            "page": _page(request, article_list_public(language=language)),
            "months": article_months(language=language),
            "topics": topic_list_public(language=language),
            "hreflang": _same_page_in_each_language("publishing:article-list"),
        },
    )


@public_page
@require_safe
def article_archive_month(request, year, month):
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    start = datetime(year, month, 1, tzinfo=timezone.get_current_timezone())
    articles = article_list_public(language=request.LANGUAGE_CODE, month=start)
    if not articles.exists():
        raise Http404
    return render(
        request,
        "publishing/article_archive_month.html",
        {
            "month": start,
            "page": _page(request, articles),
            "months": article_months(language=request.LANGUAGE_CODE),
            "hreflang": _same_page_in_each_language(
                "publishing:article-month", year=year, month=month
            ),
        },
    )


@public_page
@require_safe
def topic_detail(request, slug):
    topic = topic_get(slug=slug)
    if topic is None:
        raise Http404
    return render(
        request,
        "publishing/topic_detail.html",
        {
            "topic": topic,
            "name": topic.label(request.LANGUAGE_CODE),
            "description": topic.description_in(request.LANGUAGE_CODE),
            "page": _page(
                request, article_list_public(language=request.LANGUAGE_CODE, topic=topic)
            ),
            "links": topic_weekly_links(topic=topic),
            "hreflang": _same_page_in_each_language("publishing:topic-detail", slug=slug),
        },
    )


@require_safe
def article_search_view(request):
    form = SearchForm(request.GET or None, language=request.LANGUAGE_CODE)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        language = form.cleaned_data["language"]
        results = article_search(
            query=form.cleaned_data["q"], language=None if language == "all" else language
        )
    return render(request, "publishing/article_search.html", {"form": form, "results": results})


@public_page
@require_safe
def weekly_list(request):
    return render(
        request,
        "publishing/weekly_list.html",
        {
            "page": _page(request, weekly_issue_list_public()),
            "hreflang": _same_page_in_each_language("publishing:weekly-list"),
        },
    )


@public_page
@require_safe
def weekly_detail(request, number):
    issue = weekly_issue_get_public(number=number)
    if issue is None:
        raise Http404
    return render(
        request,
        "publishing/weekly_detail.html",
        {
            "issue": issue,
            "intro": markdown_render(issue.intro_in(request.LANGUAGE_CODE)),
            "sections": weekly_issue_sections(issue, request.LANGUAGE_CODE),
            "previous": weekly_issue_list_public().filter(number__lt=number).first(),
            "next": weekly_issue_list_public().filter(number__gt=number).last(),
            "hreflang": _same_page_in_each_language("publishing:weekly-detail", number=number),
        },
    )


@public_page
@require_safe
def press_list(request):
    return render(
        request,
        "publishing/press_list.html",
        {
            "campaigns": press_coverage_grouped(language=request.LANGUAGE_CODE),
            "hreflang": _same_page_in_each_language("publishing:press-list"),
        },
    )
