"""A series: an RFC 5545 rule gives occurrences that keep their local time across DST."""

import zoneinfo
from datetime import datetime, timedelta

import icalendar
from django.core import mail
from django.utils import timezone

from convoca.events.models import Event, Registration, Series, SeriesShared
from convoca.events.services import event_save, series_occurrences_sync, series_starts

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _series(organisation, **fields):
    defaults = {
        "language": "en",
        "title": "Solidarity webinar",
        "slug": "solidarity-webinar",
        "organisation": organisation,
        "rule": "FREQ=MONTHLY;BYDAY=-1TU",
        "first_start": datetime(2026, 1, 27, 20, 0, tzinfo=NEW_YORK),
        "duration_minutes": 60,
        "time_zone": "America/New_York",
        "display_zones": ["America/Los_Angeles"],
        "online_url": "https://meet.example.org/monthly",
        "is_published": True,
    }
    fields = {**defaults, **fields}
    translation_of = fields.pop("translation_of", None)
    texts = {name: fields.pop(name) for name in ("language", "title", "slug") if name in fields}
    shared = translation_of.shared if translation_of else SeriesShared.objects.create(**fields)
    return Series.objects.create(shared=shared, **texts)


def test_last_tuesday_of_each_month_stays_at_8_pm_in_new_york_across_daylight_saving(
    organisation,
):
    series = _series(organisation)
    starts = series_starts(
        series=series,
        after=datetime(2026, 1, 1, tzinfo=NEW_YORK),
        before=datetime(2026, 12, 31, tzinfo=NEW_YORK),
    )
    local = [s.astimezone(NEW_YORK) for s in starts]
    assert [d.date().isoformat() for d in local[:4]] == [
        "2026-01-27", "2026-02-24", "2026-03-31", "2026-04-28",
    ]  # fmt: skip
    assert {(d.hour, d.minute) for d in local} == {(20, 0)}
    assert all(d.weekday() == 1 for d in local)
    utc_hours = {s.astimezone(zoneinfo.ZoneInfo("UTC")).hour for s in starts}
    assert utc_hours == {0, 1}  # 01:00 UTC in winter (EST), 00:00 UTC in summer (EDT)
    pacific = starts[2].astimezone(zoneinfo.ZoneInfo("America/Los_Angeles"))
    assert (pacific.hour, pacific.minute) == (17, 0)


def test_sync_makes_each_occurrence_once_and_never_overwrites_an_edited_one(organisation):
    series = _series(organisation, first_start=timezone.now() + timedelta(days=1))
    horizon = timezone.now() + timedelta(days=200)
    made = series_occurrences_sync(series=series, before=horizon)
    assert made >= 6
    assert series_occurrences_sync(series=series, before=horizon) == 0
    first = series.occurrences.order_by("shared__starts_at").first()
    first.title = "Special session: the blockade and health"
    moved = {
        "starts_at": first.starts_at + timedelta(hours=1),
        "ends_at": first.ends_at + timedelta(hours=1),
    }
    event_save(event=first, shared=moved)
    second = series.occurrences.order_by("shared__starts_at")[1]
    event_save(event=second, shared={"status": Event.Status.CANCELLED})
    series_occurrences_sync(series=series, before=horizon)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.title == "Special session: the blockade and health"
    assert second.status == Event.Status.CANCELLED
    assert series.occurrences.count() == made


def test_the_same_occurrence_in_both_languages_is_one_event(organisation, make_event):
    english = _series(organisation, first_start=timezone.now() + timedelta(days=1))
    spanish = _series(
        organisation,
        language="es",
        title="Webinario solidario",
        slug="webinario-solidario",
        translation_of=english,
    )
    horizon = timezone.now() + timedelta(days=100)
    series_occurrences_sync(series=english, before=horizon)
    series_occurrences_sync(series=spanish, before=horizon)
    en = english.occurrences.order_by("shared__starts_at").first()
    es = spanish.occurrences.order_by("shared__starts_at").first()
    assert en.translation_key == es.translation_key
    assert en.starts_at == es.starts_at


def test_registering_for_the_series_registers_for_every_upcoming_and_future_occurrence(
    organisation, client, django_capture_on_commit_callbacks
):
    series = _series(organisation, first_start=timezone.now() + timedelta(days=1))
    series_occurrences_sync(series=series, before=timezone.now() + timedelta(days=100))
    upcoming = series.occurrences.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            series.get_absolute_url() + "register/",
            {"given_name": "Ana", "email": "ana@example.org"},
        )
    assert response.status_code == 200
    assert "You are registered for every session" in response.content.decode()
    assert Registration.objects.filter(status="confirmed").count() == upcoming
    [message] = mail.outbox
    assert "every session" in message.subject
    series_occurrences_sync(series=series, before=timezone.now() + timedelta(days=200))
    assert Registration.objects.count() == series.occurrences.count() > upcoming


def test_the_series_page_lists_recordings_and_its_feed_is_valid(organisation, client):
    series = _series(organisation, first_start=timezone.now() - timedelta(days=70))
    series_occurrences_sync(series=series, before=timezone.now() + timedelta(days=100))
    past = series.occurrences.filter(shared__starts_at__lt=timezone.now()).first()
    event_save(event=past, shared={"recording_url": "https://video.example.org/session-1"})
    page = client.get(series.get_absolute_url()).content.decode()
    assert "https://video.example.org/session-1" in page
    assert "Next dates" in page
    feed = client.get(series.get_absolute_url() + "calendar.ics")
    assert feed["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.content)
    events = calendar.walk("VEVENT")
    assert len(events) == series.occurrences.count()
    assert b"meet.example.org" not in feed.content
    assert calendar.walk("VTIMEZONE")


def test_the_series_email_cancels_every_session_to_come(
    organisation, client, django_capture_on_commit_callbacks
):
    import re

    series = _series(organisation, first_start=timezone.now() + timedelta(days=1))
    series_occurrences_sync(series=series, before=timezone.now() + timedelta(days=100))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            series.get_absolute_url() + "register/",
            {"given_name": "Ana", "email": "ana@example.org"},
        )
    link = re.search(r"https?://[^/\s]+(/en/events/series/cancel/\S+/)", mail.outbox[0].body)[1]
    assert "Cancel my registration for every session" in client.get(link).content.decode()
    assert Registration.objects.filter(status="confirmed").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    assert "You will not be registered for the next sessions." in response.content.decode()
    assert not Registration.objects.filter(status="confirmed").exists()
    series_occurrences_sync(series=series, before=timezone.now() + timedelta(days=200))
    assert not Registration.objects.filter(status="confirmed").exists()
