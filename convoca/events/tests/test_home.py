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


def test_an_event_page_carries_sharing_metadata_and_links_its_other_language(client, make_event):
    english = make_event(summary="One hour on the human cost of sanctions.")
    make_event(language="es", slug="las-sanciones-matan", title="Las sanciones matan",
               translation_key=english.translation_key)  # fmt: skip

    page = client.get(english.get_absolute_url()).text

    assert '<meta property="og:title" content="Sanctions kill: a webinar">' in page
    assert "One hour on the human cost of sanctions." in page
    assert 'hreflang="es" href="http://127.0.0.1:8000/es/eventos/las-sanciones-matan/"' in page
