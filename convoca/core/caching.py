"""Whole-page caching for public pages that are the same for every visitor.

A view marked with ``public_page`` has its response kept in this process
(the ``pages`` cache) by ``PublicPageCacheMiddleware``, the innermost
middleware. A later GET of the same address is answered from there before
the URL is even resolved; every middleware around it still runs, so
security headers, the content security policy and cookies are added afresh
to each response, and decorators outside ``public_page`` (``frameable``)
are kept with the response.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.utils.cache import has_vary_header, patch_response_headers

#: In the default cache (shared between processes when it is Redis): bumped
#: by ``public_pages_invalidate`` so every cached page is missed at once.
GENERATION_KEY = "convoca:public-pages:generation"

#: How long a process trusts the generation it read last: at most this
#: late, an edit made through another process clears this one's pages.
GENERATION_TRUST_SECONDS = 1.0

_generation_read: tuple[float, int] = (float("-inf"), 0)


def _generation() -> int:
    global _generation_read
    now = time.monotonic()
    read_at, generation = _generation_read
    if now - read_at > GENERATION_TRUST_SECONDS:
        generation = caches["default"].get(GENERATION_KEY, 0)
        _generation_read = (now, generation)
    return generation


def public_page(view):
    """Serve the view's response from this process for ``PAGE_CACHE_SECONDS``.

    Only for pages with no form that needs a cookie, no session and nothing
    personal: the same bytes go to every visitor of that address, in that
    language. Edits show up once the entry expires, or at once after
    ``public_pages_invalidate``.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.public_page = True
        return view(request, *args, **kwargs)

    return wrapped


def _page_key(request, generation: int) -> str:
    address = "|".join(
        (
            request.scheme,
            request.get_host(),  # as the page's absolute links see it (validated)
            getattr(request, "LANGUAGE_CODE", ""),
            request.get_full_path(),
        )
    )
    return f"page:{generation}:{hashlib.blake2b(address.encode(), digest_size=16).hexdigest()}"


def _keepable(request, response) -> bool:
    """The same test as Django's cache middleware, and no ``Vary``: one answer for all."""
    return (
        getattr(request, "public_page", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not has_vary_header(response, "*")
        and "Vary" not in response
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


class PublicPageCacheMiddleware:
    """Answer a GET of a cached public page from this process's memory.

    Last in ``MIDDLEWARE``: the language is known (``LocaleMiddleware``)
    and everything outside it runs on every response, cached or not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.CONVOCA_PAGE_CACHE_SECONDS
        if not seconds or request.method != "GET":
            return self.get_response(request)
        pages = caches["pages"]
        key = _page_key(request, _generation())
        kept = pages.get(key)  # unpickled: a response of its own for this request
        if kept is not None:
            return kept
        response = self.get_response(request)
        if _keepable(request, response):
            patch_response_headers(response, seconds)
            pages.set(key, response, seconds)
        return response


def public_pages_invalidate() -> None:
    """Forget every cached public page, after a change that shows on them.

    This process's pages go at once; other processes miss theirs within
    ``GENERATION_TRUST_SECONDS`` when the default cache is shared (Redis),
    else when their entries expire (at most ``PAGE_CACHE_SECONDS`` later).
    """
    global _generation_read
    cache = caches["default"]
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, timeout=None)
    _generation_read = (float("-inf"), 0)
    caches["pages"].clear()
