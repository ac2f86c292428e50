"""A letter's texts: a row per language on the translatable base, in the setting's languages."""

import uuid

import pytest
from django.test import override_settings

from convoca.letters.models import LetterCampaign, LetterText
from convoca.letters.selectors import letter_text_for
from convoca.letters.services import letter_campaign_save

WITH_PORTUGUESE = [("en", "English"), ("es", "Spanish"), ("pt", "Portuguese")]


def test_a_letter_in_a_language_it_has_no_text_in_starts_from_the_sites_language(
    make_letter,
):
    campaign = make_letter()
    assert letter_text_for(campaign, "es").subject == "Vote a favor de la Ley de Medicinas"
    assert letter_text_for(campaign, "fr").subject == "Please vote for the Medicine Act"


@override_settings(LANGUAGES=WITH_PORTUGUESE)
def test_portuguese_turned_on_in_settings_takes_a_letter_text_without_a_schema_change(
    make_letter,
):
    campaign = make_letter()
    letter_campaign_save(
        campaign=campaign,
        texts={
            "pt": {
                "subject": "Vote a favor da Lei dos Medicamentos",
                "editable_text": "Escrevo como eleitora do seu distrito.",
                "fixed_text": "",
            }
        },
    )
    assert letter_text_for(campaign, "pt").subject == "Vote a favor da Lei dos Medicamentos"
    # The other languages' texts are left as they were.
    assert [text.language for text in campaign.versions.all()] == ["en", "es", "pt"]


def test_a_text_in_a_language_the_site_does_not_have_is_refused_and_nothing_is_written(
    make_letter,
):
    from django.core.exceptions import ValidationError

    campaign = make_letter()
    with pytest.raises(ValidationError):
        letter_campaign_save(
            campaign=campaign,
            texts={"pt": {"subject": "Vote", "editable_text": "Texto", "fixed_text": ""}},
        )
    assert not LetterText.objects.filter(language="pt").exists()


@pytest.mark.django_db(transaction=True)
def test_the_letter_texts_keep_their_rows_when_they_move_onto_the_base(migrate_to):
    try:
        old = migrate_to([("letters", "0002_campaign_action_kind_shared")])
        ActionShared = old.get_model("actions", "ActionShared")
        Organisation = ActionShared._meta.get_field("organisation").related_model
        owner = Organisation.objects.create(name="Owner", slug="owner", country="US")
        key = uuid.uuid4()
        shared = ActionShared.objects.create(
            id=key, organisation=owner, kind="targeted", status="open"
        )
        action = old.get_model("actions", "Action").objects.create(
            shared=shared, language="en", title="Pass it", slug="pass-it", body=""
        )
        campaign = old.get_model("letters", "LetterCampaign").objects.create(
            action=action, translation_key=key
        )
        OldText = old.get_model("letters", "LetterText")
        for language, subject in [("en", "Vote yes"), ("es", "Vote sí")]:
            OldText.objects.create(
                campaign=campaign,
                language=language,
                subject=subject,
                editable_text=f"Editable {language}",
                fixed_text=f"Fixed {language}",
            )
        migrate_to(None)
        moved = LetterCampaign.objects.get(pk=campaign.pk)
        assert {
            text.language: (text.subject, text.editable_text, text.fixed_text)
            for text in moved.versions.all()
        } == {
            "en": ("Vote yes", "Editable en", "Fixed en"),
            "es": ("Vote sí", "Editable es", "Fixed es"),
        }
        assert all(text.created_at for text in moved.versions.all())
    finally:
        migrate_to(None)
