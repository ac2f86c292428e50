from datetime import timedelta

import pytest
from django.utils import timezone

from convoca.events.models import Event
from convoca.events.services import event_create

pytestmark = pytest.mark.django_db


def _event(organisation, **fields):
    start = timezone.now() + timedelta(days=fields.pop("in_days", 5))
    defaults = {
        "language": "en",
        "title": "Rally for the hearings",
        "slug": "rally-hearings",
        "organisation": organisation,
        "status": Event.Status.PUBLISHED,
        "kind": Event.Kind.IN_PERSON,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "time_zone": "America/Phoenix",
        "city": "Tucson",
        "country": "US",
    }
    return event_create(**{**defaults, **fields})


def test_an_article_shows_its_related_events_still_to_come(client, make_article, organisation):
    article = make_article(slug="week-of-action")
    coming = _event(organisation)
    past = _event(organisation, slug="last-year", title="Last year's vigil", in_days=-30)
    article.related_events.add(coming, past)

    page = client.get(article.get_absolute_url()).text

    assert "Upcoming events" in page
    assert "Rally for the hearings" in page
    assert "Last year&#x27;s vigil" not in page and "Last year's vigil" not in page
