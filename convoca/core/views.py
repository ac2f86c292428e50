"""Pages that belong to no capability and know none: errors, health, proof of work.

Pages that gather several apps (the home page, robots.txt, the sitemap) are
project-level, in ``convoca.pages``.
"""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from convoca.core.pow import pow_challenge_make


@require_safe
@never_cache
def health(request):
    """For load balancers and ``convoca serve``: answers once the app is up."""
    return HttpResponse("ok", content_type="text/plain")


POW_SCOPES = {"sign", "event-register", "event-host"}


@require_safe
@never_cache
def pow_challenge(request):
    """A fresh proof-of-work challenge for a form, fetched by core/pow.js.

    Served apart from the page so that the page itself can be cached.
    """
    scope = request.GET.get("scope", "")
    if scope not in POW_SCOPES:
        return JsonResponse({"error": "unknown scope"}, status=400)
    return JsonResponse(pow_challenge_make(scope=scope))


def _error(request, status, title, message):
    return render(request, "error.html", {"title": title, "message": message}, status=status)


@cache_control(no_store=True)
def bad_request(request, exception=None):
    return _error(
        request,
        400,
        _("Bad request"),
        _("We could not understand this request. Please check the address and try again."),
    )


def permission_denied(request, exception=None):
    return _error(request, 403, _("Not allowed"), _("You do not have permission to see this page."))


def page_not_found(request, exception=None):
    return _error(
        request,
        404,
        _("Page not found"),
        _("There is no page at this address. It may have moved, or the link may be mistyped."),
    )


def server_error(request):
    return _error(
        request,
        500,
        _("Something went wrong"),
        _("The error was on our side and has been logged. Please try again in a few minutes."),
    )


def csrf_failure(request, reason=""):
    return _error(
        request,
        403,
        _("The form expired"),
        _(
            "For your security, forms expire after a while or when cookies are blocked. "
            "Please go back, reload the page and send the form again."
        ),
    )


def too_many_requests(request):
    return _error(
        request,
        429,
        _("Too many attempts"),
        _("You have sent this form too many times. Please wait an hour and try again."),
    )
