"""The migrations that give a campaign's versions one shared row carry every row over."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from convoca.events.models import Campaign, CampaignShared, Event

# Organisations still coalition's, as they were then (its actions' keys point there too).
BEFORE = [("events", "0007_series_texts_only"), ("organisations", None)]


def _old_campaign(old, organisation, key, language, slug, **fields):
    return old.get_model("events", "Campaign").objects.create(
        translation_key=key,
        language=language,
        title=f"Title {slug}",
        slug=slug,
        call=f"Call in {language}",
        organisation=organisation,
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 3, 7),
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_two_language_campaigns_become_one_shared_row_with_their_events_and_action(migrate_to):
    try:
        old = migrate_to(BEFORE)
        Organisation = old.get_model("coalition", "Organisation")
        owner = Organisation.objects.create(name="Owner", slug="owner", country="US")
        endorser = Organisation.objects.create(name="Endorser", slug="endorser", country="MX")
        other = Organisation.objects.create(name="Other", slug="other", country="CU")
        ActionShared = old.get_model("actions", "ActionShared")
        appeal = ActionShared.objects.create(organisation=owner, status="open")
        Action_ = old.get_model("actions", "Action")
        english_appeal = Action_.objects.create(
            shared=appeal, language="en", title="Lift", slug="lift"
        )
        spanish_appeal = Action_.objects.create(
            shared=appeal, language="es", title="Levanten", slug="levanten"
        )
        now = timezone.now()
        week, draft = uuid.uuid4(), uuid.uuid4()
        english = _old_campaign(
            old, owner, week, "en", "week", status="published", action=english_appeal
        )
        spanish = _old_campaign(
            old, owner, week, "es", "semana", status="draft", action=spanish_appeal
        )
        spanish.endorsers.add(endorser)
        # The Spanish translation was edited last, with later dates, still a draft.
        old.get_model("events", "Campaign").objects.filter(pk=spanish.pk).update(
            ends_on=date(2027, 3, 9), updated_at=now + timedelta(minutes=1)
        )
        lone = _old_campaign(old, other, draft, "es", "borrador", accepts_hosts=False)
        event = old.get_model("events", "Event").objects.create(
            translation_key=uuid.uuid4(), language="en", title="Rally", slug="rally",
            organisation=owner, starts_at=now, ends_at=now + timedelta(hours=1),
            status="published", campaign=english,
        )  # fmt: skip

        migrate_to(None)

        assert CampaignShared.objects.count() == 2
        shared = CampaignShared.objects.get(pk=week)
        # Published in one language is published: no live page goes dark.
        assert shared.status == "published"
        assert shared.ends_on == date(2027, 3, 9)  # the version changed last
        assert shared.organisation_id == owner.pk
        assert shared.action_id == appeal.pk
        assert list(shared.endorsers.values_list("pk", flat=True)) == [endorser.pk]
        versions = {v.language: v for v in Campaign.objects.filter(shared=shared)}
        assert {v.pk for v in versions.values()} == {english.pk, spanish.pk}
        assert versions["es"].call == "Call in es"
        assert versions["es"].action_version.pk == spanish_appeal.pk
        assert versions["en"].action_version.pk == english_appeal.pk
        moved = Campaign.objects.get(pk=lone.pk)
        assert (moved.translation_key, moved.status, moved.accepts_hosts) == (draft, "draft", False)
        assert moved.organisation.pk == other.pk
        assert Event.objects.get(pk=event.pk).campaign.pk == english.pk
    finally:
        migrate_to(None)
