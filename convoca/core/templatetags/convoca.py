from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info

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
