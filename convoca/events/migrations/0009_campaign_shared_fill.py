"""Campaigns, step 2 of 3: each translation group's versions become one shared row.

The shared row takes the group's translation key as its id. A campaign's
status was per language (a translation might not be ready); it is now one
for every version, because its events, host form and map are the same in
all of them: a campaign published in any language stays published, so no
live page goes dark on upgrade. The other values (dates, whether anyone
may host) are the version changed last's, the organiser's latest word.
The action on the map becomes that action in every language (the versions
linked to one version each of the same action); endorsers are those of any
version.
"""

from collections import defaultdict

from django.db import migrations

from convoca.core.translatable_migrations import NullableUntilRemoved

SHARED = ("starts_on", "ends_on", "organisation_id", "accepts_hosts")


def versions_share_one_row(apps, schema_editor):
    Campaign = apps.get_model("events", "Campaign")
    CampaignShared = apps.get_model("events", "CampaignShared")
    Action = apps.get_model("actions", "Action")
    groups = defaultdict(list)
    for campaign in Campaign.objects.order_by("-updated_at", "-pk").prefetch_related("endorsers"):
        groups[campaign.translation_key].append(campaign)
    for key, versions in groups.items():
        latest = versions[0]
        published = any(version.status == "published" for version in versions)
        action_ids = [version.action_id for version in versions if version.action_id]
        action_shared = (
            Action.objects.filter(pk=action_ids[0]).values_list("shared_id", flat=True).first()
            if action_ids
            else None
        )
        shared = CampaignShared.objects.create(
            id=key,
            status="published" if published else "draft",
            action_id=action_shared,
            **{name: getattr(latest, name) for name in SHARED},
        )
        CampaignShared.objects.filter(pk=key).update(
            created_at=min(version.created_at for version in versions),
            updated_at=latest.updated_at,
        )
        shared.endorsers.set(
            {endorser.pk for version in versions for endorser in version.endorsers.all()}
        )
        Campaign.objects.filter(translation_key=key).update(shared_id=key)


def shared_row_back_to_versions(apps, schema_editor):
    Campaign = apps.get_model("events", "Campaign")
    CampaignShared = apps.get_model("events", "CampaignShared")
    Action = apps.get_model("actions", "Action")
    for shared in CampaignShared.objects.prefetch_related("endorsers"):
        versions = Campaign.objects.filter(shared_id=shared.pk)
        versions.update(
            translation_key=shared.pk,
            status=shared.status,
            **{name: getattr(shared, name) for name in SHARED},
        )
        endorsers = [endorser.pk for endorser in shared.endorsers.all()]
        for version in versions:
            version.endorsers.set(endorsers)
            if shared.action_id:
                version.action = (
                    Action.objects.filter(shared_id=shared.action_id, language=version.language)
                    .first()
                    or Action.objects.filter(shared_id=shared.action_id).first()
                )
                version.save(update_fields=["action"])
    Campaign.objects.update(shared_id=None)
    CampaignShared.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("events", "0008_campaign_shared"), ("actions", "0011_action_shared_fill")]

    operations = [
        # Going back, the next migration's columns return empty until this one's reverse fills them.
        NullableUntilRemoved("campaign", ["organisation", "starts_on", "ends_on", "translation_key"]),
        migrations.RunPython(versions_share_one_row, shared_row_back_to_versions),
    ]
