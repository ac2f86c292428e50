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
        "texts-TOTAL_FORMS": "1",
        "texts-INITIAL_FORMS": "0",
        "texts-MIN_NUM_FORMS": "1",
        "texts-MAX_NUM_FORMS": "1000",
        "texts-0-language": "en",
        "texts-0-subject": "Vote yes",
        "texts-0-editable_text": "I live in your district.",
        "texts-0-fixed_text": "",
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
    assert [t.subject for t in campaign.texts.all()] == ["Vote yes"]
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
