"""An organisation's description is a row per language; its languages are the site's setting."""

import pytest
from django.test import override_settings
from django.urls import reverse

from convoca.organisations.models import Membership, Organisation, OrganisationText
from convoca.organisations.services import organisation_save


def _change_form(organisation, **texts):
    """The organisation's change form, with a description block per language given."""
    data = {
        "name": organisation.name, "country": organisation.country.code or "", "city": "",
        "website": "", "show_in_directory": "on", "show_description": "on",
        "versions-TOTAL_FORMS": len(texts), "versions-INITIAL_FORMS": 0,
    }  # fmt: skip
    for i, (language, description) in enumerate(texts.items()):
        data[f"versions-{i}-language"] = language
        data[f"versions-{i}-description"] = description
    return data


def test_an_organiser_describes_their_organisation_in_each_language(
    client, organiser, organisation
):
    client.force_login(organiser)
    change = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    form = client.get(change).text
    assert 'name="versions-0-description"' in form and 'name="versions-1-description"' in form
    response = client.post(
        change, _change_form(organisation, en="A volunteer network.", es="Una red de voluntarios.")
    )
    assert response.status_code == 302, response.text[:3000]
    assert "A volunteer network." in client.get("/en/organisations/").text
    assert "Una red de voluntarios." in client.get("/es/organizaciones/").text


def test_an_organiser_of_another_organisation_cannot_describe_ours(
    client, make_staff, organisation, other_organisation
):
    stranger = make_staff("stranger", Membership.Role.ORGANISER, other_organisation)
    client.force_login(stranger)
    change = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    assert client.get(change).status_code == 404
    response = client.post(change, _change_form(organisation, en="Taken over."))
    assert response.status_code == 404
    assert not OrganisationText.objects.exists()


@override_settings(LANGUAGES=[("en", "English"), ("es", "Spanish"), ("pt", "Portuguese")])
def test_a_portuguese_description_is_a_setting_away(client, organisation):
    organisation_save(
        organisation=organisation,
        texts={"en": {"description": "A network."}, "pt": {"description": "Uma rede."}},
    )
    assert "Uma rede." in client.get("/pt/organisations/").text
    assert "A network." in client.get("/es/organizaciones/").text  # no Spanish: English


@pytest.mark.django_db(transaction=True)
def test_the_description_columns_become_a_text_row_each(migrate_to):
    try:
        old = migrate_to([("coalition", "0012_working_group_columns_remove")])
        Old = old.get_model("coalition", "Organisation")
        both = Old.objects.create(
            name="Network", slug="network", description_en="A network.",
            description_es="Una red.", status="active",
        )  # fmt: skip
        spanish = Old.objects.create(name="Red", slug="red", description_es="Una red.")
        none = Old.objects.create(name="Quiet", slug="quiet")
        migrate_to(None)
        rows = {(t.shared_id, t.language): t.description for t in OrganisationText.objects.all()}
        assert rows == {
            (both.pk, "en"): "A network.",
            (both.pk, "es"): "Una red.",
            (spanish.pk, "es"): "Una red.",
        }
        assert Organisation.objects.get(pk=none.pk).description == ""
        assert Organisation.objects.get(pk=both.pk).status == "active"
    finally:
        migrate_to(None)
