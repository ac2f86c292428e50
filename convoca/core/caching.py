"""Whole-page caching for public pages that are the same for every visitor."""

from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import caches
from django.views.decorators.cache import cache_page

#: In the default cache (shared between processes when it is Redis): bumped
#: by ``public_pages_invalidate`` so every cached page is missed at once.
GENERATION_KEY = "convoca:public-pages:generation"


@lru_cache(maxsize=512)
def _cached_view(view, seconds: int, generation: int):
    # Built once per view and generation: wrapping a view builds a cache
    # middleware, too costly to repeat on every hit of a cached page.
    return cache_page(seconds, cache="pages", key_prefix=f"g{generation}")(view)


def _generation() -> int:
    return caches["default"].get(GENERATION_KEY, 0)


def public_page(view):
    """Cache the view's response in this process for ``PAGE_CACHE_SECONDS``.

    Only for pages with no form, no session and nothing personal: the same
    bytes go to every visitor of that URL. The cache sits inside the
    middleware, so security headers and cookies are added afresh to every
    response. Edits show up once the entry expires, or at once after
    ``public_pages_invalidate``.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.CONVOCA_PAGE_CACHE_SECONDS
        if not seconds:
            return view(request, *args, **kwargs)
        return _cached_view(view, seconds, _generation())(request, *args, **kwargs)

    return wrapped


def public_pages_invalidate() -> None:
    """Forget every cached public page, after a change that shows on them.

    This process's pages go at once; other processes miss theirs at once
    when the default cache is shared (Redis), else when their entries
    expire (at most ``PAGE_CACHE_SECONDS`` later).
    """
    cache = caches["default"]
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, timeout=None)
    caches["pages"].clear()
