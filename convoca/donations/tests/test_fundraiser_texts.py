"""A fundraiser's texts are a row per language; its goal and status are every language's at once."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from convoca.donations.models import Fundraiser, FundraiserText
from convoca.donations.services import (
    fundraiser_close,
    fundraiser_open,
    fundraiser_save,
)
from convoca.organisations.models import Membership

CLOSED = {
    "en": "This fundraiser is closed. Thank you to everyone who gave.",
    "es": "Esta campaña está cerrada. Gracias a todas las personas que donaron.",
}


def _pages(client, fundraiser) -> dict[str, str]:
    """The fundraiser's public page in each language, by language."""
    pages = {}
    for language in ("en", "es"):
        with translation.override(language):
            url = reverse("donations:fundraiser-detail", kwargs={"slug": fundraiser.slug})
        response = client.get(url)
        assert response.status_code == 200, url
        pages[language] = response.text
    return pages


def test_closing_and_reopening_a_fundraiser_shows_on_both_languages_pages(
    client, fundraiser, django_capture_on_commit_callbacks
):
    pages = _pages(client, fundraiser)
    assert "Send a delegation" in pages["en"] and "Enviar una delegación" in pages["es"]
    assert CLOSED["en"] not in pages["en"] and CLOSED["es"] not in pages["es"]
    with django_capture_on_commit_callbacks(execute=True):
        fundraiser_close(fundraiser=fundraiser)
    pages = _pages(client, fundraiser)
    assert CLOSED["en"] in pages["en"]
    assert CLOSED["es"] in pages["es"]
    with django_capture_on_commit_callbacks(execute=True):
        fundraiser_open(fundraiser=fundraiser)
    pages = _pages(client, fundraiser)
    assert CLOSED["en"] not in pages["en"]
    assert CLOSED["es"] not in pages["es"]


def test_changing_the_goal_shows_on_both_languages_pages(
    client, fundraiser, django_capture_on_commit_callbacks
):
    assert all('max="500000"' in page for page in _pages(client, fundraiser).values())
    fundraiser.goal = 750_000
    with django_capture_on_commit_callbacks(execute=True):
        fundraiser_save(fundraiser=fundraiser)
    pages = _pages(client, fundraiser)
    assert 'max="750000"' in pages["en"]
    assert 'max="750000"' in pages["es"]


def test_editing_one_language_leaves_the_other_and_its_goal(client, fundraiser):
    fundraiser_save(fundraiser=fundraiser, texts={"es": {"title": "Una delegación a Ginebra"}})
    texts = dict(fundraiser.versions.values_list("language", "title"))
    assert texts == {"en": "Send a delegation", "es": "Una delegación a Ginebra"}
    with translation.override("es"):
        assert fundraiser.title == "Una delegación a Ginebra"
        # A text missing in Spanish is shown in English rather than not at all.
        fundraiser_save(fundraiser=fundraiser, texts={"en": {"thank_you": "Thank you."}})
        assert fundraiser.thank_you == "Thank you."
    fundraiser_save(fundraiser=fundraiser, texts_removed=["es"])
    with translation.override("es"):
        assert fundraiser.title == "Send a delegation"
    assert Fundraiser.objects.get(pk=fundraiser.pk).goal == 500_000


@override_settings(LANGUAGES=[("en", "English"), ("es", "Spanish"), ("pt", "Portuguese")])
def test_a_portuguese_text_is_a_setting_away(client, make_fundraiser):
    make_fundraiser(
        texts={
            "en": {"title": "Send a delegation"},
            "pt": {"title": "Enviar uma delegação", "summary": "Cinco pessoas em Genebra."},
        }
    )
    page = client.get("/pt/donate/send-a-delegation/")
    assert page.status_code == 200
    assert "Enviar uma delegação" in page.text
    assert "Cinco pessoas em Genebra." in page.text
    assert "Send a delegation" in client.get("/es/donar/send-a-delegation/").text  # no Spanish


def test_the_admin_offers_one_text_block_per_language(client, organiser, fundraiser):
    client.force_login(organiser)
    form = client.get(reverse("admin:donations_fundraiser_change", args=[fundraiser.pk])).text
    assert 'name="versions-0-title"' in form
    assert 'name="versions-1-title"' in form
    with override_settings(LANGUAGES=[("en", "English"), ("es", "Spanish"), ("pt", "Portuguese")]):
        form = client.get(reverse("admin:donations_fundraiser_change", args=[fundraiser.pk])).text
    assert 'name="versions-2-title"' in form  # a blank block for Portuguese


def test_an_organiser_of_another_organisation_cannot_change_our_texts(
    client, make_staff, other_organisation, fundraiser
):
    stranger = make_staff("stranger", Membership.Role.ORGANISER, other_organisation)
    client.force_login(stranger)
    change = reverse("admin:donations_fundraiser_change", args=[fundraiser.pk])
    assert client.get(change).status_code == 404
    version = fundraiser.versions.get(language="en")
    response = client.post(
        change,
        {
            "organisation": other_organisation.pk, "slug": fundraiser.slug, "status": "closed",
            "currency": "EUR", "goal": "10", "minimum_amount": "1",
            "versions-TOTAL_FORMS": 1, "versions-INITIAL_FORMS": 1,
            "versions-0-id": version.pk, "versions-0-shared": fundraiser.pk,
            "versions-0-language": "en", "versions-0-title": "Taken over",
        },
    )  # fmt: skip
    assert response.status_code == 404
    fundraiser.refresh_from_db()
    assert (fundraiser.status, fundraiser.goal) == (Fundraiser.Status.OPEN, 500_000)
    assert fundraiser.versions.get(language="en").title == "Send a delegation"


def test_the_api_gives_a_fundraising_page_its_title_in_every_language(fundraiser):
    from convoca.api.osdi import fundraising_page

    data = fundraising_page(Fundraiser.objects.get(pk=fundraiser.pk), "https://x")
    assert data["title"] == "Send a delegation"
    assert data["convoca:titles"] == {"en": "Send a delegation", "es": "Enviar una delegación"}
    assert data["description"] == "Five people to the hearings in Geneva."


@pytest.mark.django_db(transaction=True)
def test_the_english_and_spanish_columns_become_a_text_row_each(migrate_to):
    try:
        old = migrate_to([("donations", "0005_provider_sync")])
        organisation = old.get_model("coalition", "Organisation").objects.create(
            name="Solidarity Network", slug="sn", country="US"
        )
        Old = old.get_model("donations", "Fundraiser")
        both = Old.objects.create(
            slug="delegation", organisation=organisation, goal=500_000, status="closed",
            title_en="Send a delegation", title_es="Enviar una delegación",
            summary_en="Five people.", body_es="Cinco personas.", thank_you_en="Thanks.",
            thank_you_es="Gracias.",
        )  # fmt: skip
        english = Old.objects.create(
            slug="legal", organisation=organisation, goal=100_000, title_en="Legal fund"
        )
        migrate_to(None)
        rows = {
            (t.shared_id, t.language): (t.title, t.summary, t.body, t.thank_you)
            for t in FundraiserText.objects.all()
        }
        assert rows == {
            (both.pk, "en"): ("Send a delegation", "Five people.", "", "Thanks."),
            (both.pk, "es"): ("Enviar una delegación", "", "Cinco personas.", "Gracias."),
            (english.pk, "en"): ("Legal fund", "", "", ""),
        }
        moved = Fundraiser.objects.get(pk=both.pk)
        assert (moved.slug, moved.goal, moved.status) == ("delegation", 500_000, "closed")
    finally:
        migrate_to(None)
