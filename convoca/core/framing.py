"""Pages other sites may show in a frame: an action's embed, a list's subscribe form.

Every other page keeps ``frame-ancestors 'none'`` (and ``X-Frame-Options``);
a view wrapped in :func:`frameable` carries the site's own policy with only
``frame-ancestors`` widened, and no ``X-Frame-Options``.
"""

from functools import wraps

from django.conf import settings
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override

# Scheme sources rather than "*": they mean "any web page" to every browser,
# while "*" was read differently before CSP level 3. A deployment may list
# its partners' origins instead in CONVOCA_EMBED_FRAME_ANCESTORS.
DEFAULT_FRAME_ANCESTORS = ["https:", "http:"]


def embed_policy() -> dict:
    """The site's Content-Security-Policy with only ``frame-ancestors`` opened up."""
    ancestors = getattr(settings, "CONVOCA_EMBED_FRAME_ANCESTORS", DEFAULT_FRAME_ANCESTORS)
    return {**settings.SECURE_CSP, "frame-ancestors": list(ancestors)}


def frameable(view):
    """Let other sites show every response of ``view`` in a frame, cached ones included.

    Applied outside ``public_page``: a response served from the page cache
    gets the headers afresh, like any other. The policy is read per request
    so that a changed setting applies without a restart of this module.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        allowed = csp_override(embed_policy())(xframe_options_exempt(view))
        return allowed(request, *args, **kwargs)

    return wrapped
