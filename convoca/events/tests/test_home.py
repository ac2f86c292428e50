import pytest

from convoca.events.models import Event

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_upcoming_published_events_but_not_drafts(client, make_event):
    make_event()
    make_event(slug="draft-rally", title="A rally still being planned", status=Event.Status.DRAFT)

    page = client.get("/en/").text

    assert "Upcoming events" in page
    assert "Sanctions kill: a webinar" in page
    assert "A rally still being planned" not in page
