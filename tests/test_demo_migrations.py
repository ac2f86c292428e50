"""A database filled by the demo migrates back to one row per language and forward again, whole.

Every kind kept in several languages moved onto the translatable base
(``core.translatable``) through data migrations that run both ways. This
fills a database the way an operator's is filled (the demo, through the
services), takes every app back to before the move, and forward again:
every row is still there, and every version reads the same texts and
shared values as before.
"""

import pytest
from django.apps import apps

from convoca.core.demo import demo_load
from convoca.core.translatable import TranslationModel

#: Each app's last migration before its kinds moved onto the translatable base, in the
#: order they are taken back: a migration going back reads the other apps' tables as the
#: migration graph says they were then, so the apps whose moves came later go back first.
BEFORE_THE_BASE = [
    ("events", "0010_campaign_texts_only"),  # single events moved last
    ("mailings", "0003_confirmation_throttle_remove"),
    ("coalition", "0009_organisation_second_factor_required"),
    ("donations", "0005_provider_sync"),
    ("letters", "0001_letters"),
    ("publishing", "0004_article_related_events"),
    ("events", "0004_delivery_rows_remove"),
    ("actions", "0009_action_kind_targeted"),
]

#: Rewritten by the migrations themselves: when a row was written, not what it says.
WHEN = {"created_at", "updated_at"}


def _value(row, field):
    if field.many_to_many:
        return sorted(str(pk) for pk in getattr(row, field.name).values_list("pk", flat=True))
    return getattr(row, field.attname)


def _version(row) -> dict:
    """What a version reads: its own texts, and what it shares, through the neutral row."""
    own = {
        field.name: _value(row, field)
        for field in row._meta.concrete_fields
        if field.name not in WHEN and not field.primary_key
    }
    shared = row.shared
    together = {
        f"shared.{field.name}": _value(shared, field)
        for field in [*shared._meta.concrete_fields, *shared._meta.many_to_many]
        if field.name not in WHEN
    }
    return own | together


def _read() -> tuple[dict, dict]:
    """Every version by (kind, translation key, language), and every model's row count."""
    versions = {}
    for model in apps.get_models():
        if issubclass(model, TranslationModel):
            for row in model._default_manager.select_related("shared"):
                key = (model._meta.label, str(row.shared_id), row.language)
                versions[key] = _version(row)
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.app_label != "sessions"
    }
    return versions, counts


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_the_demo_migrates_back_before_the_translatable_base_and_forward_again_whole(
    migrate_to, django_capture_on_commit_callbacks
):
    try:
        with django_capture_on_commit_callbacks(execute=True):
            demo_load()
        versions, counts = _read()
        kinds = {label for label, _key, _language in versions}
        # The demo fills every kind kept in several languages, so the test sees them all.
        assert kinds >= {
            "actions.Action",
            "coalition.WorkingGroupText",
            "donations.FundraiserText",
            "events.Campaign",
            "events.Event",
            "events.Series",
            "letters.LetterText",
            "mailings.MailingListText",
            "organisations.OrganisationText",
            "publishing.Article",
        }, kinds
        for kind in kinds:
            languages = {language for (label, _key, language) in versions if label == kind}
            assert languages >= {"en", "es"}, kind

        old = migrate_to(BEFORE_THE_BASE)
        # The old layout holds the content: a row per language, texts in columns.
        old_actions = old.get_model("actions", "Action")._default_manager
        assert old_actions.count() == counts["actions.Action"]
        assert old_actions.filter(language="es").exclude(title="").exists()
        assert old.get_model("events", "Series")._default_manager.count() == counts["events.Series"]

        migrate_to(None)
        again, counts_again = _read()
        assert counts_again == counts
        assert again.keys() == versions.keys()
        for key, before in versions.items():
            assert again[key] == before, key
    finally:
        migrate_to(None)
