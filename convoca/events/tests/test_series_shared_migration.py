"""The migrations that give a series' versions one shared row carry every row over."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from convoca.events.models import Event, Series, SeriesRegistration, SeriesShared

BEFORE = [("events", "0004_delivery_rows_remove")]


def _old_series(old, organisation, key, language, slug, **fields):
    return old.get_model("events", "Series").objects.create(
        translation_key=key,
        language=language,
        title=f"Title {slug}",
        slug=slug,
        description=f"Description in {language}",
        organisation=organisation,
        rule="FREQ=MONTHLY",
        first_start=timezone.now() + timedelta(days=1),
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_two_language_series_become_one_shared_row_with_their_sessions_and_registrations(
    migrate_to,
):
    try:
        old = migrate_to(BEFORE)
        Organisation = old.get_model("coalition", "Organisation")
        owner = Organisation.objects.create(name="Owner", slug="owner", country="US")
        other = Organisation.objects.create(name="Other", slug="other", country="CU")
        now = timezone.now()
        monthly, weekly = uuid.uuid4(), uuid.uuid4()
        english = _old_series(
            old, owner, monthly, "en", "monthly", capacity=50, is_published=True,
            time_zone="America/New_York",
        )  # fmt: skip
        spanish = _old_series(
            old, owner, monthly, "es", "mensual", capacity=50, is_published=True,
            time_zone="America/New_York",
        )  # fmt: skip
        # The versions disagreed: the Spanish one was withdrawn and enlarged last.
        old.get_model("events", "Series").objects.filter(pk=spanish.pk).update(
            is_published=False, capacity=80, updated_at=now + timedelta(minutes=1)
        )
        only = _old_series(old, other, weekly, "es", "semanal", duration_minutes=30)
        occurrence_key = uuid.uuid4()
        occurrence = old.get_model("events", "Event").objects.create(
            translation_key=occurrence_key, language="en", title="Session", slug="session",
            organisation=owner, starts_at=now + timedelta(days=1),
            ends_at=now + timedelta(days=1, hours=1), series=english,
            occurrence_start=now + timedelta(days=1),
        )  # fmt: skip
        person = old.get_model("people", "Person").objects.create(
            id=uuid.uuid4(), email_index="index-1"
        )
        old.get_model("events", "SeriesRegistration").objects.create(
            series_key=monthly, person=person, language="en"
        )

        migrate_to(None)

        assert SeriesShared.objects.count() == 2
        shared = SeriesShared.objects.get(pk=monthly)
        # The version changed last is the organiser's latest word, for both versions.
        assert (shared.is_published, shared.capacity) == (False, 80)
        assert (shared.organisation_id, shared.time_zone) == (owner.pk, "America/New_York")
        versions = {v.language: v for v in Series.objects.filter(shared=shared)}
        assert {v.pk for v in versions.values()} == {english.pk, spanish.pk}
        assert (versions["en"].slug, versions["es"].slug) == ("monthly", "mensual")
        assert versions["es"].description == "Description in es"
        assert versions["en"].capacity == 80  # one value in every language
        lone = Series.objects.get(pk=only.pk)
        assert (lone.translation_key, lone.duration_minutes) == (weekly, 30)
        assert lone.organisation.pk == other.pk
        moved = Event.objects.get(pk=occurrence.pk)
        assert (moved.series.pk, moved.translation_key) == (english.pk, occurrence_key)
        assert SeriesRegistration.objects.get().series_key == versions["en"].translation_key
    finally:
        migrate_to(None)
