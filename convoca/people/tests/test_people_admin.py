import pytest
from django.urls import reverse

from convoca.organisations.models import Membership
from convoca.people.models import Activity, Consent
from convoca.people.services import PersonData, activity_record, consent_give, person_upsert


@pytest.fixture
def supporters(organisation, other_organisation):
    """Ana consented to SNT; Bea signed an action of CSI; Carla has nothing to do with either."""
    ana = person_upsert(data=PersonData(email="ana@example.org", given_name="Ana")).person
    consent_give(
        person=ana,
        organisation=organisation,
        purpose=Consent.Purpose.CONTACT,
        wording="SNT may email me.",
        source="test",
    )
    bea = person_upsert(data=PersonData(email="bea@example.org", given_name="Bea")).person
    activity_record(
        person=bea,
        kind=Activity.Kind.SIGNED,
        organisation=other_organisation,
        summary="Lift the sanctions",
    )
    carla = person_upsert(data=PersonData(email="carla@example.org", given_name="Carla")).person
    return {"ana": ana, "bea": bea, "carla": carla}


def _change_url(person):
    return reverse("admin:people_person_change", args=[person.pk])


def test_organiser_sees_only_people_who_consented_to_or_acted_with_their_organisation(
    client, organiser, supporters
):
    client.force_login(organiser)
    response = client.get(reverse("admin:people_person_changelist"))
    assert response.status_code == 200
    assert "ana@example.org" in response.text
    assert "bea@example.org" not in response.text
    assert "carla@example.org" not in response.text


def test_another_organisations_supporter_answers_404_not_403(client, organiser, supporters):
    client.force_login(organiser)
    assert client.get(_change_url(supporters["bea"])).status_code == 404
    assert client.get(_change_url(supporters["ana"])).status_code == 200


def test_a_withdrawn_consent_hides_the_person_from_the_organiser(
    client, organiser, organisation, supporters
):
    from convoca.people.services import consent_withdraw

    consent_withdraw(
        person=supporters["ana"], organisation=organisation, purpose=Consent.Purpose.CONTACT
    )
    client.force_login(organiser)
    assert client.get(_change_url(supporters["ana"])).status_code == 404


def test_coordinator_sees_everyone_and_finds_a_person_by_exact_email(
    client, coordinator, supporters
):
    client.force_login(coordinator)
    url = reverse("admin:people_person_changelist")
    everyone = client.get(url)
    assert all(f"{n}@example.org" in everyone.text for n in ("ana", "bea", "carla"))
    found = client.get(url, {"q": "  BEA@Example.org "})
    assert "bea@example.org" in found.text
    assert "ana@example.org" not in found.text


def test_coordinator_finds_people_by_exact_city_or_postal_code_though_both_are_encrypted(
    client, coordinator, supporters
):
    person_upsert(data=PersonData(email="bea@example.org", city="San José", postal_code="SW1A 1AA"))
    client.force_login(coordinator)
    url = reverse("admin:people_person_changelist")

    by_city = client.get(url, {"q": " san  JOSÉ "})
    by_postal_code = client.get(url, {"q": "sw1a1aa"})
    by_part_of_it = client.get(url, {"q": "San"})

    assert "bea@example.org" in by_city.text
    assert "ana@example.org" not in by_city.text
    assert "bea@example.org" in by_postal_code.text
    assert "bea@example.org" not in by_part_of_it.text  # exact values only: no text to search


def test_viewer_can_read_but_not_change_people(client, make_staff, organisation, supporters):
    viewer = make_staff("viewer", Membership.Role.VIEWER, organisation)
    client.force_login(viewer)
    page = client.get(_change_url(supporters["ana"]))
    assert page.status_code == 200
    response = client.post(_change_url(supporters["ana"]), {"given_name": "Changed"})
    assert response.status_code == 403
    supporters["ana"].refresh_from_db()
    assert supporters["ana"].given_name == "Ana"


def test_organiser_cannot_open_another_organisation(client, organiser, other_organisation):
    client.force_login(organiser)
    url = reverse("admin:organisations_organisation_change", args=[other_organisation.pk])
    assert client.get(url).status_code == 404
    listing = client.get(reverse("admin:organisations_organisation_changelist"))
    assert other_organisation.name not in listing.text


def test_organiser_cannot_manage_staff_accounts(client, organiser):
    client.force_login(organiser)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_coordinator_erases_a_person_from_the_admin(client, coordinator, supporters):
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:people_person_changelist"),
        {"action": "erase_selected", "_selected_action": [str(supporters["carla"].pk)]},
        follow=True,
    )
    assert "Erased 1 person." in response.text
    supporters["carla"].refresh_from_db()
    assert supporters["carla"].email == "" and supporters["carla"].erased_at


def test_coordinator_edits_a_person_and_the_admin_history_holds_no_personal_data(
    client, coordinator, supporters
):
    from django.contrib.admin.models import LogEntry

    ana = supporters["ana"]
    client.force_login(coordinator)
    management = {
        f"{prefix}-{name}": value
        for prefix in ("persontag_set", "consents", "activities")
        for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
    }
    response = client.post(
        _change_url(ana),
        {
            "given_name": "Zenobia",
            "family_name": "Quetzal",
            "phone": "",
            "language": "es",
            "street_address": "",
            "postal_code": "",
            "city": "Tucson",
            "country": "US",
            **management,
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    ana.refresh_from_db()
    assert (ana.given_name, ana.city) == ("Zenobia", "Tucson")
    [entry] = LogEntry.objects.all()
    recorded = f"{entry.object_repr} {entry.change_message}"
    for secret in ("Zenobia", "Quetzal", "ana@example.org", "Ana"):
        assert secret not in recorded


def test_an_organiser_tags_retags_and_untags_a_supporter_from_their_page(
    client, organiser, organisation, supporters
):
    from convoca.people.models import PersonTag, Tag
    from convoca.people.services import tag_save

    speaker = tag_save(tag=Tag(name="speaker", organisation=organisation))
    union = tag_save(tag=Tag(name="union", organisation=organisation))
    ana = supporters["ana"]
    client.force_login(organiser)

    def post(**rows):
        management = {
            f"{prefix}-{name}": value
            for prefix in ("consents", "activities")
            for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
        }
        response = client.post(_change_url(ana), {**management, **rows})
        assert response.status_code == 302, response.content.decode()[:2000]
        return list(PersonTag.objects.filter(person=ana).values_list("tag__name", flat=True))

    added = post(**{
        "persontag_set-TOTAL_FORMS": "1", "persontag_set-INITIAL_FORMS": "0",
        "persontag_set-0-tag": speaker.pk,
    })  # fmt: skip
    assert added == ["speaker"]
    row = PersonTag.objects.get(person=ana)
    retagged = post(**{
        "persontag_set-TOTAL_FORMS": "1", "persontag_set-INITIAL_FORMS": "1",
        "persontag_set-0-id": row.pk, "persontag_set-0-person": ana.pk,
        "persontag_set-0-tag": union.pk,
    })  # fmt: skip
    assert retagged == ["union"]
    row = PersonTag.objects.get(person=ana)
    removed = post(**{
        "persontag_set-TOTAL_FORMS": "1", "persontag_set-INITIAL_FORMS": "1",
        "persontag_set-0-id": row.pk, "persontag_set-0-person": ana.pk,
        "persontag_set-0-tag": union.pk, "persontag_set-0-DELETE": "on",
    })  # fmt: skip
    assert removed == []
