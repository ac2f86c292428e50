from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.translation import get_language_info

from convoca.core.i18n import language_note_text

register = template.Library()


@register.simple_tag(takes_context=True)
def other_languages(context):
    """The current page in each other language: code, name in that language, URL."""
    request = context.get("request")
    current = context.get("LANGUAGE_CODE")
    path = request.get_full_path() if request else "/"
    # A page whose other versions live at other addresses (an article with
    # its own slug per language) passes them as ``alternates``.
    alternates = context.get("alternates") or {}
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": alternates.get(code) or translate_url(path, code),
        }
        for code, _name in settings.LANGUAGES
        if code != current
    ]


@register.simple_tag
def language_note(language: str):
    """After a link to a text in another language than the page's: `` (en español)``.

    The link itself carries ``hreflang`` and ``lang``; this says it to the eye.
    """
    if not (text := language_note_text(language)):
        return ""
    return format_html(' <span class="lang-note" lang="{}">{}</span>', language, text)
