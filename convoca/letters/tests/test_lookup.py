"""Finding a supporter's decision-makers from their country and postal code or region, offline."""

import pytest
from django.urls import reverse
from django.utils import translation

from convoca.letters.models import Target
from convoca.letters.selectors import letter_targets_lookup

pytestmark = pytest.mark.django_db


def _names(targets):
    return sorted(t.name for t in targets)


def test_a_zip_code_finds_the_representative_of_its_district(house, make_letter):
    campaign = make_letter(bodies=[house])
    lookup = letter_targets_lookup(campaign=campaign, country="US", postal_code="85701")
    assert lookup.matched
    assert _names(lookup.found) == ["Maria Alvarez"]


def test_a_zip_plus_four_and_spaces_are_read_as_the_five_digit_zip(house, make_letter):
    campaign = make_letter(bodies=[house])
    lookup = letter_targets_lookup(campaign=campaign, country="US", postal_code=" 85701-1234 ")
    assert _names(lookup.found) == ["Maria Alvarez"]


def test_a_zip_code_split_between_two_districts_finds_both_representatives(house, make_letter):
    campaign = make_letter(bodies=[house])
    lookup = letter_targets_lookup(campaign=campaign, country="US", postal_code="85719")
    assert _names(lookup.found) == ["John Whitaker", "Maria Alvarez"]


def test_a_postal_code_prefix_row_finds_a_spanish_province(congreso, make_letter):
    campaign = make_letter(bodies=[congreso])
    lookup = letter_targets_lookup(campaign=campaign, country="ES", postal_code="28013")
    assert _names(lookup.found) == ["Lucía Pardo"]


def test_a_region_finds_its_district_when_no_postal_code_is_given(congreso, make_letter):
    campaign = make_letter(bodies=[congreso])
    lookup = letter_targets_lookup(campaign=campaign, country="ES", region="  ANDALUCÍA ")
    assert _names(lookup.found) == ["Ana Ruiz"]


def test_a_postal_code_that_matches_nothing_offers_the_list_to_choose_from(
    house, congreso, make_letter
):
    campaign = make_letter(bodies=[house, congreso])
    lookup = letter_targets_lookup(campaign=campaign, country="US", postal_code="99999")
    assert not lookup.matched
    # The bodies of the supporter's country first: the House, not the Congreso.
    assert _names(lookup.choices) == ["Dana Lee", "John Whitaker", "Maria Alvarez"]


def test_members_no_longer_in_office_are_not_found(house, make_letter):
    campaign = make_letter(bodies=[house])
    Target.objects.filter(name="Maria Alvarez").update(active=False)
    lookup = letter_targets_lookup(campaign=campaign, country="US", postal_code="85701")
    assert not lookup.matched


def test_pinned_targets_get_every_letter_wherever_the_supporter_lives(house, congreso, make_letter):
    chair = Target.objects.get(name="Jordi Vives")
    campaign = make_letter(bodies=[house], pinned=[chair])
    for code in ("85701", "00000"):
        lookup = letter_targets_lookup(campaign=campaign, country="US", postal_code=code)
        assert [t.name for t in lookup.pinned] == ["Jordi Vives"]
        assert chair not in lookup.selectable


def test_the_page_lists_the_targets_found_ticked(client, house, make_letter):
    campaign = make_letter(bodies=[house])
    response = client.get(
        campaign.action.get_absolute_url(), {"country": "US", "postal_code": "85701"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Representative Maria Alvarez" in page
    assert "John Whitaker" not in page
    assert "checked" in page.split("Representative Maria Alvarez")[0].rsplit("<input", 1)[1]


def test_a_place_that_matches_nothing_shows_the_list_not_an_error_in_spanish(
    client, house, make_letter
):
    campaign = make_letter(bodies=[house])
    spanish = campaign.action.__class__.objects.get(
        shared_id=campaign.translation_key, language="es"
    )
    response = client.get(spanish.get_absolute_url(), {"country": "US", "postal_code": "00000"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Elige a quién escribir" in page
    for name in ("Maria Alvarez", "John Whitaker", "Dana Lee"):
        assert name in page


def test_the_first_step_asks_for_a_place(client, house, make_letter):
    campaign = make_letter(bodies=[house])
    page = client.get(campaign.action.get_absolute_url()).content.decode()
    assert "Find my decision-makers" in page
    assert 'name="postal_code"' in page
    assert 'name="email"' not in page


def test_the_plain_action_page_and_signing_form_lead_to_the_letter(client, house, make_letter):
    campaign = make_letter(bodies=[house])
    action = campaign.action
    with translation.override("en"):
        detail = reverse("actions:action-detail", kwargs={"slug": action.slug})
        sign = reverse("actions:action-sign", kwargs={"slug": action.slug})
    assert client.get(detail)["Location"] == action.get_absolute_url()
    assert client.post(sign, {"email": "a@example.org"}).status_code == 404
