"""What every language version of an action shares is changed once, for all of them."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from convoca.actions.models import Action, Signature
from convoca.actions.selectors import action_figures
from convoca.actions.services import (
    action_close,
    action_create,
    action_goal_set,
    action_reopen,
    action_save,
)


@pytest.fixture
def spanish(appeal):
    return action_create(
        translation_of=appeal,
        language="es",
        slug="levanten-las-sanciones",
        title="Levanten las sanciones",
    )


def test_closing_the_english_version_stops_the_spanish_one_taking_signatures(
    client, appeal, spanish, sign, commit
):
    commit(action_close, action=appeal)
    response = sign(spanish, email="bea@example.org")
    assert response.status_code == 409
    assert not Signature.objects.exists()
    assert "Levanten las sanciones" in client.get(spanish.get_absolute_url()).text
    assert Action.objects.get(pk=spanish.pk).status == Action.Status.CLOSED


def test_reopening_the_spanish_version_opens_the_english_one_again(appeal, spanish, sign, commit):
    commit(action_close, action=spanish)
    commit(action_reopen, action=spanish)
    assert sign(appeal, email="ana@example.org").status_code == 302
    assert Signature.objects.filter(action=appeal).exists()
    assert Action.objects.get(pk=appeal.pk).is_open


def test_a_new_goal_is_every_versions_goal_even_after_signatures(
    client, appeal, spanish, sign, commit
):
    commit(sign, appeal, email="ana@example.org")
    commit(action_goal_set, action=spanish, goal=5000)
    assert action_figures(Action.objects.get(pk=appeal.pk)).goal == 5000
    assert action_figures(Action.objects.get(pk=spanish.pk)).goal == 5000
    assert "5,000" in client.get(appeal.get_absolute_url()).text
    assert "5000" in client.get(spanish.get_absolute_url()).text.replace(".", "")


def test_closing_in_the_organisers_form_of_one_version_closes_every_version(
    client, coordinator, appeal, spanish, commit
):
    client.force_login(coordinator)
    change = reverse("admin:actions_action_change", args=[spanish.pk])
    form = client.get(change).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("og_image", "co_sponsors", "translation_of")
    }
    data.update(
        {
            "organisation": appeal.organisation_id,
            "status": Action.Status.CLOSED,
            "goal": 300,
            "questions-TOTAL_FORMS": 0,
            "questions-INITIAL_FORMS": 0,
        }
    )
    response = commit(client.post, change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    english = Action.objects.get(pk=appeal.pk)
    assert (english.status, english.goal) == (Action.Status.CLOSED, 300)
    assert Action.objects.get(pk=spanish.pk).title == "Levanten las sanciones"


def test_a_version_cannot_change_what_all_versions_share_behind_their_back(appeal):
    with pytest.raises(AttributeError):
        appeal.status = Action.Status.CLOSED
    with pytest.raises(ValueError, match="belong to the action"):
        action_create(translation_of=appeal, language="es", slug="x", title="X", goal=1)
    with pytest.raises(ValueError, match="not shared"):
        action_save(action=appeal, shared={"title": "Not shared"})


PORTUGUESE = [("en", "English"), ("es", "Spanish"), ("pt", "Portuguese")]


@override_settings(LANGUAGES=PORTUGUESE)
def test_a_third_language_is_a_setting_a_portuguese_version_is_served_at_its_address(
    client, appeal, sign, commit
):
    portuguese = action_create(
        translation_of=appeal,
        language="pt",
        slug="levantem-as-sancoes",
        title="Levantem as sanções",
        body="Assine o apelo.",
    )
    with translation.override("pt"):
        url = reverse("actions:action-detail", kwargs={"slug": portuguese.slug})
    assert url.startswith("/pt/")
    assert portuguese.get_absolute_url() == url
    page = client.get(url)
    assert page.status_code == 200
    assert "Levantem as sanções" in page.text
    commit(sign, appeal, email="ana@example.org")
    commit(action_close, action=portuguese)
    assert not Action.objects.get(pk=appeal.pk).is_open  # one status, in three languages
    assert action_figures(portuguese).count == action_figures(appeal).count


def test_a_version_added_in_the_organisers_form_joins_the_action_and_keeps_its_status(
    client, coordinator, appeal, commit
):
    client.force_login(coordinator)
    data = {
        "language": "es",
        "translation_of": appeal.pk,
        "title": "Levanten las sanciones",
        "slug": "levanten",
        "kind": Action.Kind.APPEAL,
        "status": Action.Status.DRAFT,  # the form's default: the action's own stands
        "goal": 0,
        "ask_organisation": "no", "ask_role": "no", "ask_members": "no",
        "ask_comment": "no", "ask_phone": "no", "ask_place": "no",
        "next_step": "share",
        "questions-TOTAL_FORMS": 0, "questions-INITIAL_FORMS": 0,
    }  # fmt: skip
    response = commit(client.post, reverse("admin:actions_action_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    spanish = Action.objects.get(language="es")
    assert spanish.translation_key == appeal.translation_key
    assert (spanish.status, spanish.goal) == (Action.Status.OPEN, 100)
    assert spanish.organisation == appeal.organisation


def test_a_version_shows_the_label_of_what_it_shares(client, appeal, spanish):
    assert appeal.get_kind_display() == "appeal or petition"
    assert spanish.get_status_display() == "open"
    assert "Appeal or petition" in client.get(appeal.get_absolute_url()).text


def test_the_shared_row_names_the_version_in_the_visitors_language(appeal, spanish):
    shared = Action.objects.get(pk=appeal.pk).shared
    assert shared.version_in("es") == spanish
    assert shared.version_in("fr") == appeal  # the site's language
    with translation.override("es"):
        assert str(shared) == "Levanten las sanciones"
