"""Unmodified clients against a running server: the `osdi` package from PyPI, and plain requests."""

import pytest
import requests
from osdi.action_network.service import ActionNetworkService

from convoca.actions.models import Signature
from convoca.people.models import Person


@pytest.fixture
def root(live_server):
    return f"{live_server.url}/api/osdi/v1"


def test_the_osdi_package_pages_through_people_and_creates_one(
    root, org_key, supporter, organisation
):
    for number in range(30):
        supporter(f"person{number}@example.org", given_name=f"P{number}")
    service = ActionNetworkService(root, org_key.token)  # reads the tags on start
    people = service.get_model_raw("people", "osdi:people")
    assert len(people) == 30
    assert len({p["identifiers"][0] for p in people}) == 30

    created = service.create_person("Nadia", "Ruiz", "nadia@example.org")
    person = Person.objects.get(pk=created["identifiers"][0].split(":")[1])
    assert (person.given_name, person.family_name) == ("Nadia", "Ruiz")
    again = service.person_by_id(str(person.pk))
    assert again["email_addresses"][0]["address"] == "nadia@example.org"
    found = service.get_person({"email_address": "nadia@example.org"})
    assert found["identifiers"] == created["identifiers"]


def test_plain_http_pages_petitions_and_signatures_and_records_a_signature(root, org_key, petition):
    headers = {"OSDI-API-Token": org_key.token}
    aep = requests.get(f"{root}/", headers=headers, timeout=10).json()
    petitions = requests.get(aep["_links"]["osdi:petitions"]["href"], headers=headers, timeout=10)
    assert petitions.status_code == 200
    [item] = petitions.json()["_embedded"]["osdi:petitions"]
    helper = item["_links"]["osdi:record_signature_helper"]["href"]
    for number in range(3):
        response = requests.post(
            helper,
            json={
                "person": {
                    "given_name": f"Signer{number}",
                    "email_addresses": [{"address": f"s{number}@example.org"}],
                }
            },
            headers=headers,
            timeout=10,
        )
        assert response.status_code == 200, response.text
    assert Signature.objects.count() == 3

    url = item["_links"]["osdi:signatures"]["href"] + "?per_page=2"
    seen = []
    while url:
        page = requests.get(url, headers=headers, timeout=10).json()
        seen += page["_embedded"]["osdi:signatures"]
        url = page["_links"].get("next", {}).get("href")
    assert len(seen) == 3

    wrong = requests.post(helper, data="person=x", headers=headers, timeout=10)
    assert wrong.status_code == 415
    assert wrong.json()["error"]
