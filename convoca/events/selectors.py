"""Reads of events, series and campaigns for the public pages, emails and the admin."""

from __future__ import annotations

import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext

from convoca.events.models import Campaign, Event, Registration, Series
from convoca.events.places import Place, distance_km
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator

LISTED = (Event.Status.PUBLISHED, Event.Status.CANCELLED)


def _prefer_language(rows, language: str):
    """One row per translation group: the version in ``language`` if there is one."""
    chosen: dict = {}
    for row in rows:
        current = chosen.get(row.translation_key)
        if current is None or (row.language == language and current.language != language):
            chosen[row.translation_key] = row
    return list(chosen.values())


def event_in_language(event: Event, language: str) -> Event:
    """The version of ``event`` in ``language``, or ``event`` itself when there is none."""
    if event.language == language:
        return event
    return (
        Event.objects.filter(shared_id=event.shared_id, language=language)
        .select_related("shared")
        .first()
        or event
    )


def event_versions(event: Event) -> dict[str, str]:
    """Each language version's address, for the language switcher."""
    return {
        e.language: e.get_absolute_url() for e in Event.objects.filter(shared_id=event.shared_id)
    }


def series_versions(series: Series) -> dict[str, str]:
    """Each published language version's address, for the language switcher."""
    return {
        s.language: s.get_absolute_url()
        for s in Series.objects.filter(shared_id=series.shared_id, shared__is_published=True)
    }


def campaign_list_versions(campaign: Campaign) -> list[Campaign]:
    """The campaign's published language versions, itself included."""
    return list(
        Campaign.objects.filter(
            shared_id=campaign.shared_id, shared__status=Campaign.Status.PUBLISHED
        )
    )


def campaign_versions(campaign: Campaign) -> dict[str, str]:
    """Each published language version's address, for the language switcher."""
    return {c.language: c.get_absolute_url() for c in campaign_list_versions(campaign)}


@dataclass(frozen=True)
class EventTime:
    zone: str
    label: str
    text: str


def _zone_label(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def event_times(event: Event) -> list[EventTime]:
    """When the event is, in its own zone first, then in each zone its organiser listed."""
    zones = [event.time_zone, *[z for z in event.display_zones if z != event.time_zone]]
    times = []
    for zone in zones:
        start = event.starts_at.astimezone(zoneinfo.ZoneInfo(zone))
        end = event.ends_at.astimezone(zoneinfo.ZoneInfo(zone))
        same_day = start.date() == end.date()
        times.append(
            EventTime(
                zone=zone,
                label=_zone_label(zone),
                text=gettext("%(weekday)s, %(date)s, %(start)s – %(end)s %(zone)s")  # noqa: RUF001
                % {
                    "weekday": date_format(start, "l"),
                    "date": date_format(start, "DATE_FORMAT"),
                    "start": time_format(start, "TIME_FORMAT"),
                    "end": (
                        time_format(end, "TIME_FORMAT")
                        if same_day
                        else f"{date_format(end, 'DATE_FORMAT')} {time_format(end, 'TIME_FORMAT')}"
                    ),
                    "zone": start.strftime("%Z"),
                },
            )
        )
    return times


def event_get_public(*, language: str, slug: str) -> Event | None:
    """A published (or cancelled, to say so) event by its address in ``language``."""
    return (
        Event.objects.select_related("shared__organisation", "shared__series", "shared__campaign")
        .prefetch_related("speakers")
        .filter(language=language, slug=slug, shared__status__in=LISTED)
        .first()
    )


def event_list_upcoming(
    *,
    language: str,
    country: str = "",
    since: date | None = None,
    until: date | None = None,
    campaign: Campaign | None = None,
    kind: str = "",
) -> list[Event]:
    """Published events that have not ended, one per translation group, soonest first."""
    events = Event.objects.filter(
        shared__status=Event.Status.PUBLISHED, shared__ends_at__gt=timezone.now()
    )
    if campaign is not None:
        events = events.filter(shared__campaign_id=campaign.shared_id)
    if country:
        events = events.filter(shared__country=country)
    if since:
        events = events.filter(shared__starts_at__date__gte=since)
    if until:
        events = events.filter(shared__starts_at__date__lte=until)
    if kind == "in_person":
        events = events.exclude(shared__kind=Event.Kind.ONLINE)
    elif kind == "online":
        events = events.exclude(shared__kind=Event.Kind.IN_PERSON)
    rows = _prefer_language(
        events.select_related("shared__organisation").order_by("shared__starts_at"), language
    )
    return sorted(rows, key=lambda e: (e.starts_at, e.pk))


def event_list_near(*, events: list[Event], place: Place, radius_km: float = 300) -> list:
    """Events within ``radius_km`` of ``place``, nearest first, with their distance."""
    near = []
    for event in events:
        if event.has_place:
            km = distance_km(place.latitude, place.longitude, event.latitude, event.longitude)
            if km <= radius_km:
                near.append((km, event))
    near.sort(key=lambda pair: (pair[0], pair[1].starts_at))
    return [{"event": e, "km": round(km)} for km, e in near]


def event_nearest_finder(language: str):
    """A function (city, country) -> the nearest upcoming event on the ground in ``language``.

    The upcoming events are read once; for pledge activation emails
    (``actions.emails.pledge_nearest_event_register``).
    """
    upcoming = event_list_upcoming(language=language, kind="in_person")
    return lambda city, country: event_nearest(events=upcoming, city=city, country=country)


def event_nearest(*, events: list[Event], city: str, country: str = "") -> dict | None:
    """The event of ``events`` nearest to a person's city, within ``EVENTS_NEAR_KM``, or None."""
    from convoca.events.places import place_find

    place = place_find(city, country) if city else None
    if place is None:
        return None
    near = event_list_near(events=events, place=place, radius_km=settings.CONVOCA_EVENTS_NEAR_KM)
    return near[0] if near else None


def events_by_country_and_city(events: list[Event]) -> list[tuple]:
    """Events grouped ``[(country, [(city, [events])])]``, countries and cities by name."""
    grouped: dict = defaultdict(lambda: defaultdict(list))
    for event in events:
        grouped[event.country][event.city or ""].append(event)
    return sorted(
        (
            (country, sorted(cities.items(), key=lambda item: item[0]))
            for country, cities in grouped.items()
        ),
        key=lambda item: str(item[0].name) if item[0] else "~",
    )


def series_get_public(*, language: str, slug: str) -> Series | None:
    return (
        Series.objects.select_related("shared")
        .filter(language=language, slug=slug, shared__is_published=True)
        .first()
    )


def series_occurrences(*, series: Series) -> tuple[list[Event], list[Event]]:
    """The series' listed occurrences in this language: (past, upcoming)."""
    occurrences = list(
        series.occurrences.filter(shared__status__in=LISTED)
        .select_related("shared")
        .order_by("shared__starts_at")
    )
    now = timezone.now()
    past = [e for e in occurrences if e.ends_at <= now]
    upcoming = [e for e in occurrences if e.ends_at > now]
    return past[::-1], upcoming


def series_list_public(*, language: str) -> list[Series]:
    return list(
        Series.objects.select_related("shared").filter(language=language, shared__is_published=True)
    )


def campaign_get_public(*, language: str, slug: str) -> Campaign | None:
    return (
        Campaign.objects.select_related("shared__organisation", "shared__action")
        .filter(language=language, slug=slug, shared__status=Campaign.Status.PUBLISHED)
        .first()
    )


def campaign_list_public(*, language: str) -> list[Campaign]:
    return list(
        Campaign.objects.select_related("shared").filter(
            language=language, shared__status=Campaign.Status.PUBLISHED
        )
    )


def campaign_events_all(*, campaign: Campaign, language: str) -> list[Event]:
    """Every published event of the campaign (past ones too), one per translation group."""
    events = (
        Event.objects.filter(
            shared__campaign_id=campaign.shared_id, shared__status=Event.Status.PUBLISHED
        )
        .select_related("shared")
        .order_by("shared__starts_at")
    )
    return _prefer_language(events, language)


def campaign_country_count(events: list[Event]) -> int:
    return len({e.country.code for e in events if e.country})


def signatures_by_country(*, campaign: Campaign) -> dict[str, int]:
    """The campaign's action's signatures per country, read from its maintained tallies."""
    if campaign.action_id is None:
        return {}
    from convoca.actions.models import CountryTally

    return {
        row.country.code: row.count
        for row in CountryTally.objects.filter(translation_key=campaign.action_id)
        if row.country and row.count
    }


# --- Figures for the admin -------------------------------------------------------------------


@dataclass(frozen=True)
class EventFigures:
    confirmed: int
    waitlisted: int
    cancelled: int
    attended: int
    capacity: int
    by_country: list[tuple[str, int]]


def event_figures(*, event: Event) -> EventFigures:
    registrations = Registration.objects.filter(translation_key=event.translation_key)
    counts = Counter(registrations.values_list("status", flat=True))
    by_country = Counter(
        registrations.filter(status=Registration.Status.CONFIRMED).values_list(
            "person__country", flat=True
        )
    )
    return EventFigures(
        confirmed=counts[Registration.Status.CONFIRMED],
        waitlisted=counts[Registration.Status.WAITLISTED],
        cancelled=counts[Registration.Status.CANCELLED],
        attended=registrations.filter(attended=True).count(),
        capacity=event.capacity,
        by_country=by_country.most_common(20),
    )


def campaign_figures(*, campaign: Campaign) -> dict:
    events = Event.objects.filter(shared__campaign_id=campaign.shared_id).select_related("shared")
    published = _prefer_language(
        events.filter(shared__status=Event.Status.PUBLISHED), campaign.language
    )
    keys = [e.translation_key for e in published]
    registrations = Registration.objects.filter(
        translation_key__in=keys, status=Registration.Status.CONFIRMED
    )
    per_event = dict(
        registrations.values_list("translation_key").annotate(n=Count("pk")).order_by()
    )
    by_country: Counter = Counter()
    for event in published:
        by_country[event.country.code or "—"] += 1
    return {
        "published": len(published),
        "pending": len(
            _prefer_language(events.filter(shared__status=Event.Status.PENDING), campaign.language)
        ),
        "countries": campaign_country_count(published),
        "registrations": sum(per_event.values()),
        "events": [(e, per_event.get(e.translation_key, 0)) for e in published],
        "by_country": by_country.most_common(),
    }


def event_pending_queryset() -> QuerySet[Event]:
    return Event.objects.filter(shared__status=Event.Status.PENDING)


def host_registrants(*, event: Event) -> list[Registration]:
    """The registrations a host sees: names for all, contact details where consented."""
    return list(
        Registration.objects.select_related("person")
        .filter(
            Q(translation_key=event.translation_key),
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
            person__erased_at__isnull=True,
        )
        .order_by("status", "created_at")
    )


def upcoming_window(days: int) -> tuple[datetime, datetime]:
    now = timezone.now()
    return now, now + timedelta(days=days)


@dataclass(frozen=True)
class EventRegistrations:
    """An upcoming event (all its languages) and how many have registered for it."""

    event: Event
    registered: int
    waitlisted: int


def event_list_upcoming_for_staff(
    *, user: AbstractBaseUser, language: str, limit: int = 10
) -> list[EventRegistrations]:
    """The next events this staff account's organisations hold, with their registrations.

    Published events and events awaiting approval that have not ended, one
    per translation group (in ``language`` when there is that version),
    soonest first; coordinators see every organisation's.
    """
    events = Event.objects.filter(
        shared__status__in=[Event.Status.PUBLISHED, Event.Status.PENDING],
        shared__ends_at__gt=timezone.now(),
    ).select_related("shared")
    if not user_is_coordinator(user):
        events = events.filter(shared__organisation__in=organisation_ids_for_user(user))
    chosen = sorted(
        _prefer_language(events.order_by("shared__starts_at", "pk"), language),
        key=lambda e: (e.starts_at, e.pk),
    )[:limit]
    counts = defaultdict(Counter)
    for key, status, n in (
        Registration.objects.filter(translation_key__in=[e.translation_key for e in chosen])
        .values("translation_key", "status")
        .annotate(n=Count("pk"))
        .values_list("translation_key", "status", "n")
    ):
        counts[key][status] = n
    return [
        EventRegistrations(
            event=event,
            registered=counts[event.translation_key][Registration.Status.CONFIRMED],
            waitlisted=counts[event.translation_key][Registration.Status.WAITLISTED],
        )
        for event in chosen
    ]
