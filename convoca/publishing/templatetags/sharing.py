"""Sharing metadata any public page can put in its <head>.

    {% load sharing %}
    {% block head %}{% share_meta title=action.title description=action.summary
                                  image=action.image hreflang=versions %}{% endblock %}

``hreflang`` is ``{language: path}`` for every language version of the page
(this one included); ``image`` a publishing ``Image``, an absolute URL or a
path. Without ``url`` the canonical address is the request's path.
"""

from django import template
from django.conf import settings
from django.utils.translation import get_language

register = template.Library()

OG_LOCALES = {"en": "en_GB", "es": "es_ES"}


def _absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


@register.inclusion_tag("publishing/includes/share_meta.html", takes_context=True)
def share_meta(
    context,
    title,
    description="",
    url=None,
    image=None,
    image_alt="",
    kind="website",
    hreflang=None,
    published=None,
):
    request = context.get("request")
    language = get_language() or settings.LANGUAGE_CODE
    canonical = _absolute(url or (request.path if request else "/"))
    if image is not None and hasattr(image, "url") and hasattr(image, "widths"):
        image_url, image_width, image_height = (
            image.url(max(image.widths)) if image.widths else "",
            max(image.widths, default=0),
            image.height,
        )
    else:
        image_url, image_width, image_height = (image or ""), 0, 0
    alternates = sorted((code, _absolute(path)) for code, path in (hreflang or {}).items())
    default = dict(alternates).get(settings.LANGUAGE_CODE)
    return {
        "title": title,
        "description": " ".join(str(description or "").split())[:300],
        "canonical": canonical,
        "image_url": _absolute(image_url),
        "image_width": image_width,
        "image_height": image_height,
        "image_alt": image_alt,
        "kind": kind,
        "locale": OG_LOCALES.get(language, language),
        "other_locales": [
            OG_LOCALES.get(code, code) for code, _u in alternates if code != language
        ],
        "alternates": alternates if len(alternates) > 1 else [],
        "x_default": default if len(alternates) > 1 else None,
        "published": published,
        "site_name": settings.SITE_NAME,
    }
