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
from collections.abc import Callable, Hashable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.utils.cache import has_vary_header, patch_response_headers

from convoca.core.compression import accepts_gzip, response_gzip

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


#: Live figures a cached page shows, by kind: ``version(id)`` reads a value that
#: changes whenever the figures do (a signature count, from the database).
_scope_versions: dict[str, Callable[[str], Hashable]] = {}

#: Per process: (scope kind, id) -> (when read, version read).
_scope_read: dict[tuple[str, str], tuple[float, Hashable]] = {}


def public_page_scope_register(kind: str, version: Callable[[str], Hashable]) -> None:
    """Declare how to read the version of a kind of live figures (an app's ``ready()``)."""
    _scope_versions[kind] = version


def public_page_scope(request, kind: str, ident) -> None:
    """Mark the page being made as showing ``kind``/``ident``'s live figures.

    The version is read now, before the page is kept: a cached copy is then
    served only while that version is still the current one, checked against
    its source at most once a ``GENERATION_TRUST_SECONDS`` per process. So a
    signature counted by any process shows on every process's cached page
    within a second, and at once on the process that counted it
    (``public_page_scope_changed``), while a cached page still costs no query
    on nearly every hit: one small read a second for a page under load,
    instead of forgetting every cached page of the site on every signature.
    """
    scope = (kind, str(ident))
    version = _scope_versions[kind](scope[1])
    _scope_read[scope] = (time.monotonic(), version)
    request.public_page_scope = (scope, version)


def public_page_scope_changed(kind: str, ident) -> None:
    """This process's cached pages of ``kind``/``ident`` are checked on their next request."""
    _scope_read.pop((kind, str(ident)), None)


def _scope_current(scope: tuple[str, str]) -> Hashable:
    now = time.monotonic()
    read_at, version = _scope_read.get(scope, (float("-inf"), None))
    if now - read_at > GENERATION_TRUST_SECONDS:
        version = _scope_versions[scope[0]](scope[1])
        _scope_read[scope] = (now, version)
    return version


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


def _page_key(request, generation: int, gzip: bool) -> str:
    address = "|".join(
        (
            "gzip" if gzip else "identity",  # kept compressed, once, for who reads gzip
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
        key = _page_key(request, _generation(), accepts_gzip(request))
        kept = pages.get(key)  # unpickled: a response of its own for this request
        if kept is not None:
            scoped, response = kept
            if scoped is None or _scope_current(scoped[0]) == scoped[1]:
                return response
        response = self.get_response(request)
        if _keepable(request, response):
            patch_response_headers(response, seconds)
            scoped = getattr(request, "public_page_scope", None)
            pages.set(key, (scoped, response_gzip(request, response)), seconds)
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
    _scope_read.clear()
    caches["pages"].clear()
