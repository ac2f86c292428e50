"""Organisers set up a letter campaign in the admin, within their organisation."""

import pytest

from convoca.actions.models import Action
from convoca.actions.services import action_create
from convoca.letters.models import LetterCampaign

pytestmark = pytest.mark.django_db


def _form(action, house, **extra):
    return {
        "action": action.pk,
        "bodies": [house.pk],
        "delivery": "email",
        "daily_cap": "20",
        "versions-TOTAL_FORMS": "1",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "1",
        "versions-MAX_NUM_FORMS": "1000",
        "versions-0-language": "en",
        "versions-0-subject": "Vote yes",
        "versions-0-editable_text": "I live in your district.",
        "versions-0-fixed_text": "",
        **extra,
    }


def test_an_organiser_makes_a_campaign_for_a_letter_action_with_its_text(
    client, organiser, organisation, house
):
    action = action_create(
        language="en", kind=Action.Kind.TARGETED, title="Write", slug="write",
        organisation=organisation, status=Action.Status.OPEN,
    )  # fmt: skip
    client.force_login(organiser)
    response = client.post("/admin/letters/lettercampaign/add/", _form(action, house))
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = LetterCampaign.objects.get()
    assert campaign.translation_key == action.translation_key
    assert [t.subject for t in campaign.versions.all()] == ["Vote yes"]
    assert list(campaign.bodies.all()) == [house]


def test_an_appeal_cannot_be_made_a_letter_campaign(client, organiser, organisation, house):
    appeal = action_create(
        language="en", title="Sign", slug="sign", organisation=organisation,
        status=Action.Status.OPEN,
    )  # fmt: skip
    client.force_login(organiser)
    response = client.post("/admin/letters/lettercampaign/add/", _form(appeal, house))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not LetterCampaign.objects.exists()


def test_a_letter_text_edited_in_the_admin_is_what_supporters_start_from(
    client, organiser, house, make_letter
):
    campaign = make_letter(bodies=[house])
    english = campaign.versions.get(language="en")
    spanish = campaign.versions.get(language="es")
    client.force_login(organiser)
    response = client.post(
        f"/admin/letters/lettercampaign/{campaign.pk}/change/",
        {
            "action": campaign.action_id,
            "bodies": [house.pk],
            "delivery": campaign.delivery,
            "daily_cap": "20",
            "versions-TOTAL_FORMS": "2",
            "versions-INITIAL_FORMS": "2",
            "versions-MIN_NUM_FORMS": "1",
            "versions-MAX_NUM_FORMS": "1000",
            "versions-0-id": english.pk,
            "versions-0-shared": campaign.pk,
            "versions-0-language": "en",
            "versions-0-subject": "Please vote for the Medicine Act",
            "versions-0-editable_text": "Clinics in my town have run out of insulin.",
            "versions-0-fixed_text": english.fixed_text,
            "versions-1-id": spanish.pk,
            "versions-1-shared": campaign.pk,
            "versions-1-language": "es",
            "versions-1-subject": spanish.subject,
            "versions-1-editable_text": spanish.editable_text,
            "versions-1-fixed_text": spanish.fixed_text,
            "versions-1-DELETE": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    page = client.get(
        campaign.action.get_absolute_url(), {"country": "US", "postal_code": "85701"}
    ).content.decode()
    assert "Clinics in my town have run out of insulin." in page
    assert [t.language for t in campaign.versions.all()] == ["en"]
