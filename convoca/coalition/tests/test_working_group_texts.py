"""A working group's texts are a row per language; its languages are the site's setting."""

import pytest
from django.test import override_settings
from django.utils import translation

from convoca.coalition.models import WorkingGroup, WorkingGroupText
from convoca.coalition.services import working_group_save


def test_a_group_added_in_the_admin_gets_one_text_block_per_language(client, coordinator):
    client.force_login(coordinator)
    form = client.get("/admin/coalition/workinggroup/add/")
    assert form.text.count('name="versions-') >= 2 * 4  # English and Spanish blocks
    response = client.post(
        "/admin/coalition/workinggroup/add/",
        {
            "slug": "media", "kind": "working_group", "organisation": "", "joining": "open",
            "is_public": "on",
            "versions-TOTAL_FORMS": 2, "versions-INITIAL_FORMS": 0,
            "versions-0-language": "en", "versions-0-name": "Media",
            "versions-0-purpose": "Press work.", "versions-0-description": "",
            "versions-1-language": "es", "versions-1-name": "Medios",
            "versions-1-purpose": "", "versions-1-description": "",
            "members-TOTAL_FORMS": 0, "members-INITIAL_FORMS": 0,
        },
    )  # fmt: skip
    assert response.status_code == 302, response.context["errors"]
    group = WorkingGroup.objects.get(slug="media")
    assert dict(group.versions.values_list("language", "name")) == {"en": "Media", "es": "Medios"}
    assert dict(group.mailing_list.versions.values_list("language", "name")) == {
        "en": "Media",
        "es": "Medios",
    }
    with translation.override("es"):
        assert (group.name, group.purpose) == ("Medios", "Press work.")  # English if no Spanish


@override_settings(LANGUAGES=[("en", "English"), ("es", "Spanish"), ("pt", "Portuguese")])
def test_a_portuguese_text_is_a_setting_away(client, db):
    group = working_group_save(
        group=WorkingGroup(slug="media", joining=WorkingGroup.Joining.OPEN),
        texts={"en": {"name": "Media"}, "pt": {"name": "Comunicação"}},
    )
    page = client.get("/pt/working-groups/media/")
    assert page.status_code == 200
    assert "Comunicação" in page.text
    assert group.mailing_list.versions.get(language="pt").name == "Comunicação"
    assert "Media" in client.get("/es/grupos-de-trabajo/media/").text  # no Spanish: English


@pytest.mark.django_db(transaction=True)
def test_the_english_and_spanish_columns_become_a_text_row_each(migrate_to):
    try:
        old = migrate_to([("coalition", "0009_organisation_second_factor_required")])
        Group = old.get_model("coalition", "WorkingGroup")
        both = Group.objects.create(
            slug="media", name_en="Media", name_es="Medios", purpose_en="Press.",
            description_es="Los lunes.",
        )  # fmt: skip
        english = Group.objects.create(slug="legal", name_en="Legal")
        migrate_to(None)
        rows = {
            (t.shared_id, t.language): (t.name, t.purpose, t.description)
            for t in WorkingGroupText.objects.all()
        }
        assert rows == {
            (both.pk, "en"): ("Media", "Press.", ""),
            (both.pk, "es"): ("Medios", "", "Los lunes."),
            (english.pk, "en"): ("Legal", "", ""),
        }
    finally:
        migrate_to(None)


def test_hiding_a_group_hides_it_in_every_language(client, db):
    group = working_group_save(
        group=WorkingGroup(slug="media", joining=WorkingGroup.Joining.OPEN),
        texts={"en": {"name": "Media"}, "es": {"name": "Medios"}},
    )
    assert client.get("/es/grupos-de-trabajo/media/").status_code == 200
    group.is_public = False
    working_group_save(group=group)
    assert client.get("/en/working-groups/media/").status_code == 404
    assert client.get("/es/grupos-de-trabajo/media/").status_code == 404
