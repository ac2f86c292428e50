"""The migrations that give an event's versions one shared row carry every row over, both ways."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from convoca.events.models import Event, EventShared, HostMessage, Registration, Speaker

BEFORE = [("events", "0010_campaign_texts_only")]


def _old_event(old, organisation, key, language, slug, **fields):
    now = timezone.now()
    return old.get_model("events", "Event").objects.create(
        translation_key=key,
        language=language,
        title=f"Title {slug}",
        slug=slug,
        description=f"Description in {language}",
        organisation=organisation,
        starts_at=fields.pop("starts_at", now + timedelta(days=3)),
        ends_at=fields.pop("ends_at", now + timedelta(days=3, hours=1)),
        **fields,
    )


def _fill_old_schema(old):
    """Two languages that disagree, a lone event, a series occurrence, a hosted pending event."""
    Organisation = old.get_model("coalition", "Organisation")
    owner = Organisation.objects.create(name="Owner", slug="owner", country="US")
    other = Organisation.objects.create(name="Other", slug="other", country="CU")
    Person = old.get_model("people", "Person")
    ana = Person.objects.create(id=uuid.uuid4(), email_index="index-ana")
    bea = Person.objects.create(id=uuid.uuid4(), email_index="index-bea")
    host = Person.objects.create(id=uuid.uuid4(), email_index="index-host")
    now = timezone.now()
    keys = {name: uuid.uuid4() for name in ("webinar", "lone", "session", "rally")}
    rows = {}
    rows["en"] = _old_event(
        old, owner, keys["webinar"], "en", "webinar", capacity=40, status="published",
        city="Phoenix", country="US", questions=["Your union?"], report="Report in en",
    )  # fmt: skip
    rows["es"] = _old_event(
        old, owner, keys["webinar"], "es", "seminario", capacity=40, status="published",
        city="Phoenix", country="US", questions=["¿Su sindicato?"],
    )  # fmt: skip
    # The versions disagreed: the Spanish one was cancelled and enlarged last.
    old.get_model("events", "Event").objects.filter(pk=rows["es"].pk).update(
        status="cancelled", capacity=80, updated_at=now + timedelta(minutes=1)
    )
    rows["lone"] = _old_event(
        old, other, keys["lone"], "es", "solo", kind="in_person", venue_name="Sala 1",
        latitude=19.4, longitude=-99.1, ask_phone=True, reminder_minutes=[60],
        recording_url="https://video.example.org/1", display_zones=["America/Havana"],
    )  # fmt: skip
    SeriesShared = old.get_model("events", "SeriesShared")
    series_shared = SeriesShared.objects.create(
        organisation=owner, rule="FREQ=MONTHLY", first_start=now + timedelta(days=1)
    )
    series = old.get_model("events", "Series").objects.create(
        shared=series_shared, language="en", title="Monthly", slug="monthly"
    )
    start = now + timedelta(days=1)
    rows["session"] = _old_event(
        old, owner, keys["session"], "en", "session", series=series, occurrence_start=start,
        starts_at=start, ends_at=start + timedelta(hours=1), online_url="https://meet.example.org/a",
    )  # fmt: skip
    CampaignShared = old.get_model("events", "CampaignShared")
    campaign_shared = CampaignShared.objects.create(
        organisation=owner, starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 7)
    )
    campaign = old.get_model("events", "Campaign").objects.create(
        shared=campaign_shared, language="es", title="Semana", slug="semana"
    )
    rows["rally"] = _old_event(
        old, owner, keys["rally"], "es", "marcha", status="pending", campaign=campaign,
        host_person=host, host_key="the-hosts-key", host_group="Comité", kind="in_person",
    )  # fmt: skip
    Registration_ = old.get_model("events", "Registration")
    registrations = [
        Registration_.objects.create(
            id=uuid.uuid4(), event=rows["es"], translation_key=keys["webinar"], person=ana
        ),
        Registration_.objects.create(
            id=uuid.uuid4(),
            event=rows["rally"],
            translation_key=keys["rally"],
            person=ana,
            status="waitlisted",
        ),
        Registration_.objects.create(
            id=uuid.uuid4(),
            event=rows["rally"],
            translation_key=keys["rally"],
            person=bea,
            share_with_host=True,
        ),
    ]
    old.get_model("events", "Speaker").objects.create(event=rows["en"], name="Ana Esperanza")
    old.get_model("events", "HostMessage").objects.create(event=rows["rally"], recipients=1)
    return {
        "owner": owner, "other": other, "host": host, "keys": keys, "rows": rows,
        "registrations": registrations, "series": series, "campaign": campaign,
        "start": start,
    }  # fmt: skip


def _assert_carried_over(made):
    keys, rows = made["keys"], made["rows"]
    assert EventShared.objects.count() == 4
    assert Event.objects.count() == 5
    webinar = EventShared.objects.get(pk=keys["webinar"])
    # The version changed last is the organiser's latest word, for both versions.
    assert (webinar.status, webinar.capacity, webinar.city) == ("cancelled", 80, "Phoenix")
    assert webinar.organisation_id == made["owner"].pk
    versions = {v.language: v for v in Event.objects.filter(shared=webinar)}
    assert {v.pk for v in versions.values()} == {rows["en"].pk, rows["es"].pk}
    assert (versions["en"].slug, versions["es"].slug) == ("webinar", "seminario")
    assert versions["en"].questions == ["Your union?"]
    assert versions["es"].questions == ["¿Su sindicato?"]
    assert (versions["en"].report, versions["es"].report) == ("Report in en", "")
    assert versions["en"].capacity == 80  # one value in every language
    lone = Event.objects.get(pk=rows["lone"].pk)
    assert lone.translation_key == keys["lone"]
    assert (lone.kind, lone.venue_name, lone.latitude, lone.longitude) == (
        "in_person", "Sala 1", 19.4, -99.1,
    )  # fmt: skip
    assert (lone.ask_phone, lone.reminder_minutes) == (True, [60])
    assert lone.recording_url == "https://video.example.org/1"
    assert lone.display_zones == ["America/Havana"]
    assert lone.organisation.pk == made["other"].pk
    session = Event.objects.get(pk=rows["session"].pk)
    assert session.shared.series_id == made["series"].shared_id
    assert session.series.pk == made["series"].pk
    assert session.occurrence_start == made["start"]
    assert session.online_url == "https://meet.example.org/a"
    rally = Event.objects.get(pk=rows["rally"].pk)
    assert (rally.status, rally.host_key, rally.host_group) == (
        "pending",
        "the-hosts-key",
        "Comité",
    )
    assert rally.host_person_id == made["host"].pk
    assert rally.shared.campaign_id == made["campaign"].shared_id
    assert rally.campaign.pk == made["campaign"].pk
    for before in made["registrations"]:
        after = Registration.objects.get(pk=before.pk)
        assert (after.event_id, after.translation_key) == (before.event_id, before.translation_key)
        assert (after.status, after.share_with_host) == (before.status, before.share_with_host)
    assert Speaker.objects.get().event_id == rows["en"].pk
    assert HostMessage.objects.get().event_id == rows["rally"].pk


@pytest.mark.django_db(transaction=True)
def test_every_event_and_registration_is_carried_over_to_the_shared_rows_and_back(migrate_to):
    try:
        old = migrate_to(BEFORE)
        made = _fill_old_schema(old)

        migrate_to(None)
        _assert_carried_over(made)

        old = migrate_to(BEFORE)
        OldEvent = old.get_model("events", "Event")
        keys, rows = made["keys"], made["rows"]
        assert OldEvent.objects.count() == 5
        for language in ("en", "es"):
            version = OldEvent.objects.get(pk=rows[language].pk)
            assert version.translation_key == keys["webinar"]
            assert (version.status, version.capacity) == ("cancelled", 80)
        session = OldEvent.objects.get(pk=rows["session"].pk)
        assert (session.series_id, session.occurrence_start) == (made["series"].pk, made["start"])
        rally = OldEvent.objects.get(pk=rows["rally"].pk)
        assert (rally.campaign_id, rally.host_person_id) == (made["campaign"].pk, made["host"].pk)
        assert (rally.status, rally.host_key) == ("pending", "the-hosts-key")
        lone = OldEvent.objects.get(pk=rows["lone"].pk)
        assert (lone.organisation_id, lone.latitude, lone.kind) == (
            made["other"].pk, 19.4, "in_person",
        )  # fmt: skip
        assert old.get_model("events", "Registration").objects.count() == 3

        # And forward again: nothing was lost on the way back.
        migrate_to(None)
        _assert_carried_over(made)
    finally:
        migrate_to(None)
