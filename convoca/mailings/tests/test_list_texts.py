"""A mailing list's name and description are a row per language; its other settings are one."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from convoca.mailings.models import MailingList, MailingListText
from convoca.mailings.services import mailing_list_create, mailing_list_save
from convoca.organisations.models import Membership

PORTUGUESE = [("en", "English"), ("es", "Spanish"), ("pt", "Portuguese")]


@override_settings(LANGUAGES=PORTUGUESE)
def test_a_list_named_in_portuguese_shows_its_portuguese_name_once_the_site_has_portuguese(
    client, organisation, commit
):
    mailing_list_create(
        organisation=organisation,
        slug="alerts",
        name={"en": "Alerts", "pt": "Alertas de mobilização"},
        description={"en": "One email per mobilisation.", "pt": "Um email por mobilização."},
    )
    page = client.get("/pt/lists/alerts/")
    assert page.status_code == 200
    assert "Alertas de mobilização" in page.text
    assert "Um email por mobilização." in page.text
    assert "Alertas de mobilização" in client.get("/pt/lists/").text
    # No Spanish text: the Spanish page shows the English one rather than nothing.
    with translation.override("es"):
        url = reverse("mailings:mailinglist-subscribe", kwargs={"slug": "alerts"})
    spanish = client.get(url).text
    assert "Alerts" in spanish and "One email per mobilisation." in spanish

    with commit():
        client.post("/pt/lists/alerts/", {"email": "ana@example.org"})
    [message] = mail.outbox
    assert "Alertas de mobilização" in message.body


def test_a_list_without_a_text_in_a_language_shows_another(organisation):
    only_spanish = mailing_list_create(
        organisation=organisation, slug="boletin", name={"es": "Boletín"}, description={}
    )
    with translation.override("en"):
        assert (only_spanish.label, only_spanish.text) == ("Boletín", "")
    unnamed = mailing_list_save(mailing_list=MailingList(slug="unnamed"))
    assert unnamed.label == "unnamed"  # no text at all: its short name


def test_editing_one_language_leaves_the_other(alerts):
    mailing_list_save(mailing_list=alerts, texts={"es": {"name": "Alertas"}})
    assert dict(alerts.versions.values_list("language", "name")) == {
        "en": "Alerts: webinars and mobilisations",
        "es": "Alertas",
    }
    with translation.override("es"):
        assert (alerts.label, alerts.text) == ("Alertas", "Un correo cuando pasa algo.")
    mailing_list_save(mailing_list=alerts, texts_removed=["es"])
    with translation.override("es"):
        assert alerts.label == "Alerts: webinars and mobilisations"


def _list_form(mailing_list, **texts):
    data = {
        "organisation": str(mailing_list.organisation_id),
        "slug": mailing_list.slug,
        "is_public": "on",
        "purpose": "general",
        "versions-TOTAL_FORMS": 2,
        "versions-INITIAL_FORMS": 2,
    }
    for n, version in enumerate(mailing_list.versions.all()):
        data |= {
            f"versions-{n}-id": version.pk,
            f"versions-{n}-shared": mailing_list.pk,
            f"versions-{n}-language": version.language,
            f"versions-{n}-name": version.name,
            f"versions-{n}-description": version.description,
        }
    return data | texts


def test_the_admin_writes_a_lists_texts_one_block_per_language(client, organiser, alerts):
    client.force_login(organiser)
    change = reverse("admin:mailings_mailinglist_change", args=[alerts.pk])
    form = client.get(change).text
    assert 'name="versions-0-name"' in form and 'name="versions-1-name"' in form
    with override_settings(LANGUAGES=PORTUGUESE):
        assert 'name="versions-2-name"' in client.get(change).text  # a blank block for Portuguese

    response = client.post(change, _list_form(alerts, **{"versions-1-name": "Alertas"}))
    assert response.status_code == 302
    assert dict(alerts.versions.values_list("language", "name")) == {
        "en": "Alerts: webinars and mobilisations",
        "es": "Alertas",
    }

    nameless = _list_form(alerts, **{"versions-0-name": "", "versions-1-name": ""})
    refused = client.post(change, nameless)
    assert refused.status_code == 200
    assert "Give the list a name in at least one language." in refused.text
    assert alerts.versions.get(language="es").name == "Alertas"


def test_an_organiser_of_another_organisation_cannot_change_our_lists_texts(
    client, make_staff, other_organisation, alerts
):
    client.force_login(make_staff("stranger", Membership.Role.ORGANISER, other_organisation))
    change = reverse("admin:mailings_mailinglist_change", args=[alerts.pk])
    assert client.get(change).status_code == 404
    response = client.post(change, _list_form(alerts, **{"versions-0-name": "Taken over"}))
    assert response.status_code == 404
    assert alerts.versions.get(language="en").name == "Alerts: webinars and mobilisations"


def test_a_working_groups_list_is_named_after_the_group_in_every_language(organisation):
    from convoca.coalition.models import WorkingGroup
    from convoca.coalition.services import working_group_save

    group = working_group_save(
        group=WorkingGroup(slug="media", organisation=organisation),
        texts={"en": {"name": "Media"}, "es": {"name": "Medios"}},
    )
    working_group_save(group=group, texts={"es": {"name": "Prensa"}})
    members = MailingList.objects.get(pk=group.mailing_list_id)
    assert dict(members.versions.values_list("language", "name")) == {"en": "Media", "es": "Prensa"}
    assert members.text_in("description", "es") == "Los miembros de un grupo de trabajo."
    with override_settings(LANGUAGES=PORTUGUESE):
        working_group_save(group=group, texts={"pt": {"name": "Comunicação"}})
    portuguese = members.versions.get(language="pt")
    assert portuguese.name == "Comunicação"
    assert portuguese.description  # a new language's text is described too


def test_the_api_gives_a_list_its_title_and_description(alerts):
    from convoca.api.osdi import mailing_list

    with translation.override("es"):
        data = mailing_list(MailingList.objects.get(pk=alerts.pk), "https://x")
    assert (data["name"], data["title"]) == ("alerts", "Alertas: seminarios y movilizaciones")
    assert data["description"] == "Un correo cuando pasa algo."


@pytest.mark.django_db(transaction=True)
def test_the_json_name_and_description_become_a_text_row_per_language_and_back(migrate_to):
    try:
        old = migrate_to([("mailings", "0003_confirmation_throttle_remove")])
        Old = old.get_model("mailings", "MailingList")
        both = Old.objects.create(
            slug="alerts",
            name={"en": "Alerts", "es": "Alertas"},
            description={"en": "One email.", "es": ""},
        )
        described = Old.objects.create(
            slug="weekly", name={"en": "The Weekly"}, description={"es": "Cada viernes."}
        )
        bare = Old.objects.create(slug="bare")
        migrate_to(None)
        rows = {
            (t.shared_id, t.language): (t.name, t.description)
            for t in MailingListText.objects.all()
        }
        assert rows == {
            (both.pk, "en"): ("Alerts", "One email."),
            (both.pk, "es"): ("Alertas", ""),
            (described.pk, "en"): ("The Weekly", ""),
            (described.pk, "es"): ("", "Cada viernes."),
        }
        with translation.override("es"):
            weekly = MailingList.objects.get(pk=described.pk)
            assert (weekly.label, weekly.text) == ("The Weekly", "Cada viernes.")
        assert MailingList.objects.get(pk=bare.pk).label == "bare"

        back = migrate_to([("mailings", "0004_mailinglist_texts")])
        labels = {
            row.slug: (row.name, row.description)
            for row in back.get_model("mailings", "MailingList").objects.all()
        }
        assert labels == {
            "alerts": ({"en": "Alerts", "es": "Alertas"}, {"en": "One email."}),
            "weekly": ({"en": "The Weekly"}, {"es": "Cada viernes."}),
            "bare": ({}, {}),
        }
    finally:
        migrate_to(None)
