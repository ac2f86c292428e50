"""Series, step 2 of 3: each translation group's versions become one shared row.

The shared row takes the group's translation key as its id, so the people
registered for the whole series (kept under that key) and the keys of its
occurrences stay the series'. Where the versions disagreed, the version
changed last wins: it is the organiser's latest word.
"""

from collections import defaultdict

from django.db import migrations

from convoca.core.translatable_migrations import NullableUntilRemoved

SHARED = (
    "organisation_id",
    "rule",
    "first_start",
    "duration_minutes",
    "time_zone",
    "display_zones",
    "kind",
    "online_url",
    "capacity",
    "is_published",
)


def versions_share_one_row(apps, schema_editor):
    Series = apps.get_model("events", "Series")
    SeriesShared = apps.get_model("events", "SeriesShared")
    groups = defaultdict(list)
    for series in Series.objects.order_by("-updated_at", "-pk"):
        groups[series.translation_key].append(series)
    for key, versions in groups.items():
        latest = versions[0]
        SeriesShared.objects.create(id=key, **{name: getattr(latest, name) for name in SHARED})
        SeriesShared.objects.filter(pk=key).update(
            created_at=min(version.created_at for version in versions),
            updated_at=latest.updated_at,
        )
        Series.objects.filter(translation_key=key).update(shared_id=key)


def shared_row_back_to_versions(apps, schema_editor):
    Series = apps.get_model("events", "Series")
    SeriesShared = apps.get_model("events", "SeriesShared")
    for shared in SeriesShared.objects.all():
        Series.objects.filter(shared_id=shared.pk).update(
            translation_key=shared.pk, **{name: getattr(shared, name) for name in SHARED}
        )
    Series.objects.update(shared_id=None)
    SeriesShared.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("events", "0005_series_shared")]

    operations = [
        # Going back, the next migration's columns return empty until this one's reverse fills them.
        NullableUntilRemoved("series", ["organisation", "rule", "first_start", "display_zones", "online_url", "translation_key"]),
        migrations.RunPython(versions_share_one_row, shared_row_back_to_versions),
    ]
