"""Gzip for pages that carry no secret, so a page is light without a compressing proxy.

BREACH reads a secret out of a compressed HTTPS response by making a victim's
browser request it many times with text of the attacker's choosing reflected
in it, and watching the compressed size shrink when a guess matches. Only a
response holding both a secret and reflected text is at risk, so a response
is compressed here only when it holds no secret:

- no CSRF token was rendered into it (Django sets ``CSRF_COOKIE_USED`` when a
  template asks for one; Django also masks the token anew per response, but
  forms with a token are small pages and gain little);
- no session was read to build it (an organiser's admin page, anything that
  depends on who is signed in);
- it is not marked private, ``no-store`` or ``no-cache``: pages reached through
  a personal link (confirmation, data access, preferences) are ``never_cache``
  and show a person's own data.

Pages marked ``core.caching.public_page`` are the same bytes for everyone and
pass all three; ``PublicPageCacheMiddleware`` compresses them once, before
keeping them, so a cached page is answered without compressing it again.
"""

import re

from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

#: The same test as Django's GZipMiddleware: gzip listed, without ``q=0``.
_ACCEPTS_GZIP = re.compile(r"\bgzip\b(?!\s*;\s*q\s*=\s*0(\.0*)?\s*(,|$))")

#: Below this, gzip's header and checksum cost more than they save.
MINIMUM_BYTES = 200

_COMPRESSIBLE_TYPES = (
    "text/",
    "application/xml",
    "application/atom+xml",
    "application/json",
    "application/hal+json",
    "image/svg+xml",
)


def accepts_gzip(request) -> bool:
    """Whether the client said it reads gzip (``Accept-Encoding``)."""
    return bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def response_holds_no_secret(request, response) -> bool:
    """True when nothing in the response belongs to this visitor alone (see the module)."""
    if request.META.get("CSRF_COOKIE_USED"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.accessed:
        return False
    cache_control = response.get("Cache-Control", "")
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


def response_gzip(request, response):
    """Gzip the response's body in place when the client reads gzip and it holds no secret.

    Every response it looks at gets ``Vary: Accept-Encoding`` (compressed or
    not), so that a shared cache keeps the two versions apart.
    """
    if response.streaming or response.has_header("Content-Encoding"):
        return response
    if not response.get("Content-Type", "").startswith(_COMPRESSIBLE_TYPES):
        return response
    if len(response.content) < MINIMUM_BYTES or not response_holds_no_secret(request, response):
        return response
    patch_vary_headers(response, ("Accept-Encoding",))
    if not accepts_gzip(request):
        return response
    compressed = compress_string(response.content)
    if len(compressed) >= len(response.content):
        return response
    response.content = compressed
    response["Content-Length"] = str(len(compressed))
    # A strong ETag names the uncompressed bytes: weaken it, as Django's GZipMiddleware does.
    if (etag := response.get("ETag", "")).startswith('"'):
        response["ETag"] = "W/" + etag
    response["Content-Encoding"] = "gzip"
    return response


class SecretFreeGZipMiddleware:
    """Gzip the responses that hold no secret (``response_gzip``).

    High in ``MIDDLEWARE`` (below WhiteNoise, which serves static files
    compressed ahead of time), so it sees the body every other middleware
    made. Cached public pages arrive already compressed and are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return response_gzip(request, self.get_response(request))
