"""Pages that belong to no single capability: home, errors, health."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from convoca.actions.selectors import action_figures, action_list_open, signature_total_public
from convoca.coalition.selectors import organisation_list_public, working_group_list_public
from convoca.core.caching import public_page
from convoca.core.pow import pow_challenge_make
from convoca.events.selectors import event_list_upcoming
from convoca.publishing.selectors import (
    article_list_latest,
    press_coverage_count,
    weekly_issue_latest,
    weekly_issue_sections,
)


@public_page
@require_safe
def home(request):
    language = request.LANGUAGE_CODE
    organisations = organisation_list_public()
    actions = [
        {"action": action, "figures": action_figures(action)}
        for action in action_list_open(language=language)[:4]
    ]
    weekly = weekly_issue_latest()
    weekly_links = []
    if weekly is not None:
        weekly_links = [
            link for _t, links in weekly_issue_sections(weekly, language) for link in links
        ]
    return render(
        request,
        "core/home.html",
        {
            "organisations": organisations,
            "country_count": len({o.country for o in organisations if o.country}),
            "working_groups": working_group_list_public(),
            "articles": article_list_latest(language=language),
            "events": event_list_upcoming(language=language)[:4],
            "actions": actions,
            # The coalition's total, not the sum of the few actions listed.
            "signature_count": signature_total_public(),
            "weekly": weekly,
            "weekly_links": weekly_links[:4],
            "press_count": press_coverage_count(),
            "hreflang": _home_in_each_language(),
        },
    )


def _home_in_each_language() -> dict[str, str]:
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = reverse("home")
    return urls


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


#: Addresses that only their holder should open: a personal link's token or key
#: follows the prefix. Crawlers that obey robots.txt leave them alone (the pages
#: are ``noindex``-worthy anyway: they are personal and never cached).
_PRIVATE_LINKS = [
    ("actions:signature-confirm", ("token",)),
    ("coalition:join-confirm", ("token",)),
    ("coalition:join-review", ("token",)),
    ("coalition:organiser-set-password", ("uidb64", "token")),
    ("donations:donation-manage", ("token",)),
    ("events:registration-detail", ("token",)),
    ("events:series-registration-cancel", ("token",)),
    ("events:host-manage", ("key",)),
    ("mailings:subscription-confirm", ("token",)),
    ("mailings:preferences", ("token",)),
    ("mailings:unsubscribe", ("token",)),
    ("mailings:open", ("token",)),
    ("people:data-access", ("token",)),
    ("people:person-data", ()),
]
_MARKER = "robots-placeholder"


def _private_prefixes() -> list[str]:
    """Each private address in each language, cut where its token starts."""
    prefixes = ["/admin/"]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for name, arguments in _PRIVATE_LINKS:
                url = reverse(name, kwargs=dict.fromkeys(arguments, _MARKER))
                prefixes.append(url.split(_MARKER, 1)[0])
    return list(dict.fromkeys(prefixes))


@public_page
@require_safe
def robots_txt(request):
    """``/robots.txt``: crawl the public pages, not the admin nor personal links; the sitemap."""
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {prefix}" for prefix in _private_prefixes()]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
