from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_info
from django.views.decorators.http import require_safe

from convoca.core.caching import public_page
from convoca.core.markdown import markdown_render
from convoca.publishing.selectors import article_get_public, article_translations


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
    return render(
        request,
        "publishing/article_detail.html",
        {
            "article": article,
            "body": markdown_render(article.body),
            "translations": translations,
            # The language switcher goes to the translation, or to the home
            # page of a language the text has no version in.
            "alternates": {
                **{code: _home(code) for code, _name in settings.LANGUAGES},
                **{t["article"].language: t["url"] for t in translations},
            },
        },
    )


def _home(language: str) -> str:
    with translation.override(language):
        return reverse("home")
