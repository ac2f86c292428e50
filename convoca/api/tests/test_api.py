"""The OSDI API through Django's test client: keys, scoping, paging, writes, bad input."""

import json

import pytest
from django.core import mail

from convoca.actions.models import Signature, Tally
from convoca.actions.services import action_close
from convoca.api.models import ApiKey
from convoca.api.services import api_key_revoke
from convoca.core.models import AuditEntry, OutboxEmail
from convoca.events.models import Registration
from convoca.mailings.models import MailingList, Subscription
from convoca.people.models import Consent, Person, PersonTag


def test_entry_point_lists_every_collection_with_hal_links(api, org_key):
    response = api("GET", "", org_key)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/hal+json")
    links = response.json()["_links"]
    for name in ("people", "tags", "lists", "petitions", "events", "fundraising_pages",
                 "donations", "messages"):  # fmt: skip
        assert links[f"osdi:{name}"]["href"] == f"http://testserver/api/osdi/v1/{name}"


def test_a_call_without_a_key_or_with_a_wrong_one_is_refused(api, org_key):
    assert api("GET", "people").status_code == 401
    org_key.token = "cvk_not-a-key"
    response = api("GET", "people", org_key)
    assert response.status_code == 401
    assert "error" in response.json()


def test_a_revoked_key_is_refused_at_once(api, org_key, supporter):
    supporter()
    assert api("GET", "people", org_key).status_code == 200
    api_key_revoke(key=ApiKey.objects.get(pk=org_key.pk))
    assert api("GET", "people", org_key).status_code == 401


def test_the_key_is_stored_hashed_and_its_last_use_stamped(api, org_key, supporter):
    stored = ApiKey.objects.get(pk=org_key.pk)
    assert org_key.token not in (stored.key_hash, stored.prefix)
    assert stored.last_used_at is None
    api("GET", "", org_key)
    assert ApiKey.objects.get(pk=org_key.pk).last_used_at is not None


def test_people_are_paged_with_a_next_link_and_the_call_is_audited(api, org_key, supporter):
    for number in range(30):
        supporter(f"person{number}@example.org", given_name=f"P{number}")
    first = api("GET", "people?per_page=25", org_key).json()
    assert first["total_records"] == 30
    assert first["total_pages"] == 2
    assert len(first["_embedded"]["osdi:people"]) == 25
    second = api("GET", first["_links"]["next"]["href"], org_key).json()
    assert len(second["_embedded"]["osdi:people"]) == 5
    assert "next" not in second["_links"]
    emails = {
        p["email_addresses"][0]["address"]
        for page in (first, second)
        for p in page["_embedded"]["osdi:people"]
    }
    assert len(emails) == 30
    entries = AuditEntry.objects.filter(verb="api read", target__contains="people.list").order_by(
        "at"
    )
    assert [e.count for e in entries] == [25, 5]
    assert entries[0].organisation == org_key.organisation
    assert "CRM sync" in entries[0].target


def test_people_can_be_filtered_by_modified_date_and_found_by_email(api, org_key, supporter):
    older = supporter("older@example.org")
    Person.objects.filter(pk=older.pk).update(updated_at="2020-01-01T00:00:00Z")
    supporter("newer@example.org")
    found = api("GET", "people?filter=modified_date gt '2021-01-01T00:00:00Z'", org_key).json()
    assert [p["email_addresses"][0]["address"] for p in found["_embedded"]["osdi:people"]] == [
        "newer@example.org"
    ]
    found = api("GET", "people?filter=email_address eq 'OLDER@example.org'", org_key).json()
    assert found["_embedded"]["osdi:people"][0]["identifiers"] == [f"convoca:{older.pk}"]
    assert api("GET", "people?filter=given_name eq 'x'", org_key).status_code == 400


# --- Scoping: an organisation's key sees only what its staff may see -------------------------

ONE = {
    "person": lambda w: f"people/{w.person.pk}",
    "tag": lambda w: f"tags/{w.tag.pk}",
    "tagging": lambda w: f"tags/{w.tag.pk}/taggings/{w.tagging.pk}",
    "taggings": lambda w: f"tags/{w.tag.pk}/taggings",
    "list": lambda w: f"lists/{w.list.pk}",
    "list items": lambda w: f"lists/{w.list.pk}/items",
    "list item": lambda w: f"lists/{w.list.pk}/items/{w.item.pk}",
    "petition": lambda w: f"petitions/{w.action.pk}",
    "signatures": lambda w: f"petitions/{w.action.pk}/signatures",
    "signature": lambda w: f"petitions/{w.action.pk}/signatures/{w.signature.pk}",
    "event": lambda w: f"events/{w.event.pk}",
    "attendances": lambda w: f"events/{w.event.pk}/attendances",
    "attendance": lambda w: f"events/{w.event.pk}/attendances/{w.registration.pk}",
    "fundraising page": lambda w: f"fundraising_pages/{w.fundraiser.pk}",
    "donations of a page": lambda w: f"fundraising_pages/{w.fundraiser.pk}/donations",
    "donation": lambda w: f"fundraising_pages/{w.fundraiser.pk}/donations/{w.donation.pk}",
    "message": lambda w: f"messages/{w.mailing.pk}",
    "person's taggings": lambda w: f"people/{w.person.pk}/taggings",
    "signer's signatures": lambda w: f"people/{w.signature.person_id}/signatures",
    "guest's attendances": lambda w: f"people/{w.registration.person_id}/attendances",
    "donor's donations": lambda w: f"people/{w.donation.donor.person_id}/donations",
}


@pytest.mark.parametrize("resource", ONE)
def test_an_organisations_key_cannot_read_anothers_resource(api, org_key, world, resource):
    mine, theirs = world["snt"], world["csi"]
    assert api("GET", ONE[resource](mine), org_key).status_code == 200
    response = api("GET", ONE[resource](theirs), org_key)
    assert response.status_code == 404
    assert response.json() == {"error": "Not found."}


COLLECTIONS = {
    "people": "osdi:people",
    "tags": "osdi:tags",
    "lists": "osdi:lists",
    "petitions": "osdi:petitions",
    "events": "osdi:events",
    "fundraising_pages": "osdi:fundraising_pages",
    "donations": "osdi:donations",
    "messages": "osdi:messages",
}


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_a_collection_lists_only_the_keys_organisation(
    api, org_key, coalition_key, world, collection
):
    mine = api("GET", collection, org_key).json()["_embedded"][COLLECTIONS[collection]]
    everyone = api("GET", collection, coalition_key).json()["_embedded"][COLLECTIONS[collection]]
    assert mine
    assert len(everyone) > len(mine)
    assert {i["identifiers"][0] for i in mine} < {i["identifiers"][0] for i in everyone}


def test_a_coordinators_key_sees_the_whole_coalition(api, coalition_key, world):
    for w in world.values():
        assert api("GET", f"people/{w.person.pk}", coalition_key).status_code == 200


# --- Writes --------------------------------------------------------------------------------


def _person(email="new@example.org", **fields):
    return {
        "given_name": "Nadia",
        "family_name": "Ruiz",
        "email_addresses": [{"address": email}],
        "postal_addresses": [{"locality": "Oaxaca", "postal_code": "68000", "country": "MX"}],
        "languages_spoken": ["es"],
        **fields,
    }


def test_signing_up_a_person_records_a_consent_and_starts_the_double_opt_in(
    api, org_key, organisation
):
    MailingList.objects.create(organisation=organisation, slug="news", purpose="news")
    response = api(
        "POST",
        "people",
        org_key,
        {"person": _person(), "add_tags": ["volunteer"], "unknown_field": {"x": 1}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    person = Person.objects.get(email_index__isnull=False)
    assert body["identifiers"] == [f"convoca:{person.pk}"]
    assert (person.given_name, person.city, person.country.code, person.language) == (
        "Nadia", "Oaxaca", "MX", "es",
    )  # fmt: skip
    consent = Consent.objects.get(person=person, organisation=organisation)
    assert consent.source == f"api:{org_key.prefix}"
    assert Subscription.objects.get(person=person).status == Subscription.Status.PENDING
    assert OutboxEmail.objects.filter(kind="mailings.subscription_confirm").count() == 1
    assert PersonTag.objects.get(person=person).tag.name == "volunteer"
    # The new person is the organisation's to read now.
    assert api("GET", f"people/{person.pk}", org_key).status_code == 200


@pytest.mark.parametrize("confirmed_elsewhere", [False, True])
def test_a_signup_never_overwrites_a_confirmed_persons_details(
    api, org_key, supporter, confirmed_elsewhere
):
    person = supporter("ana@example.org", given_name="Ana")
    Person.objects.filter(pk=person.pk).update(email_confirmed_at="2024-01-01T00:00:00Z")
    body = {"person": _person("ana@example.org", given_name="Mallory", family_name="Doe")}
    api("POST", "people", org_key, {**body, "confirmed_elsewhere": confirmed_elsewhere})
    person = Person.objects.get(pk=person.pk)
    assert person.given_name == "Ana"
    assert person.family_name == "Doe"  # a blank is filled


def test_organisation_in_the_body_never_moves_anything(
    api, org_key, organisation, other_organisation
):
    api(
        "POST",
        "tags",
        org_key,
        {"name": "speaker", "organisation": other_organisation.pk, "organisation_id": 2},
    )
    api(
        "POST",
        "people",
        org_key,
        {"person": _person(organisation=other_organisation.pk), "organisation": "csi"},
    )
    assert not Consent.objects.filter(organisation=other_organisation).exists()
    from convoca.people.models import Tag

    assert Tag.objects.get(name="speaker").organisation == organisation


def test_a_signature_goes_through_the_signing_service_with_its_confirmation_email(
    api, org_key, petition, smtp_sink
):
    response = api(
        "POST",
        f"petitions/{petition.pk}/signatures",
        org_key,
        {"person": _person("signer@example.org"), "comments": "Yes"},
    )
    assert response.status_code == 200, response.content
    signature = Signature.objects.get()
    assert response.json()["identifiers"] == [f"convoca:{signature.pk}"]
    assert signature.source == "api"
    assert signature.comment == "Yes"
    assert signature.confirmed_at is None
    assert not Tally.objects.filter(pk=petition.translation_key, count__gt=0).exists()
    from convoca.core.outbox import outbox_deliver

    outbox_deliver()
    assert [m["to"] for m in smtp_sink.messages] == [["signer@example.org"]]
    # Twice is once, as on the web form.
    api(
        "POST",
        f"petitions/{petition.pk}/signatures",
        org_key,
        {"person": _person("signer@example.org")},
    )
    assert Signature.objects.count() == 1


def test_a_signature_confirmed_elsewhere_counts_at_once_without_an_email(
    api, org_key, petition, organisation
):
    MailingList.objects.create(organisation=organisation, slug="news", purpose="news")
    response = api(
        "POST",
        f"petitions/{petition.pk}/record_signature_helper",
        org_key,
        {
            "person": _person(
                email_addresses=[{"address": "s@example.org", "status": "subscribed"}]
            ),
            "confirmed_elsewhere": True,
        },
    )
    assert response.status_code == 200, response.content
    signature = Signature.objects.get()
    assert signature.confirmed_at is not None
    assert Tally.objects.get(pk=petition.translation_key).count == 1
    assert not OutboxEmail.objects.filter(kind__startswith="actions").exists()
    # The ticked box, confirmed: on the organisation's news list at once.
    assert Subscription.objects.get(person=signature.person).status == "subscribed"


def test_a_closed_petition_refuses_a_signature_with_a_json_error(api, org_key, petition):
    action_close(action=petition)
    response = api("POST", f"petitions/{petition.pk}/signatures", org_key, {"person": _person()})
    assert response.status_code == 400
    assert "error" in response.json()
    assert not Signature.objects.exists()


def test_an_attendance_goes_through_registration_and_its_email(api, org_key, world):
    event = world["snt"].event
    before = OutboxEmail.objects.count()
    response = api(
        "POST", f"events/{event.pk}/attendances", org_key, {"person": _person("g@example.org")}
    )
    assert response.status_code == 200, response.content
    registration = Registration.objects.get(
        person__email_index__isnull=False, pk=response.json()["identifiers"][0].split(":")[1]
    )
    assert registration.status == Registration.Status.CONFIRMED
    assert OutboxEmail.objects.count() == before + 1
    api(
        "POST",
        f"events/{event.pk}/record_attendance_helper",
        org_key,
        {"person": _person("h@example.org"), "confirmed_elsewhere": True},
    )
    assert OutboxEmail.objects.count() == before + 1
    assert Person.objects.get(email_index=registration.person.email_index).pk


def test_tagging_a_person_and_taking_the_tag_off(api, org_key, supporter):
    person = supporter()
    tag = api("POST", "tags", org_key, {"name": "speaker"}).json()
    taggings = tag["_links"]["osdi:taggings"]["href"]
    tagging = api(
        "POST",
        taggings,
        org_key,
        {"_links": {"osdi:person": {"href": f"http://x/api/osdi/v1/people/{person.pk}"}}},
    )
    assert tagging.status_code == 200
    assert PersonTag.objects.filter(person=person).count() == 1
    assert api("DELETE", tagging.json()["_links"]["self"]["href"], org_key).status_code == 200
    assert not PersonTag.objects.filter(person=person).exists()


def test_put_updates_custom_fields_of_the_keys_organisation_only(
    api, org_key, other_key, supporter, other_organisation
):
    person = supporter()
    response = api("PUT", f"people/{person.pk}", org_key, {"custom_fields": {"shirt": "M"}})
    assert response.status_code == 200, response.content
    assert response.json()["custom_fields"] == {"shirt": "M"}
    supporter("ana@example.org", org=other_organisation)
    assert api("GET", f"people/{person.pk}", other_key).json()["custom_fields"] == {}


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        ("given_name=Ana", "application/x-www-form-urlencoded", 415),
        ('{"person": ', "application/json", 400),
        ("[" * 5000 + "]" * 5000, "application/json", 400),
        ('{"person": ' * 50 + "{}" + "}" * 50, "application/json", 400),
        ("[1, 2]", "application/json", 400),
        (
            json.dumps({"person": {"given_name": 5, "email_addresses": [{"address": "a@b.org"}]}}),
            "application/json",
            400,
        ),
        (
            json.dumps(
                {"person": {"given_name": "A" * 5000, "email_addresses": [{"address": "a@b.org"}]}}
            ),
            "application/json",
            400,
        ),
        (
            json.dumps({"person": {"email_addresses": [{"address": "not an email"}]}}),
            "application/json",
            400,
        ),
        (json.dumps({"person": {"email_addresses": "a@b.org"}}), "application/json", 400),
        ('{"x": "' + "a" * 70_000 + '"}', "application/json", 413),
        (b'{"person": "\xff"}', "application/json", 400),
    ],
)
def test_bad_input_answers_a_json_error_without_a_stack_trace(
    api, org_key, raw, content_type, status
):
    response = api("POST", "people", org_key, raw=raw, content_type=content_type)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert "Traceback" not in body["error"]
    assert not Person.objects.exists()


def test_a_method_osdi_does_not_define_here_answers_405(api, org_key, world):
    response = api("DELETE", f"petitions/{world['snt'].action.pk}", org_key)
    assert response.status_code == 405
    assert "GET" in response["Allow"]


def test_errors_speak_the_callers_language(client, org_key):
    response = client.get("/api/osdi/v1/nothing-here", HTTP_OSDI_API_TOKEN=org_key.token,
                          HTTP_ACCEPT_LANGUAGE="es")  # fmt: skip
    assert response.status_code == 404
    assert response.json() == {"error": "No encontrado."}


def test_too_many_calls_answer_429_with_retry_after(api, org_key, other_key, settings):
    settings.CONVOCA_API_RATE_PER_MINUTE = 3
    assert [api("GET", "", org_key).status_code for _ in range(3)] == [200] * 3
    response = api("GET", "", org_key)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert api("GET", "", other_key).status_code == 200  # per key


def test_no_email_leaves_for_a_person_signed_up_unsubscribed(api, org_key, organisation):
    MailingList.objects.create(organisation=organisation, slug="news", purpose="news")
    response = api(
        "POST",
        "people",
        org_key,
        {
            "person": _person(
                email_addresses=[{"address": "u@example.org", "status": "unsubscribed"}]
            )
        },
    )
    assert response.status_code == 200
    assert not OutboxEmail.objects.exists()
    assert not Consent.objects.exists()
    assert len(mail.outbox) == 0
