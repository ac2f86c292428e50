"""Public pages of events: lists and the map, an event, registering, series, campaigns, hosts."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Case, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django_countries import countries

from convoca.core.antibot import RateLimited, cross_site_refused, form_throttle
from convoca.core.caching import public_page
from convoca.core.markdown import markdown_render
from convoca.core.views import too_many_requests
from convoca.events.calendars import calendar_ics
from convoca.events.forms import (
    EventDetailsForm,
    HostForm,
    HostMessageForm,
    NearForm,
    RegistrationForm,
    SeriesRegistrationForm,
)
from convoca.events.models import Event, Registration, Series
from convoca.events.places import Place, place_parse
from convoca.events.selectors import (
    campaign_country_count,
    campaign_events_all,
    campaign_get_public,
    campaign_list_public,
    campaign_list_versions,
    campaign_versions,
    event_get_public,
    event_list_near,
    event_list_upcoming,
    event_times,
    event_versions,
    events_by_country_and_city,
    host_registrants,
    series_get_public,
    series_list_public,
    series_occurrences,
    series_versions,
    signatures_by_country,
)
from convoca.events.services import (
    HostedEventData,
    HostMessageLimit,
    RegistrationClosed,
    RegistrationData,
    event_host_edit,
    event_host_submit,
    host_event_get,
    host_message_send,
    registration_cancel,
    registration_create,
    registration_token_read,
    series_register,
    series_registration_cancel,
    series_registration_token_read,
)
from convoca.events.worldmap import world_map_svg
from convoca.people.services import PersonData


def _near(events, near_text: str):
    """Events near what the visitor typed: a city, or a postal code an event uses."""
    near_text = near_text.strip()
    if not near_text:
        return None, None
    place = place_parse(near_text)
    if place is None:
        # A postal code is not in the gazetteer: match the events' own.
        code = near_text.replace(" ", "").upper()
        for event in events:
            if event.has_place and event.postal_code.replace(" ", "").upper() == code:
                place = Place(event.city, event.country.code, event.latitude, event.longitude, 0)
                break
    if place is None:
        return None, []
    return place, event_list_near(
        events=events, place=place, radius_km=settings.CONVOCA_EVENTS_NEAR_KM
    )


def _map_context(request, events, *, shading=None):
    """Filters (country, dates, near) applied to ``events``, the map and the grouped list."""
    present = sorted(
        {e.country.code for e in events if e.country}, key=lambda c: str(countries.name(c))
    )
    form = NearForm(request.GET or None, country_choices=[(c, countries.name(c)) for c in present])
    filtered = events
    if form.is_valid():
        data = form.cleaned_data
        if data.get("country"):
            filtered = [e for e in filtered if e.country.code == data["country"]]
        if data.get("since"):
            filtered = [e for e in filtered if e.local_start.date() >= data["since"]]
        if data.get("until"):
            filtered = [e for e in filtered if e.local_start.date() <= data["until"]]
        place, near = _near(filtered, data.get("near", ""))
    else:
        place, near = None, None
    return {
        "filter_form": form,
        "events": filtered,
        "grouped": events_by_country_and_city(filtered),
        "place": place,
        "near": near,
        "near_asked": bool(form.is_bound and form.is_valid() and form.cleaned_data.get("near")),
        "map": world_map_svg(
            events=filtered,
            shading=shading,
            highlight=form.cleaned_data.get("country", "") if form.is_valid() else "",
        ),
        "event_count": len(filtered),
        "tile_url": settings.CONVOCA_MAP_TILE_URL,
        "tile_credit": settings.CONVOCA_MAP_TILE_CREDIT,
        "tile_events": [
            {
                "lat": e.latitude,
                "lon": e.longitude,
                "url": e.get_absolute_url(),
                "title": f"{e.title} · {e.city}",
            }
            for e in filtered
            if e.has_place
        ]
        if settings.CONVOCA_MAP_TILE_URL
        else [],
        "country_count": campaign_country_count(filtered),
    }


@public_page
@require_safe
def event_list(request):
    events = event_list_upcoming(language=request.LANGUAGE_CODE)
    context = _map_context(request, events)
    context.update(
        {
            "series_list": series_list_public(language=request.LANGUAGE_CODE),
            "campaigns": campaign_list_public(language=request.LANGUAGE_CODE),
        }
    )
    return render(request, "events/event_list.html", context)


def _event_or_404(request, slug) -> Event:
    event = event_get_public(language=request.LANGUAGE_CODE, slug=slug)
    if event is None:
        raise Http404
    return event


def _language_switch(versions: dict[str, str]) -> dict[str, str]:
    """The language switch's targets: each version, else the events list in that language.

    An event, series or campaign held in one language only has no page in the
    other, and its slug differs per language: the switch leads to each
    version's own address, else to that language's list of events, never to
    a 404.
    """
    switch = {}
    for code, _name in settings.LANGUAGES:
        if code not in versions:
            with translation.override(code):
                switch[code] = reverse("events:event-list")
    return {**switch, **versions}


def event_context(request, event, form=None) -> dict:
    versions = event_versions(event)
    return {
        "event": event,
        "description": markdown_render(event.description),
        "report": markdown_render(event.report) if event.report else "",
        "times": event_times(event),
        "form": form or RegistrationForm(event=event),
        "alternates": _language_switch(versions),
        "hreflang": versions,
        "speakers": list(event.speakers.all()),
        "places_left": _places_left(event),
    }


def _places_left(event: Event) -> int | None:
    if not event.capacity:
        return None
    taken = Registration.objects.filter(
        translation_key=event.translation_key, status=Registration.Status.CONFIRMED
    ).count()
    return max(0, event.capacity - taken)


@require_safe
def event_detail(request, slug):
    # Not a cached public page: the places left change with every registration.
    event = _event_or_404(request, slug)
    return render(request, "events/event_detail.html", event_context(request, event))


@method_decorator(csrf_exempt, name="dispatch")  # anonymous, no session: as the signing form
@method_decorator(never_cache, name="dispatch")
@method_decorator(cross_site_refused, name="dispatch")
class EventRegisterView(View):
    """POST only: validate, check for bots, register, and send the visitor to "check your email"."""

    def post(self, request, slug):
        event = _event_or_404(request, slug)
        form = RegistrationForm(request.POST, event=event)
        if not form.is_valid():
            return render(
                request, "events/event_detail.html", event_context(request, event, form), status=400
            )
        data = form.cleaned_data
        try:
            form_throttle(request, scope="event-register", email=data["email"])
        except RateLimited:
            return too_many_requests(request)
        try:
            result = registration_create(
                event=event,
                data=RegistrationData(
                    person=PersonData(
                        email=data["email"],
                        given_name=data["given_name"],
                        family_name=data.get("family_name", ""),
                        phone=data.get("phone", ""),
                        country=data.get("country", ""),
                        language=request.LANGUAGE_CODE,
                    ),
                    answers=form.answers(),
                    news_wording=str(form.fields["news"].label) if data.get("news") else "",
                    share_wording=str(form.fields["share"].label) if data.get("share") else "",
                ),
            )
        except RegistrationClosed:
            return render(request, "events/event_closed.html", {"event": event}, status=409)
        url = reverse("events:event-registered", kwargs={"slug": event.slug})
        return redirect(f"{url}?waitlist=1" if result.waitlisted else url)


@never_cache  # reached right after giving personal data: no cache may keep it
@require_safe
def event_registered(request, slug):
    event = _event_or_404(request, slug)
    return render(
        request,
        "events/event_registered.html",
        {"event": event, "waitlisted": request.GET.get("waitlist") == "1"},
    )


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@public_page
@require_safe
def event_calendar(request, slug):
    event = _event_or_404(request, slug)
    return _ics_response(calendar_ics([event], name=event.title), f"{event.slug}.ics")


@method_decorator(never_cache, name="dispatch")
class RegistrationDetailView(View):
    """A registrant's own page (the link in their emails): details, join link, cancel."""

    def _get(self, token):
        registration = registration_token_read(token)
        if registration is None:
            raise Http404
        return registration

    def _render(self, request, registration, message=""):
        from convoca.events.selectors import event_in_language

        event = event_in_language(registration.event, request.LANGUAGE_CODE)
        return render(
            request,
            "events/registration_detail.html",
            {
                "registration": registration,
                "event": event,
                "times": event_times(event),
                "message": message,
                "show_join_link": registration.status == Registration.Status.CONFIRMED,
            },
        )

    def get(self, request, token):
        return self._render(request, self._get(token))

    def post(self, request, token):
        registration = self._get(token)
        if request.POST.get("cancel"):
            registration_cancel(registration=registration)
            return self._render(request, registration, _("Your registration is cancelled."))
        return self._render(request, registration)


# --- Series -------------------------------------------------------------------------------


def _series_or_404(request, slug):
    series = series_get_public(language=request.LANGUAGE_CODE, slug=slug)
    if series is None:
        raise Http404
    return series


def series_context(request, series, form=None):
    past, upcoming = series_occurrences(series=series)
    return {
        "series": series,
        "description": markdown_render(series.description),
        "past": past,
        "upcoming": [(e, event_times(e)) for e in upcoming],
        "form": form or SeriesRegistrationForm(organisation=series.organisation),
        "alternates": _language_switch(series_versions(series)),
    }


@public_page
@require_safe
def series_detail(request, slug):
    series = _series_or_404(request, slug)
    return render(request, "events/series_detail.html", series_context(request, series))


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
@method_decorator(cross_site_refused, name="dispatch")
class SeriesRegisterView(View):
    """POST only: register for every occurrence of a series."""

    def post(self, request, slug):
        series = _series_or_404(request, slug)
        form = SeriesRegistrationForm(request.POST, organisation=series.organisation)
        if not form.is_valid():
            return render(
                request,
                "events/series_detail.html",
                series_context(request, series, form),
                status=400,
            )
        data = form.cleaned_data
        try:
            form_throttle(request, scope="event-register", email=data["email"])
        except RateLimited:
            return too_many_requests(request)
        series_register(
            series=series,
            data=RegistrationData(
                person=PersonData(
                    email=data["email"],
                    given_name=data["given_name"],
                    family_name=data.get("family_name", ""),
                    country=data.get("country", ""),
                    language=request.LANGUAGE_CODE,
                ),
                news_wording=str(form.fields["news"].label) if data.get("news") else "",
            ),
        )
        return render(request, "events/series_registered.html", {"series": series})


@method_decorator(never_cache, name="dispatch")
class SeriesRegistrationCancelView(View):
    """The link in the series email: GET shows a button (scanners follow links), POST cancels."""

    def _get(self, token):
        subscription = series_registration_token_read(token)
        if subscription is None:
            raise Http404
        return subscription

    def _render(self, request, subscription, message=""):
        series = (
            Series.objects.filter(shared_id=subscription.series_key)
            .order_by(Case(When(language=request.LANGUAGE_CODE, then=0), default=1))
            .first()
        )
        return render(
            request,
            "events/series_registration_cancel.html",
            {"subscription": subscription, "series": series, "message": message},
        )

    def get(self, request, token):
        return self._render(request, self._get(token))

    def post(self, request, token):
        subscription = self._get(token)
        series_registration_cancel(subscription=subscription)
        return self._render(
            request, subscription, _("You will not be registered for the next sessions.")
        )


@public_page
@require_safe
def series_calendar(request, slug):
    series = _series_or_404(request, slug)
    past, upcoming = series_occurrences(series=series)
    return _ics_response(
        calendar_ics([*past[:12], *upcoming], name=series.title), f"{series.slug}.ics"
    )


# --- Campaigns ----------------------------------------------------------------------------


def _campaign_or_404(request, slug):
    campaign = campaign_get_public(language=request.LANGUAGE_CODE, slug=slug)
    if campaign is None:
        raise Http404
    return campaign


@public_page
@require_safe
def campaign_detail(request, slug):
    campaign = _campaign_or_404(request, slug)
    events = campaign_events_all(campaign=campaign, language=request.LANGUAGE_CODE)
    context = _map_context(request, events, shading=signatures_by_country(campaign=campaign))
    context.update(
        {
            "campaign": campaign,
            "alternates": _language_switch(campaign_versions(campaign)),
            "call": markdown_render(campaign.call),
            "endorsers": list(campaign.endorsers.order_by("country", "name")),
            "total_events": len(events),
            "total_countries": campaign_country_count(events),
        }
    )
    return render(request, "events/campaign_detail.html", context)


@public_page
@require_safe
def campaign_calendar(request, slug):
    campaign = _campaign_or_404(request, slug)
    events = campaign_events_all(campaign=campaign, language=request.LANGUAGE_CODE)
    return _ics_response(calendar_ics(events, name=campaign.title), f"{campaign.slug}.ics")


def _host_switch(campaign) -> dict[str, str]:
    """The host form of each language version of the campaign, for the language switch."""
    urls = {}
    for version in campaign_list_versions(campaign):
        with translation.override(version.language):
            urls[version.language] = reverse("events:campaign-host", kwargs={"slug": version.slug})
    return _language_switch(urls)


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="post")  # the answer echoes what the host typed
@method_decorator(cross_site_refused, name="dispatch")
class CampaignHostView(View):
    """Offer to host an event in a campaign; it waits for a coordinator's approval.

    The blank form (GET) is the same for everyone and holds no secret, so it
    is sent gzipped (core/compression.py): its country and time-zone lists
    weigh 46 KB unpacked.
    """

    def _campaign(self, request, slug):
        campaign = _campaign_or_404(request, slug)
        if not campaign.accepts_hosts:
            raise Http404
        return campaign

    def get(self, request, slug):
        campaign = self._campaign(request, slug)
        return render(
            request,
            "events/campaign_host.html",
            {"campaign": campaign, "form": HostForm(), "alternates": _host_switch(campaign)},
        )

    def post(self, request, slug):
        campaign = self._campaign(request, slug)
        form = HostForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "events/campaign_host.html",
                {"campaign": campaign, "form": form, "alternates": _host_switch(campaign)},
                status=400,
            )
        data = form.cleaned_data
        try:
            form_throttle(request, scope="event-host", email=data["email"])
        except RateLimited:
            return too_many_requests(request)
        event_host_submit(
            campaign=campaign,
            data=HostedEventData(
                host=PersonData(
                    email=data["email"],
                    given_name=data["given_name"],
                    family_name=data.get("family_name", ""),
                    phone=data.get("phone", ""),
                    city=data["city"],
                    country=data["country"],
                    language=request.LANGUAGE_CODE,
                ),
                host_group=data.get("host_group", ""),
                title=data["title"],
                description=data["description"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                time_zone=data["time_zone"],
                venue_name=data.get("venue_name", ""),
                street_address=data.get("street_address", ""),
                city=data["city"],
                postal_code=data.get("postal_code", ""),
                country=data["country"],
                capacity=data.get("capacity") or 0,
            ),
        )
        return render(request, "events/host_submitted.html", {"campaign": campaign})


# --- The host's private page ----------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class HostManageView(View):
    """The host's page, reached by the private link in their email: edit, registrants, write."""

    def _event(self, key):
        event = host_event_get(key=key)
        if event is None:
            raise Http404
        return event

    def _render(self, request, event, *, form=None, message_form=None, message="", status=200):
        return render(
            request,
            "events/host_manage.html",
            {
                "event": event,
                "form": form or EventDetailsForm(initial=EventDetailsForm.initial_for(event)),
                "message_form": message_form or HostMessageForm(),
                "registrants": host_registrants(event=event),
                "times": event_times(event),
                "message": message,
                "sent_messages": list(event.host_messages.order_by("-created_at")),
            },
            status=status,
        )

    def get(self, request, key):
        return self._render(request, self._event(key))

    def post(self, request, key):
        event = self._event(key)
        if event.status in (Event.Status.CANCELLED, Event.Status.REJECTED):
            return self._render(request, event, status=409)
        if request.POST.get("send"):
            message_form = HostMessageForm(request.POST)
            if not message_form.is_valid():
                return self._render(request, event, message_form=message_form, status=400)
            try:
                sent = host_message_send(
                    event=event,
                    subject=message_form.cleaned_data["subject"],
                    body=message_form.cleaned_data["body"],
                )
            except HostMessageLimit:
                return self._render(
                    request,
                    event,
                    message=_("You have sent as many messages as an event allows."),
                    status=409,
                )
            return self._render(
                request,
                event,
                message=_("Your message is on its way to %(count)s registrants.")
                % {"count": sent.recipients},
            )
        form = EventDetailsForm(request.POST)
        if not form.is_valid():
            return self._render(request, event, form=form, status=400)
        event_host_edit(event=event, data=form.cleaned_data)
        return self._render(request, event, message=_("Your changes are saved."))
