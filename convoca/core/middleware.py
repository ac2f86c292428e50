"""Middleware of Convoca's own."""

from django.conf import settings
from django.middleware.csp import get_nonce
from django.urls import reverse
from django.utils.csp import CSP, build_policy


class AdminContentSecurityPolicyMiddleware:
    """Give the organiser interface its own, looser policy (settings.ADMIN_CSP).

    Placed after Django's CSP middleware, so it answers first and the
    public policy is not applied over it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = None

    def __call__(self, request):
        response = self.get_response(request)
        if self.prefix is None:
            self.prefix = reverse("admin:index")
        if request.path.startswith(self.prefix):
            response.headers[str(CSP.HEADER_ENFORCE)] = build_policy(
                settings.ADMIN_CSP, get_nonce(request)
            )
        return response


class LanguageCookieMiddleware:
    """Remember the language of the last page read, so that ``/`` opens in it.

    The language switcher is a plain link to the same page in the other
    language (no form, no script, cacheable); this middleware makes that
    choice stick.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = getattr(request, "LANGUAGE_CODE", None)
        prefixed = any(
            request.path_info.startswith(f"/{code}/") for code, _name in settings.LANGUAGES
        )
        if (
            prefixed
            and language
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language
            and response.status_code == 200
        ):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
        return response
