"""Events, step 2 of 3: each translation group's versions become one shared row.

The shared row takes the group's translation key as its id, so the
registrations (kept under that key) stay the event's. Where the versions
disagreed on what they share, the version changed last wins: it is the
organiser's latest word. An occurrence belongs to its series (every
language of it), a hosted event to its campaign, through their shared rows.
"""

from collections import defaultdict

from django.db import migrations

SHARED = (
    "kind", "organisation_id", "host_group", "status", "starts_at", "ends_at", "time_zone",
    "display_zones", "venue_name", "street_address", "city", "postal_code", "country",
    "latitude", "longitude", "online_url", "capacity", "ask_phone", "reminder_minutes",
    "recording_url", "occurrence_start", "host_person_id", "host_key",
)  # fmt: skip


def versions_share_one_row(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    EventShared = apps.get_model("events", "EventShared")
    series_shared = dict(apps.get_model("events", "Series").objects.values_list("pk", "shared_id"))
    campaign_shared = dict(
        apps.get_model("events", "Campaign").objects.values_list("pk", "shared_id")
    )
    groups = defaultdict(list)
    for event in Event.objects.order_by("-updated_at", "-pk"):
        groups[event.translation_key].append(event)
    for key, versions in groups.items():
        latest = versions[0]
        EventShared.objects.create(
            id=key,
            series_id=series_shared.get(latest.series_id),
            campaign_id=campaign_shared.get(latest.campaign_id),
            **{name: getattr(latest, name) for name in SHARED},
        )
        EventShared.objects.filter(pk=key).update(
            created_at=min(version.created_at for version in versions),
            updated_at=latest.updated_at,
        )
        Event.objects.filter(translation_key=key).update(shared_id=key)


def _version_of(model, shared_id, language):
    """The version of a series or campaign in ``language``, else any of its versions."""
    if shared_id is None:
        return None
    versions = model.objects.filter(shared_id=shared_id)
    return versions.filter(language=language).first() or versions.order_by("pk").first()


def shared_row_back_to_versions(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    EventShared = apps.get_model("events", "EventShared")
    Series = apps.get_model("events", "Series")
    Campaign = apps.get_model("events", "Campaign")
    for shared in EventShared.objects.all():
        values = {name: getattr(shared, name) for name in SHARED}
        for version in Event.objects.filter(shared_id=shared.pk):
            series = _version_of(Series, shared.series_id, version.language)
            campaign = _version_of(Campaign, shared.campaign_id, version.language)
            Event.objects.filter(pk=version.pk).update(
                translation_key=shared.pk,
                series_id=series.pk if series else None,
                campaign_id=campaign.pk if campaign else None,
                **values,
            )
    Event.objects.update(shared_id=None)
    EventShared.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("events", "0011_event_shared")]

    operations = [migrations.RunPython(versions_share_one_row, shared_row_back_to_versions)]
