"""The route matrix: every address is public on purpose, or behind a staff sign-in.

Every URL pattern of ``convoca.urls`` (the admin's too: every registered
model's ``get_urls``) is either in ``PUBLIC_ROUTES`` below, reviewed, with
the reason anyone may open it, or answers an anonymous visitor and a
signed-in account without staff rights with the sign-in page (a redirect)
or 403, to GET and to POST. A new route on neither side fails the suite.

Adding a route:
- a public page or endpoint: add its name (``"<namespace>:<name>"``, or
  its pattern if it has no name) to ``PUBLIC_ROUTES`` with one line saying
  why anyone may open it and what protects it (a token, a signature, a
  rate limit);
- a staff page: nothing to add, as long as it is behind the admin's
  sign-in (``admin_site.admin_view``, a ``ModelAdmin.get_urls``) or another
  check that answers 403;
- a route whose address can't be built from its pattern (an unusual
  regex): add a sample address to ``SAMPLE_URLS``.

And no organiser reaches another organisation's object: for every admin
model, an object of an organisation the organiser does not belong to
answers 404 on each of the model admin's object addresses (change,
delete, history, and every custom view and export), to GET and to POST;
a model that only coordinators manage answers 403 on every address. The
objects come from the demo coalition (``convoca demo``, built through the
services), signed in as its organiser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve, reverse
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils import translation

#: Reviewed: what anyone may open, and why. Keys are route names
#: (``namespace:name``), or the pattern for a route without a name; a key
#: ending in ``*`` covers every name it starts.
PUBLIC_ROUTES = {
    # --- operations and crawlers ---
    "health": "the load balancer's liveness probe; says only 'ok'",
    "pow-challenge": "a fresh proof-of-work puzzle for public forms; no data",
    "sitemap": "lists published pages only",
    "robots-txt": "crawler rules",
    "media/<path:path>": "uploaded public images (logos, photos), when SERVE_MEDIA is on",
    # --- incoming webhooks: protected by a shared secret or a signature, not a session ---
    "anymail:*": "mail providers' webhooks; django-anymail checks ANYMAIL_WEBHOOK_SECRET",
    "donations-webhooks:webhook": "the payment provider's webhook; the signature is verified",
    # --- the OSDI API: no session; every call needs an API key (401 without, convoca/api) ---
    "api:*": "API clients with a key, scoped to its organisation like the admin",
    # --- the public site ---
    "home": "the home page",
    "actions:action-list": "published actions",
    "actions:action-detail": "a published action",
    "actions:action-sign": "signing: antibot checks, rate limits, cross-site refusal",
    "actions:action-thanks": "after signing; shows nothing about the signer",
    "actions:action-signers": "signers who chose to be listed",
    "actions:signature-confirm-resend": "asks for a new link by email; same answer for any address",
    "actions:signature-confirm": "a signed link from the confirmation email",
    "actions:action-embed": "the widget partners embed",
    "actions:action-embed-sign": "signing inside the widget, like action-sign",
    "actions:action-embed-thanks": "after signing in the widget",
    "actions:oembed": "oEmbed discovery of published actions",
    "letters:letter-detail": "a published letter to decision-makers, and the lookup of targets",
    "letters:letter-send": "writing the letter: antibot checks, rate limits, cross-site refusal",
    "letters:letter-results": "how many letters reached each target (counts only)",
    "letters:letter-embed": "the letter's widget partners embed",
    "people:data-request": "asks for a link to one's data, sent to the address",
    "people:data-access": "a signed link from that email",
    "people:person-data": "one's own data, for the session the signed link opened",
    "people:person-download": "one's own data as a file, same session",
    "people:person-erase": "erasing one's own data, same session",
    "coalition:organisation-list": "the public directory",
    "coalition:affiliation-create": "an organisation asks to join; reviewed by coordinators",
    "coalition:affiliation-thanks": "after asking",
    "coalition:working-group-list": "public working groups",
    "coalition:working-group-detail": "a working group and the form to ask to join",
    "coalition:join-sent": "after asking to join",
    "coalition:join-confirm-resend": "asks for a new link by email",
    "coalition:join-confirm": "a signed link from the confirmation email",
    "coalition:join-review": "a convener's signed link to review a request",
    "coalition:organiser-set-password": "a new organiser's one-time password link",
    "coalition:organiser-password-set": "after setting it",
    "publishing:article-list": "published articles",
    "publishing:article-feed": "their Atom feed",
    "publishing:article-month": "an archive month",
    "publishing:article-detail": "a published article",
    "publishing:topic-detail": "a topic's articles",
    "publishing:topic-feed": "its Atom feed",
    "publishing:article-search": "search of published articles",
    "publishing:weekly-list": "the Weekly's issues",
    "publishing:weekly-feed": "its Atom feed",
    "publishing:weekly-detail": "a published issue",
    "publishing:press-list": "press coverage",
    "mailings:mailinglist-list": "public mailing lists",
    "mailings:mailinglist-subscribe": "subscribing, with double opt-in",
    "mailings:subscription-thanks": "after subscribing",
    "mailings:mailinglist-embed": "the subscription widget",
    "mailings:subscription-embed-thanks": "after subscribing in the widget",
    "mailings:subscription-confirm-resend": "asks for a new link by email",
    "mailings:subscription-confirm": "a signed link from the confirmation email",
    "mailings:preferences": "the preference centre, by the signed link in every mailing",
    "mailings:unsubscribe": "one-click unsubscribe (RFC 8058), signed link",
    "mailings:open": "the open-tracking pixel, signed token",
    "events:event-list": "upcoming events",
    "events:event-detail": "a published event",
    "events:event-register": "registering",
    "events:event-registered": "after registering",
    "events:event-calendar": "an event's .ics",
    "events:series-detail": "a published series",
    "events:series-register": "registering for a series",
    "events:series-calendar": "a series' .ics",
    "events:series-registration-cancel": "a signed link to cancel",
    "events:registration-detail": "a signed link to one's registration",
    "events:host-manage": "a host's private link (a random key)",
    "events:campaign-detail": "a week of action and its map",
    "events:campaign-host": "offering to host an event; reviewed by coordinators",
    "events:campaign-calendar": "a campaign's .ics",
    "donations:fundraiser-list": "fundraisers",
    "donations:fundraiser-detail": "a fundraiser",
    "donations:donation-start": "starting a gift: redirects to the payment provider",
    "donations:donation-thanks": "after giving",
    "donations:donation-manage": "a donor's signed link to their monthly gift",
    "inbox:contact-create": "the contact form",
    "inbox:contact-thanks": "after writing",
    # --- the admin's own doors ---
    "admin:login": "the staff sign-in",
    "admin:logout": "signing out (POST)",
}

#: Sample addresses for routes whose pattern can't be filled in automatically.
SAMPLE_URLS: dict[str, str] = {}

#: Admin object addresses that are not pages of the object, with why they need no 404.
NOT_OBJECT_PAGES = {
    # Django's "<id>/" redirects to "<id>/change/" without reading the object,
    # whether or not it exists: it discloses nothing, and the change page answers.
    None: "the redirect from <id>/ to <id>/change/",
}

SAMPLE_BY_CONVERTER = {"int": "1", "slug": "route-matrix", "str": "route-matrix", "path": "1"}


@dataclass(frozen=True)
class Route:
    key: str  # the name, or the pattern for a route without one
    pattern: str
    callback: object
    sample: str | None  # an address that resolves to it, or None if none could be built


def _sample_part(pattern) -> str:
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix  # "en/" (routes() runs in English)
    if isinstance(pattern, RoutePattern):
        text = str(pattern)
        return re.sub(
            r"<(?:(\w+):)?(\w+)>",
            lambda m: SAMPLE_BY_CONVERTER.get(m.group(1) or "str", "1"),
            text,
        )
    assert isinstance(pattern, RegexPattern)
    text = pattern._regex.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    text = re.sub(r"\([^()]*\)\?", "", text)  # optional groups: left out
    # A named group of literal alternatives takes the first; any other, "1".
    text = re.sub(
        r"\(\?P<\w+>([^()]*)\)",
        lambda m: m.group(1).split("|")[0] if re.fullmatch(r"[\w|.-]+", m.group(1)) else "1",
        text,
    )
    return text.replace("\\", "")


def routes(urlconf=None) -> list[Route]:
    """Every URL pattern, with its key and a sample address (in English)."""
    found = []

    def walk(patterns, prefix, sample, namespace):
        for entry in patterns:
            part = _sample_part(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), sample + part, inner)
            else:
                assert isinstance(entry, URLPattern)
                full = prefix + str(entry.pattern)
                if entry.name:
                    key = f"{namespace}:{entry.name}" if namespace else entry.name
                else:
                    key = full
                found.append(Route(key, full, entry.callback, "/" + sample + part))

    with translation.override("en"):
        walk(get_resolver(urlconf).url_patterns, "", "", None)
        checked = []
        for route in found:
            sample = SAMPLE_URLS.get(route.key, route.sample)
            try:
                match = resolve(sample, urlconf)
            except Exception:
                match = None
            checked.append(
                Route(
                    route.key,
                    route.pattern,
                    route.callback,
                    sample if match is not None and match.func == route.callback else None,
                )
            )
    return checked


def _is_public(key: str) -> bool:
    return key in PUBLIC_ROUTES or any(
        key.startswith(listed[:-1]) for listed in PUBLIC_ROUTES if listed.endswith("*")
    )


def _refused(response) -> bool:
    """The sign-in page (a redirect to it) or 403: no page, no data."""
    if response.status_code == 403:
        return True
    login = reverse("admin:login")
    return response.status_code == 302 and response["Location"].startswith(login)


def route_matrix_failures(client, urlconf=None, *, but_admin: bool = False) -> list[str]:
    """What is wrong with the matrix: routes neither public nor behind a staff sign-in.

    ``but_admin`` leaves the admin's routes out of the requests (the tests of
    the matrix itself, which add a route elsewhere).
    """
    failures = []
    all_routes = routes(urlconf)
    outsider, _ = get_user_model().objects.get_or_create(username="route-matrix-outsider")
    for route in all_routes:
        if _is_public(route.key) or (but_admin and route.key.startswith("admin:")):
            continue
        if route.sample is None:
            failures.append(f"{route.key} ({route.pattern}): add a sample address to SAMPLE_URLS")
            continue
        for who in ("anonymous", "signed in without staff rights"):
            client.logout()
            if who != "anonymous":
                client.force_login(outsider)
            for method in ("get", "post"):
                with translation.override("en"):
                    response = getattr(client, method)(route.sample)
                if not _refused(response):
                    failures.append(
                        f"{route.key} ({route.sample}): {method.upper()} by {who} answered "
                        f"{response.status_code}; add it to PUBLIC_ROUTES with a reason, "
                        "or put it behind the staff sign-in"
                    )
    client.logout()
    keys = {route.key for route in all_routes}
    for listed in PUBLIC_ROUTES:
        if listed.endswith("*"):
            present = any(key.startswith(listed[:-1]) for key in keys)
        else:
            present = listed in keys or listed == "media/<path:path>"  # only with SERVE_MEDIA
        if not present:
            failures.append(f"{listed} is in PUBLIC_ROUTES but no route has that name")
    return failures


def test_every_route_is_public_on_purpose_or_behind_the_staff_sign_in(db, client):
    every = routes()
    assert len(every) > 200  # the admin's model pages are walked too
    assert any(route.key == "admin:people_person_change" for route in every)
    assert route_matrix_failures(client) == []


# --- The matrix catches a new route -----------------------------------------------------------


def _a_new_page(request, **kwargs):
    return HttpResponse("supporters' emails")


def _build_urlpatterns():
    from convoca import urls

    return [
        *urls.urlpatterns,
        path("new-report/<int:pk>/", _a_new_page, name="new-report"),
        path("staff-report/", admin.site.admin_view(_a_new_page), name="staff-report"),
    ]


#: ``convoca.urls`` and two new routes: this module is the urlconf of the next test.
urlpatterns = _build_urlpatterns()


def test_a_new_route_on_neither_list_fails_and_one_behind_the_sign_in_passes(db, client, settings):
    settings.ROOT_URLCONF = __name__
    failures = route_matrix_failures(client, __name__, but_admin=True)
    assert len(failures) == 4  # GET and POST, anonymous and without staff rights
    assert all(failure.startswith("new-report (/new-report/1/)") for failure in failures)
    assert not any("staff-report" in failure for failure in failures)

    PUBLIC_ROUTES["new-report"] = "a test: reviewed"
    try:
        assert route_matrix_failures(client, __name__, but_admin=True) == []
    finally:
        del PUBLIC_ROUTES["new-report"]


def test_a_public_route_that_is_gone_is_reported(db, client):
    PUBLIC_ROUTES["actions:gone"] = "a test: a route since removed"
    try:
        assert route_matrix_failures(client, but_admin=True) == [
            "actions:gone is in PUBLIC_ROUTES but no route has that name"
        ]
    finally:
        del PUBLIC_ROUTES["actions:gone"]


# --- Another organisation's objects answer 404 -------------------------------------------------


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    from convoca.core.demo import demo_load

    with django_capture_on_commit_callbacks(execute=True):
        demo_load()


def _object_url_names(model_admin) -> list[str]:
    """The names of the model admin's addresses that name one object."""
    info = f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}"
    names = [
        f"admin:{pattern.name}"
        for pattern in model_admin.get_urls()
        if isinstance(pattern, URLPattern)
        and "object_id" in str(pattern.pattern)
        and pattern.name not in NOT_OBJECT_PAGES
    ]
    assert f"{info}_change" in names, info
    return names


def _request_as(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_an_organiser_gets_404_for_every_page_of_another_organisations_object(
    demo, client, make_staff
):
    from convoca.actions.models import Action
    from convoca.actions.services import pledge_activate
    from convoca.organisations.models import Membership, Organisation

    User = get_user_model()
    coordinator = User.objects.get(username="coordinator")
    # The demo's content is its organiser's organisation's (and its partners');
    # the organiser of another member organisation tries to reach it.
    demo_organiser = User.objects.get(username="organiser")
    other = (
        Organisation.objects.filter(status=Organisation.Status.ACTIVE)
        .exclude(memberships__user=demo_organiser)
        .order_by("pk")
        .first()
    )
    stranger = make_staff("stranger", Membership.Role.ORGANISER, other)
    # The demo never activates its pledge (that emails its pledgers): one activation here.
    pledge = (
        Action.objects.filter(shared__kind=Action.Kind.PLEDGE)
        .exclude(shared__organisation=other)
        .first()
    )
    pledge_activate(
        action=pledge,
        texts={
            "en": {"subject": "Now", "body": "Go."},
            "es": {"subject": "Ahora", "body": "Vamos."},
        },
        user=coordinator,
    )
    # The demo has an API key; a webhook's service connects to its address before
    # registering it, and no server listens here: one endpoint and delivery written as is.
    from convoca.api.models import WebhookDelivery, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(
        organisation=pledge.organisation,
        url="https://crm.example.org/convoca",
        events=["signature"],
        secret="whsec_route_matrix",
    )
    WebhookDelivery.objects.create(endpoint=endpoint, event="signature", event_key="matrix")
    # An import, as its organiser uploads one (the demo imports nobody).
    from django.core.files.uploadedfile import SimpleUploadedFile

    from convoca.people.imports import person_import_create
    from convoca.people.models import PersonImport

    person_import_create(
        organisation=pledge.organisation,
        user=demo_organiser,
        file_format=PersonImport.Format.GENERIC,
        upload=SimpleUploadedFile("supporters.csv", b"email,first_name\nana@example.org,Ana\n"),
        language="en",
    )
    failures = []
    checked = 0
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        if not model_admin.has_module_permission(_request_as(stranger)):
            # Coordinators' business: every address refused, not only objects'.
            client.force_login(stranger)
            any_object = model._default_manager.first()
            for name in _object_url_names(model_admin):
                if any_object is None:
                    break
                url = reverse(name, args=[any_object.pk])
                for method in ("get", "post"):
                    status = getattr(client, method)(url).status_code
                    checked += 1
                    if status not in (403, 404):
                        failures.append(f"{label}: {method.upper()} {url} answered {status}")
            changelist = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
            if client.get(reverse(changelist)).status_code != 403:
                failures.append(f"{label}: an organiser opens the list of a coordinators' model")
            continue
        visible = model_admin.get_queryset(_request_as(stranger)).values("pk")
        strangers = list(
            model_admin.get_queryset(_request_as(coordinator)).exclude(pk__in=visible)[:25]
        )
        if not strangers:
            failures.append(
                f"{label}: the demo has none outside the organiser's reach; add one to its demo.py"
            )
            continue
        for name in _object_url_names(model_admin):
            if name.endswith(("_change", "_delete", "_history")):
                target = strangers[0]  # in the coordinator's list: these pages exist
            else:
                # A custom view: the first object the coordinator can open there (a
                # pledge for "activate"), so a 404 below is the scope's, not the view's.
                client.force_login(coordinator)
                target = next(
                    (
                        obj
                        for obj in strangers
                        if client.get(reverse(name, args=[obj.pk])).status_code != 404
                    ),
                    None,
                )
            if target is None:
                failures.append(f"{label}: no object opens {name} for the coordinator")
                continue
            client.force_login(stranger)
            url = reverse(name, args=[target.pk])
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                checked += 1
                if status != 404:
                    failures.append(
                        f"{label}: {method.upper()} {url} ({name}) answered {status}, not 404"
                    )
    assert failures == [], "\n".join(failures)
    assert checked > 100
