"""What every app's ``sitemaps.py`` builds on: public pages, each in its languages.

Each app lists its own public pages in a ``django.contrib.sitemaps.Sitemap``
derived from these classes; the project-level ``convoca.pages`` gathers
them into ``/sitemap.xml``. Every address is listed once per language it
exists in, with ``hreflang`` alternates naming its other versions, and is
made absolute under ``SITE_URL`` (the address the site is published at),
not under whatever Host a request came with.

No ``x-default`` alternate: every public address carries its language
(``/en/``, ``/es/``), so there is no language-neutral version to name;
``/`` only redirects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import translation


class PublicSitemap(Sitemap):
    """Public pages in every language, with their other versions as alternates."""

    i18n = True
    alternates = True

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class NamedPageSitemap(PublicSitemap):
    """Pages that are one address name in every language: a list, a form.

    ``pages`` holds URL names (``"events:event-list"``); each is reversed
    in each language, so a translated path (``/es/eventos/``) is right.
    """

    pages: Sequence[str] = ()

    def items(self) -> list[str]:
        return list(self.pages)

    def location(self, item: str) -> str:
        return reverse(item)


class TranslationGroupSitemap(PublicSitemap):
    """Content kept one row per language: an item is one translation group.

    A subclass defines ``rows()``, the public rows (each with
    ``translation_key``, ``language``, ``updated_at`` and
    ``get_absolute_url``); the rows sharing a ``translation_key`` are one
    item, listed in the languages it has, so a text in English only has no
    Spanish alternate. A subclass without ``rows`` fails when it is defined.
    """

    rows: Callable[[], Iterable]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not callable(getattr(cls, "rows", None)):
            raise TypeError(f"{cls.__name__} must define rows()")

    def items(self) -> list[dict]:
        groups: dict = {}
        for row in self.rows():
            groups.setdefault(row.translation_key, {})[row.language] = row
        return list(groups.values())

    def get_languages_for_item(self, item: dict) -> list[str]:
        return [code for code in self._languages() if code in item]

    def location(self, item: dict) -> str:
        # Django calls this with the version's language active.
        return item[translation.get_language()].get_absolute_url()

    def lastmod(self, item: dict):
        return max(row.updated_at for row in item.values())
