"""A pledge activation's message is a row per language; each pledger gets theirs, else another."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from convoca.actions.models import Action, PledgeActivation, PledgeActivationText
from convoca.actions.services import (
    SignatureData,
    pledge_activate,
    signature_confirm,
    signature_create,
)
from convoca.core.outbox import outbox_deliver
from convoca.people.services import PersonData

PORTUGUESE = [("en", "English"), ("es", "Spanish"), ("pt", "Portuguese")]


@pytest.fixture
def pledge(make_action):
    return make_action(kind=Action.Kind.PLEDGE, slug="pledge", title="Pledge")


@pytest.fixture
def pledger(pledge, commit):
    def make(email, language):
        result = commit(
            signature_create,
            action=pledge,
            data=SignatureData(person=PersonData(email=email, language=language)),
        )
        signature_confirm(signature=result.signature)

    return make


def _subjects() -> dict[str, str]:
    outbox_deliver()
    return {message.to[0]: message.subject for message in mail.outbox}


@override_settings(LANGUAGES=PORTUGUESE)
def test_each_pledger_gets_the_message_in_their_language_and_a_third_language_falls_back(
    pledge, pledger, coordinator, commit
):
    pledger("ana@example.org", "en")
    pledger("bea@example.org", "es")
    pledger("joao@example.org", "pt")
    pledger("nolang@example.org", "")
    mail.outbox.clear()
    commit(
        pledge_activate,
        action=pledge,
        texts={
            "en": {"subject": "Act now", "body": "Go to the rally."},
            "es": {"subject": "Actúa ya", "body": "Ve a la concentración."},
        },
        user=coordinator,
    )
    assert _subjects() == {
        "ana@example.org": "Act now",
        "bea@example.org": "Actúa ya",
        "joao@example.org": "Act now",  # no Portuguese message: the site's language
        "nolang@example.org": "Act now",
    }
    [joao] = [m for m in mail.outbox if m.to == ["joao@example.org"]]
    assert "Go to the rally." in joao.body and "Hello," in joao.body  # one language throughout


@override_settings(LANGUAGES=PORTUGUESE)
def test_a_message_written_in_portuguese_reaches_portuguese_pledgers(
    client, pledge, pledger, coordinator, commit
):
    pledger("joao@example.org", "pt")
    pledger("bea@example.org", "es")
    mail.outbox.clear()
    client.force_login(coordinator)
    url = reverse("admin:actions_action_activate", args=[pledge.pk])
    assert 'name="subject_pt"' in client.get(url).text
    response = commit(
        client.post,
        url,
        {
            "subject_en": "Act now", "body_en": "Go.",
            "subject_pt": "Aja agora", "body_pt": "Vá à manifestação.",
            "confirm": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302
    activation = PledgeActivation.objects.get()
    assert dict(activation.versions.values_list("language", "subject")) == {
        "en": "Act now",
        "pt": "Aja agora",
    }
    # Spanish left empty: the Spanish pledger gets the English message.
    assert _subjects() == {"joao@example.org": "Aja agora", "bea@example.org": "Act now"}


def test_the_activation_form_refuses_half_a_language_and_no_message_at_all(
    client, pledge, coordinator
):
    client.force_login(coordinator)
    url = reverse("admin:actions_action_activate", args=[pledge.pk])
    half = client.post(url, {"subject_en": "Act now", "body_es": "Ve.", "confirm": "on"})
    assert half.status_code == 200
    assert "Write the message, or clear its subject." in half.text
    assert "Give the message a subject." in half.text
    empty = client.post(url, {"confirm": "on"})
    assert "Write the message in at least one language." in empty.text
    assert not PledgeActivation.objects.exists()


def test_an_activation_shows_the_message_it_sent_in_each_language(
    client, pledge, coordinator, commit
):
    activation = commit(
        pledge_activate,
        action=pledge,
        texts={
            "en": {"subject": "Act now", "body": "Go."},
            "es": {"subject": "Actúa ya", "body": "Ve."},
        },
        user=coordinator,
    )
    client.force_login(coordinator)
    assert "Act now" in client.get(reverse("admin:actions_pledgeactivation_changelist")).text
    page = client.get(reverse("admin:actions_pledgeactivation_change", args=[activation.pk]))
    assert page.status_code == 200
    assert "Actúa ya" in page.text and "Act now" in page.text


@pytest.mark.django_db(transaction=True)
def test_the_english_and_spanish_columns_become_a_message_row_each_and_back(migrate_to):
    try:
        old = migrate_to([("actions", "0013_signatureintake_claim")])
        organisation = old.get_model("coalition", "Organisation").objects.create(
            name="Solidarity Network", slug="sn", country="US"
        )
        shared = old.get_model("actions", "ActionShared").objects.create(
            kind="pledge", organisation=organisation
        )
        action = old.get_model("actions", "Action").objects.create(
            shared=shared, language="en", title="Pledge", slug="pledge"
        )
        Old = old.get_model("actions", "PledgeActivation")
        both = Old.objects.create(
            action=action, translation_key=shared.pk, recipients=12,
            subject_en="Act now", body_en="Go.", subject_es="Actúa ya", body_es="Ve.",
        )  # fmt: skip
        english = Old.objects.create(
            action=action, translation_key=shared.pk, subject_en="Again", body_en="Go again."
        )
        migrate_to(None)
        rows = {
            (t.shared_id, t.language): (t.subject, t.body)
            for t in PledgeActivationText.objects.all()
        }
        assert rows == {
            (both.pk, "en"): ("Act now", "Go."),
            (both.pk, "es"): ("Actúa ya", "Ve."),
            (english.pk, "en"): ("Again", "Go again."),
        }
        moved = PledgeActivation.objects.get(pk=both.pk)
        assert (moved.recipients, moved.translation_key) == (12, shared.pk)

        back = migrate_to([("actions", "0014_pledgeactivation_texts")])
        columns = {
            row.pk: (row.subject_en, row.body_en, row.subject_es, row.body_es)
            for row in back.get_model("actions", "PledgeActivation").objects.all()
        }
        assert columns == {
            both.pk: ("Act now", "Go.", "Actúa ya", "Ve."),
            english.pk: ("Again", "Go again.", "", ""),
        }
    finally:
        migrate_to(None)
