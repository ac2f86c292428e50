"""Cancelling, publishing or changing the capacity or time of an event does it in every language."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from convoca.events.models import Event, EventShared, Registration
from convoca.events.services import (
    event_cancel,
    event_capacity_set,
    event_create,
    event_delete,
    event_publish,
    event_save,
)


@pytest.fixture
def spanish(webinar):
    return event_create(
        translation_of=webinar,
        language="es",
        title="Las sanciones matan: un seminario",
        slug="las-sanciones-matan",
    )


def test_cancelling_the_english_version_cancels_the_spanish_one_and_tells_everyone(
    client, webinar, spanish, register, commit
):
    register(webinar)
    register(spanish, email="bea@example.org")
    mail.outbox.clear()
    told = commit(event_cancel, event=webinar)
    assert told == 2
    assert len(mail.outbox) == 2
    assert Event.objects.get(pk=spanish.pk).status == Event.Status.CANCELLED
    page = client.get(spanish.get_absolute_url()).text
    assert "Las sanciones matan" in page
    assert register(spanish, email="cleo@example.org").status_code != 302
    assert Registration.objects.count() == 2


def test_publishing_the_spanish_version_publishes_the_english_one(client, make_event, commit):
    draft = make_event(status=Event.Status.DRAFT)
    spanish = event_create(translation_of=draft, language="es", title="Borrador", slug="borrador")
    assert client.get(draft.get_absolute_url()).status_code == 404
    commit(event_publish, event=spanish)
    assert Event.objects.get(pk=draft.pk).status == Event.Status.PUBLISHED
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(spanish.get_absolute_url()).status_code == 200
    commit(event_publish, event=draft.shared, published=False)
    assert client.get(spanish.get_absolute_url()).status_code == 404


def test_more_places_in_one_language_move_the_wait_list_up_in_every_language(
    make_event, register, commit
):
    english = make_event(capacity=1)
    spanish = event_create(
        translation_of=english, language="es", title="Seminario", slug="seminario"
    )
    register(english)
    register(spanish, email="bea@example.org")
    waiting = Registration.objects.get(status=Registration.Status.WAITLISTED)
    assert waiting.event_id == spanish.pk
    promoted = commit(event_capacity_set, event=spanish, capacity=2)
    assert [r.pk for r in promoted] == [waiting.pk]
    assert Event.objects.get(pk=english.pk).capacity == 2
    assert not Registration.objects.filter(status=Registration.Status.WAITLISTED).exists()


def test_moving_an_event_moves_it_in_every_language_and_its_calendar(
    client, webinar, spanish, commit
):
    later = {
        "starts_at": webinar.starts_at + timedelta(days=1),
        "ends_at": webinar.ends_at + timedelta(days=1),
    }
    commit(event_save, event=spanish, shared=later)
    english = Event.objects.get(pk=webinar.pk)
    assert (english.starts_at, english.ends_at) == (later["starts_at"], later["ends_at"])
    assert EventShared.objects.count() == 1
    calendar = client.get(reverse("events:event-calendar", kwargs={"slug": webinar.slug}))
    local = later["starts_at"].astimezone(ZoneInfo(webinar.time_zone))
    assert f"DTSTART;TZID={webinar.time_zone}:{local:%Y%m%dT%H%M}" in calendar.text


def test_a_shared_value_cannot_be_set_through_one_version(webinar):
    with pytest.raises(AttributeError):
        webinar.capacity = 3
    with pytest.raises(ValueError, match="belong to the event"):
        event_create(translation_of=webinar, language="es", slug="x", title="X", capacity=3)


def test_deleting_the_last_version_deletes_the_event_in_every_language(webinar, spanish):
    event_delete(event=webinar)
    assert EventShared.objects.filter(pk=spanish.shared_id).exists()
    event_delete(event=spanish)
    assert not EventShared.objects.exists()
