"""A campaign's versions share one row: publishing or new dates do it in every language."""

from datetime import timedelta

import pytest
from django.urls import reverse

from convoca.events.models import Campaign, CampaignShared
from convoca.events.services import campaign_create, campaign_publish, campaign_save
from convoca.organisations.models import Membership


@pytest.fixture
def spanish(campaign):
    return campaign_create(
        language="es", translation_of=campaign, title="Semana de acción", slug="semana-de-accion"
    )


def test_withdrawing_the_english_version_withdraws_the_spanish_page_too(
    client, campaign, spanish, commit
):
    assert client.get(spanish.get_absolute_url()).status_code == 200
    commit(campaign_publish, campaign=campaign, published=False)
    assert client.get(campaign.get_absolute_url()).status_code == 404
    assert client.get(spanish.get_absolute_url()).status_code == 404
    commit(campaign_publish, campaign=spanish.shared, published=True)
    assert client.get(campaign.get_absolute_url()).status_code == 200
    assert Campaign.objects.get(pk=spanish.pk).status == Campaign.Status.PUBLISHED


def test_new_dates_are_every_versions_at_once_and_texts_stay_their_own(campaign, spanish):
    later = campaign.ends_on + timedelta(days=2)
    campaign_save(campaign=spanish, shared={"ends_on": later, "accepts_hosts": False})
    english = Campaign.objects.get(pk=campaign.pk)
    assert (english.ends_on, english.accepts_hosts) == (later, False)
    assert english.title == "International week of action"
    assert CampaignShared.objects.count() == 1


def test_a_version_cannot_change_what_all_versions_share_behind_their_back(campaign):
    with pytest.raises(AttributeError):
        campaign.status = Campaign.Status.DRAFT
    with pytest.raises(ValueError, match="belong to the campaign"):
        campaign_create(translation_of=campaign, language="es", slug="x", title="X", status="draft")
    with pytest.raises(ValueError, match="not shared"):
        campaign_save(campaign=campaign, shared={"title": "Not shared"})


def _form_data(client, url):
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("translation_of", "endorsers", "action")
    }
    data["endorsers"] = [o.pk for o in form.initial.get("endorsers") or []]
    return data


def test_withdrawing_in_one_versions_form_withdraws_every_version(
    client, organiser, campaign, spanish, other_organisation, commit
):
    client.force_login(organiser)
    change = reverse("admin:events_campaign_change", args=[spanish.pk])
    data = _form_data(client, change)
    later = campaign.ends_on + timedelta(days=1)
    data.update(
        {
            "status": Campaign.Status.DRAFT,
            "ends_on": later.isoformat(),
            "endorsers": [other_organisation.pk],
        }
    )
    response = commit(client.post, change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    english = Campaign.objects.get(pk=campaign.pk)
    assert (english.status, english.ends_on) == (Campaign.Status.DRAFT, later)
    assert list(english.endorsers.all()) == [other_organisation]
    assert Campaign.objects.get(pk=spanish.pk).title == "Semana de acción"
    client.logout()
    assert client.get(english.get_absolute_url()).status_code == 404


def test_a_version_added_in_the_admin_joins_the_campaign_and_keeps_its_status(
    client, organiser, campaign, commit
):
    client.force_login(organiser)
    data = _form_data(client, reverse("admin:events_campaign_change", args=[campaign.pk]))
    data.update(
        {
            "language": "es",
            "translation_of": campaign.pk,
            "title": "Semana de acción",
            "slug": "semana-de-accion",
            "status": Campaign.Status.DRAFT,  # the campaign's own status stands
        }
    )
    response = commit(client.post, reverse("admin:events_campaign_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    spanish = Campaign.objects.get(language="es")
    assert spanish.shared_id == campaign.shared_id
    assert spanish.status == Campaign.Status.PUBLISHED
    assert client.get(spanish.get_absolute_url()).status_code == 200


def test_another_organisations_organiser_cannot_see_or_change_the_campaign(
    client, make_staff, other_organisation, campaign
):
    client.force_login(make_staff("other", Membership.Role.ORGANISER, other_organisation))
    change = reverse("admin:events_campaign_change", args=[campaign.pk])
    assert client.get(change).status_code == 404
    assert client.post(change, {"status": "draft"}).status_code == 404
    figures = reverse("admin:events_campaign_figures", args=[campaign.pk])
    assert client.get(figures).status_code == 404
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.PUBLISHED
