"""Keys and webhooks in the admin: made by organisers, shown once, revoked; scoped like the rest."""

import re

import pytest
from django.urls import reverse

from convoca.api.models import ApiKey, WebhookEndpoint
from convoca.organisations.models import Membership
from convoca.publishing import fetch


def _shown_secret(page) -> str:
    return re.search(r"data-secret>([^<]+)<", page.text).group(1).strip()


def test_an_organiser_makes_a_key_sees_it_once_and_it_works(client, organiser, organisation):
    client.force_login(organiser)
    page = client.post(
        reverse("admin:api_apikey_add"), {"name": "CRM sync", "organisation": organisation.pk}
    )
    assert page.status_code == 200
    token = _shown_secret(page)
    key = ApiKey.objects.get()
    assert (key.organisation, key.created_by) == (organisation, organiser)
    assert token not in key.key_hash
    # Never shown again: the key's page has its first characters only.
    detail = client.get(reverse("admin:api_apikey_change", args=[key.pk]))
    assert key.prefix in detail.text
    assert token not in detail.text
    client.logout()
    assert client.get("/api/osdi/v1/", HTTP_OSDI_API_TOKEN=token).status_code == 200


def test_revoking_a_key_in_the_admin_refuses_it_at_once(client, organiser, organisation):
    client.force_login(organiser)
    token = _shown_secret(
        client.post(
            reverse("admin:api_apikey_add"), {"name": "Old", "organisation": organisation.pk}
        )
    )
    key = ApiKey.objects.get()
    client.post(
        reverse("admin:api_apikey_changelist"),
        {"action": "revoke_selected", "_selected_action": [key.pk]},
    )
    assert ApiKey.objects.get().revoked_at is not None
    assert client.get("/api/osdi/v1/", HTTP_OSDI_API_TOKEN=token).status_code == 401


def test_a_viewer_cannot_make_keys_and_nobody_sees_another_organisations(
    client, make_staff, organisation, other_organisation
):
    from convoca.api.services import api_key_create

    viewer = make_staff("viewer", Membership.Role.VIEWER, organisation)
    client.force_login(viewer)
    assert client.get(reverse("admin:api_apikey_add")).status_code == 403
    theirs, _token = api_key_create(name="Theirs", organisation=other_organisation)
    organiser = make_staff("org2", Membership.Role.ORGANISER, organisation)
    client.force_login(organiser)
    assert "Theirs" not in client.get(reverse("admin:api_apikey_changelist")).text
    assert client.get(reverse("admin:api_apikey_change", args=[theirs.pk])).status_code == 404


def test_an_organiser_cannot_make_a_coalition_key_or_one_for_another_organisation(
    client, organiser, other_organisation
):
    client.force_login(organiser)
    for organisation in ("", other_organisation.pk):
        page = client.post(
            reverse("admin:api_apikey_add"), {"name": "Sneaky", "organisation": organisation}
        )
        assert page.status_code == 200
        assert "data-secret" not in page.text
    assert not ApiKey.objects.exists()


def test_a_coordinator_makes_a_coalition_key(client, coordinator):
    client.force_login(coordinator)
    page = client.post(reverse("admin:api_apikey_add"), {"name": "Coalition", "organisation": ""})
    assert "data-secret" in page.text
    assert ApiKey.objects.get().organisation is None


def test_a_webhook_to_a_private_address_is_refused_in_the_admin(client, organiser, organisation):
    client.force_login(organiser)
    page = client.post(
        reverse("admin:api_webhookendpoint_add"),
        {
            "url": "http://169.254.169.254/latest/meta-data",
            "organisation": organisation.pk,
            "events": ["signature"],
            "is_active": "on",
        },
    )
    assert page.status_code == 200
    assert "use a public address" in page.text
    assert not WebhookEndpoint.objects.exists()


@pytest.fixture
def public_loopback(monkeypatch):
    real = fetch.address_is_public
    monkeypatch.setattr(fetch, "address_is_public", lambda a: a == "127.0.0.1" or real(a))


def test_a_webhooks_secret_is_shown_once_when_it_is_added(
    client, organiser, organisation, public_loopback
):
    client.force_login(organiser)
    page = client.post(
        reverse("admin:api_webhookendpoint_add"),
        {
            "url": "http://127.0.0.1:9/hook",
            "organisation": organisation.pk,
            "events": ["signature", "donation"],
            "is_active": "on",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert _shown_secret(page) == endpoint.secret
    assert endpoint.events == ["signature", "donation"]
    detail = client.get(reverse("admin:api_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret not in detail.text
