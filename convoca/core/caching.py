"""Whole-page caching for public pages that are the same for every visitor."""

from functools import cache, wraps

from django.conf import settings
from django.views.decorators.cache import cache_page


@cache
def _decorator(seconds: int):
    return cache_page(seconds, cache="pages")


def public_page(view):
    """Cache the view's response in this process for ``PAGE_CACHE_SECONDS``.

    Only for pages with no form, no session and nothing personal: the same
    bytes go to every visitor of that URL. The cache sits inside the
    middleware, so security headers and cookies are added afresh to every
    response. Edits show up once the entry expires.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.CONVOCA_PAGE_CACHE_SECONDS
        if not seconds:
            return view(request, *args, **kwargs)
        return _decorator(seconds)(view)(request, *args, **kwargs)

    return wrapped
