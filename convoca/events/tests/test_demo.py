"""The demo events, as a visitor to a fresh ``convoca demo`` sees them."""

import pytest
from django.utils import timezone

from convoca.core.demo import demo_load
from convoca.events.models import Campaign, Event, Series


@pytest.fixture
def demo(db):
    demo_load()


def test_the_demo_has_a_monthly_webinar_with_recordings_and_upcoming_sessions(demo, client):
    series = Series.objects.get(language="en")
    past = series.occurrences.filter(shared__ends_at__lt=timezone.now())
    assert past.count() >= 6
    assert all(e.recording_url for e in past)
    assert series.occurrences.filter(shared__starts_at__gt=timezone.now()).exists()
    for event in series.occurrences.all():
        local = event.local_start
        assert (local.weekday(), local.hour) == (1, 20)
    page = client.get(series.get_absolute_url()).content.decode()
    assert "recording" in page
    spanish = Series.objects.get(language="es")
    assert client.get(spanish.get_absolute_url()).status_code == 200


def test_the_demo_week_of_action_has_about_30_events_in_about_20_countries(demo, client):
    campaign = Campaign.objects.get(language="en")
    published = Event.objects.filter(shared__campaign_id=campaign.shared_id)
    assert published.filter(shared__status="published").count() == 31
    assert published.filter(shared__status="pending").count() == 4
    assert published.filter(shared__latitude__isnull=True).count() == 0
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "31 events in 23 countries" in page
    assert page.count('class="dot"') == 31
    spanish = Campaign.objects.get(language="es")
    assert client.get(spanish.get_absolute_url()).status_code == 200
    assert client.get("/en/events/").status_code == 200
