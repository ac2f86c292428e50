"""iCalendar (RFC 5545) files: one event, a series' feed, a campaign's feed.

Times are written in the event's own zone with its VTIMEZONE, so calendar
programs keep "8 PM New York" right across daylight-saving changes. The
join link of an online event is written only into the copy attached to a
registrant's email (``with_join_link``), never into a public file.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

from convoca.core.mail import absolute_url
from convoca.core.markdown import markdown_to_text
from convoca.events.models import Event

PRODID = "-//Convoca//Events//EN"


def _host() -> str:
    # The host alone: an event keeps its UID when the site moves to another port.
    return urlsplit(settings.SITE_URL).hostname or "convoca.local"


def _location(event: Event) -> str:
    parts = [event.venue_name, event.street_address, event.postal_code, event.city]
    if event.country:
        parts.append(str(event.country.name))
    return ", ".join(p for p in parts if p)


def _vevent(event: Event, *, with_join_link: bool) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", f"{event.translation_key}@{_host()}")
    vevent.add("dtstamp", timezone.now())
    vevent.add("dtstart", event.local_start)
    vevent.add("dtend", event.local_end)
    vevent.add("summary", event.title)
    url = absolute_url(event.get_absolute_url())
    description = markdown_to_text(event.summary or event.description)
    if with_join_link and event.online_url:
        description = f"{event.online_url}\n\n{description}"
    vevent.add("description", f"{description}\n\n{url}".strip())
    vevent.add("url", url)
    location = _location(event)
    if with_join_link and event.online_url and not location:
        location = event.online_url
    if location:
        vevent.add("location", location)
    if event.has_place:
        vevent.add("geo", (event.latitude, event.longitude))
    vevent.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    vevent.add("last-modified", event.updated_at)
    vevent.add("sequence", int(event.updated_at.timestamp()) // 60 % 2_000_000_000)
    return vevent


def calendar_ics(events: Iterable[Event], *, name: str = "", with_join_link: bool = False) -> bytes:
    """An RFC 5545 calendar of ``events``, with a VTIMEZONE for every zone they use."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
    calendar.add("method", "PUBLISH")
    events = list(events)
    for event in events:
        calendar.add_component(_vevent(event, with_join_link=with_join_link))
    if events:
        # Only the transitions around these events: smaller files, and no end
        # at 2038 for an event planned after it.
        first = min(e.starts_at for e in events).date()
        last = max(e.ends_at for e in events).date()
        calendar.add_missing_timezones(
            first_date=first - timedelta(days=366), last_date=last + timedelta(days=366)
        )
    return calendar.to_ical()
