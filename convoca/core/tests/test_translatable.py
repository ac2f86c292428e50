"""Which language version a visitor is shown, and which languages a version may be in."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from convoca.core.translatable import LanguageField, language_pick


def test_a_visitor_sees_their_language_else_the_sites_else_the_first_there_is():
    assert language_pick(["en", "es"], "es") == "es"
    assert language_pick(["en", "es"], "fr") == "en"  # LANGUAGE_CODE
    assert language_pick(["es"], "fr") == "es"
    assert language_pick([], "es") is None
    with translation.override("es"):
        assert language_pick(["en", "es"]) == "es"  # the active language by default


def test_the_languages_a_version_may_be_in_are_the_setting_at_the_time():
    field = LanguageField()
    with pytest.raises(ValidationError):
        field.clean("pt", None)
    with override_settings(LANGUAGES=[("en", "English"), ("es", "Spanish"), ("pt", "Portuguese")]):
        assert field.clean("pt", None) == "pt"
        assert ("pt", "Portuguese") in field.formfield().choices
    # Never part of a migration: adding a language is not a schema change.
    assert "choices" not in field.deconstruct()[3]
