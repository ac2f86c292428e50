"""The migrations that give an action's versions one shared row carry every row over."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from convoca.actions.models import Action, ActionShared, CountryTally, Signature, Tally

BEFORE = [
    ("actions", "0009_action_kind_targeted"),
    ("letters", "0001_letters"),
    ("events", "0007_series_texts_only"),  # a campaign names an action's shared row from 0008
]


def _old_action(old, organisation, key, language, slug, **fields):
    return old.get_model("actions", "Action").objects.create(
        translation_key=key,
        language=language,
        title=f"Title {slug}",
        slug=slug,
        body=f"Body in {language}",
        organisation=organisation,
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_two_language_actions_become_one_shared_row_with_every_signature_and_count(migrate_to):
    try:
        old = migrate_to(BEFORE)
        Organisation = old.get_model("coalition", "Organisation")
        owner = Organisation.objects.create(name="Owner", slug="owner", country="US")
        sponsor = Organisation.objects.create(name="Sponsor", slug="sponsor", country="MX")
        other = Organisation.objects.create(name="Other", slug="other", country="CU")
        now = timezone.now()
        appeal, letter = uuid.uuid4(), uuid.uuid4()
        english = _old_action(
            old, owner, appeal, "en", "lift", status="open", goal=100,
            starts_at=now - timedelta(days=3), ask_role="optional", kind="appeal",
        )  # fmt: skip
        spanish = _old_action(
            old, owner, appeal, "es", "levanten", status="open", goal=100,
            starts_at=now - timedelta(days=3), ask_role="optional", kind="appeal",
        )  # fmt: skip
        english.co_sponsors.add(sponsor)
        # The bug being fixed: the English version was closed, the Spanish one not.
        Action_ = old.get_model("actions", "Action")
        Action_.objects.filter(pk=english.pk).update(
            status="closed", goal=250, updated_at=now + timedelta(minutes=1)
        )
        only = _old_action(old, other, letter, "es", "carta", status="draft", kind="letter")
        Person = old.get_model("people", "Person")
        signatures = []
        for n, (version, country) in enumerate([(english, "US"), (spanish, "MX"), (spanish, "")]):
            person = Person.objects.create(id=uuid.uuid4(), email_index=f"index-{n}")
            signature = old.get_model("actions", "Signature").objects.create(
                id=uuid.uuid4(), action=version, translation_key=appeal, person=person,
                country=country, confirmed_at=now, counted=True,
            )  # fmt: skip
            signatures.append(signature)
        old.get_model("actions", "Tally").objects.create(translation_key=appeal, count=3, goal=250)
        CountryTally_ = old.get_model("actions", "CountryTally")
        CountryTally_.objects.create(translation_key=appeal, country="US", count=1)
        CountryTally_.objects.create(translation_key=appeal, country="MX", count=1)

        migrate_to(None)

        assert ActionShared.objects.count() == 2
        shared = ActionShared.objects.get(pk=appeal)
        # The version changed last is the organiser's latest word, for both versions.
        assert (shared.status, shared.goal, shared.kind) == ("closed", 250, "appeal")
        assert shared.organisation_id == owner.pk
        assert shared.ask_role == "optional"
        assert list(shared.co_sponsors.values_list("pk", flat=True)) == [sponsor.pk]
        versions = {v.language: v for v in Action.objects.filter(shared=shared)}
        assert {v.pk for v in versions.values()} == {english.pk, spanish.pk}
        assert (versions["en"].slug, versions["es"].slug) == ("lift", "levanten")
        assert versions["es"].body == "Body in es"
        assert not versions["es"].is_open  # closed in every language
        assert Action.objects.get(pk=only.pk).shared.status == "draft"
        assert Action.objects.get(pk=only.pk).organisation.pk == other.pk
        assert Action.objects.get(pk=only.pk).translation_key == letter
        assert set(Signature.objects.values_list("pk", "action_id", "translation_key")) == {
            (s.pk, s.action_id, appeal) for s in signatures
        }
        assert Tally.objects.get(pk=appeal).count == 3
        assert dict(CountryTally.objects.values_list("country", "count")) == {"US": 1, "MX": 1}
    finally:
        migrate_to(None)
