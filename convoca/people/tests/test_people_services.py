from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from convoca.coalition.models import WorkingGroupMember
from convoca.coalition.tests.helpers import working_group_make
from convoca.people.models import Activity, Consent, Person
from convoca.people.selectors import person_get_by_email
from convoca.people.services import (
    PersonData,
    consent_give,
    consent_withdraw,
    people_upsert,
    person_erase,
    person_export,
    person_purge_unconfirmed,
    person_tag,
    person_upsert,
)


def test_same_email_in_another_case_is_the_same_person(db):
    first = person_upsert(data=PersonData(email="Ana.Lopez@Example.org", given_name="Ana"))
    second = person_upsert(data=PersonData(email="  ana.lopez@example.ORG "))
    assert first.created and not second.created
    assert second.person.pk == first.person.pk
    assert Person.objects.count() == 1


def test_a_batch_finds_the_known_creates_the_new_and_merges_one_address_given_twice(
    make_person,
):
    known = make_person(email="known@example.org", given_name="Kim", confirmed=True)
    results = people_upsert(
        data=[
            PersonData(email="new@example.org", given_name="Noa"),
            PersonData(email="KNOWN@example.org", given_name="Someone else", city="Lyon"),
            PersonData(email="new@example.org", family_name="Vidal", given_name="Noemí"),
        ]
    )

    assert [r.created for r in results] == [True, False, False]
    assert results[0].person.pk == results[2].person.pk
    assert results[1].person.pk == known.pk
    assert Person.objects.count() == 2
    new = Person.objects.get(pk=results[0].person.pk)
    # Not confirmed yet: the later form's details win, and a blank erases nothing.
    assert (new.given_name, new.family_name) == ("Noemí", "Vidal")
    known.refresh_from_db()
    # Confirmed: a form may fill a blank but not rewrite a name.
    assert (known.given_name, known.city) == ("Kim", "Lyon")


def test_database_holds_no_plaintext_email_or_name(db):
    person_upsert(
        data=PersonData(
            email="secret.person@example.org",
            given_name="Zenobia",
            family_name="Quetzal",
            phone="+52 55 1234 5678",
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person")
        row_text = " ".join(str(value) for value in cursor.fetchone())
    for secret in ("secret.person", "example.org", "Zenobia", "Quetzal", "1234"):
        assert secret not in row_text
    person = person_get_by_email("SECRET.person@example.org")
    assert person.given_name == "Zenobia"
    assert person.phone == "+52 55 1234 5678"


def test_unconfirmed_person_takes_the_latest_details(make_person):
    make_person(given_name="Ana", city="Tucson", confirmed=False)
    person = person_upsert(
        data=PersonData(email="ana@example.org", given_name="Anna", city="Phoenix")
    ).person
    person.refresh_from_db()
    assert (person.given_name, person.city) == ("Anna", "Phoenix")


def test_unconfirmed_submission_cannot_overwrite_a_confirmed_person(make_person):
    make_person(given_name="Ana", city="Tucson", confirmed=True)
    person = person_upsert(
        data=PersonData(
            email="ana@example.org", given_name="Impostor", city="Elsewhere", phone="+1 555 0100"
        )
    ).person
    person.refresh_from_db()
    assert (person.given_name, person.city) == ("Ana", "Tucson")
    assert person.phone == "+1 555 0100"  # a blank is filled


def test_confirmed_submission_updates_a_confirmed_person_and_blank_never_erases(make_person):
    make_person(given_name="Ana", city="Tucson", confirmed=True)
    person = person_upsert(
        data=PersonData(email="ana@example.org", given_name="", city="Phoenix"), confirmed=True
    ).person
    person.refresh_from_db()
    assert (person.given_name, person.city) == ("Ana", "Phoenix")


def test_consent_is_recorded_once_and_withdrawal_is_kept_as_history(make_person, organisation):
    person = make_person()
    kwargs = {"person": person, "organisation": organisation, "purpose": Consent.Purpose.CONTACT}
    first = consent_give(**kwargs, wording="SNT may email me.", source="test-form")
    again = consent_give(**kwargs, wording="SNT may email me.", source="test-form")
    assert first.pk == again.pk
    assert consent_withdraw(**kwargs) == 1
    renewed = consent_give(**kwargs, wording="SNT may email me, again.", source="test-form")
    assert renewed.pk != first.pk
    history = list(Consent.objects.filter(person=person).order_by("given_at", "pk"))
    assert [c.withdrawn_at is not None for c in history] == [True, False]
    assert history[0].wording == "SNT may email me."


def test_export_holds_profile_consents_activities_tags_and_groups(make_person, organisation):
    person = make_person(given_name="Ana", country="MX", language="es")
    consent_give(
        person=person,
        organisation=organisation,
        purpose=Consent.Purpose.CONTACT,
        wording="SNT may email me.",
        source="test-form",
    )
    person_tag(person=person, name="speaker", organisation=organisation)
    group = working_group_make(slug="media", name_en="Media")
    WorkingGroupMember.objects.create(group=group, person=person, public_name="Ana L.")

    data = person_export(person=person)

    assert data["person"]["email"] == "ana@example.org"
    assert data["person"]["country"] == "MX"
    assert data["consents"][0]["wording"] == "SNT may email me."
    assert {t["tag"] for t in data["tags"]} == {"speaker"}
    assert data["working_groups"] == [
        {"working_group": "Media", "role": "member", "public_name": "Ana L."}
    ]
    assert "consent_given" in {a["kind"] for a in data["activities"]}


def test_erasure_removes_personal_data_but_keeps_the_row_and_counts(make_person, organisation):
    person = make_person(
        given_name="Ana",
        family_name="López",
        phone="123",
        city="Tucson",
        postal_code="85701",
        country="US",
    )
    consent_give(
        person=person,
        organisation=organisation,
        purpose=Consent.Purpose.CONTACT,
        wording="w",
        source="s",
    )
    group = working_group_make(slug="media", name_en="Media")
    WorkingGroupMember.objects.create(group=group, person=person, public_name="Ana L.")
    activities_before = Activity.objects.filter(person=person).count()

    person_erase(person=person)

    person = Person.objects.get(pk=person.pk)
    assert person.erased_at is not None
    assert (person.email, person.given_name, person.family_name, person.phone) == ("",) * 4
    assert (person.city, person.postal_code, person.email_index) == ("", "", None)
    assert person.country == "US"
    assert not WorkingGroupMember.objects.filter(person=person).exists()
    assert Activity.objects.filter(person=person).count() == activities_before + 1
    assert person_get_by_email("ana@example.org") is None
    # The address can come back later, as a new person.
    again = person_upsert(data=PersonData(email="ana@example.org"))
    assert again.created and again.person.pk != person.pk


def test_unconfirmed_people_lose_their_data_after_the_retention_period(make_person, settings):
    settings.CONVOCA_UNCONFIRMED_RETENTION_DAYS = 30
    stale = make_person(email="stale@example.org", confirmed=False)
    fresh = make_person(email="fresh@example.org", confirmed=False)
    confirmed = make_person(email="kept@example.org", confirmed=True)
    Person.objects.filter(pk__in=[stale.pk, confirmed.pk]).update(
        created_at=timezone.now() - timedelta(days=31)
    )

    assert person_purge_unconfirmed() == 1

    assert Person.objects.get(pk=stale.pk).erased_at is not None
    assert Person.objects.get(pk=fresh.pk).erased_at is None
    assert Person.objects.get(pk=confirmed.pk).email == "kept@example.org"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sign_ups_with_one_new_email_make_one_person():
    import threading

    from django.db import connections

    barrier = threading.Barrier(2)
    results = []

    def sign_up():
        try:
            barrier.wait()
            results.append(person_upsert(data=PersonData(email="race@example.org")).person.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert len(set(results)) == 1
    assert Person.objects.count() == 1
