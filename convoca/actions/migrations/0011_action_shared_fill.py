"""Actions, step 2 of 3: each translation group's versions become one shared row.

The shared row takes the group's translation key as its id, so the
signatures and counts kept under that key stay the action's. Where the
versions disagreed (the bug this fixes: one version closed, another still
open), the version changed last wins: it is the organiser's latest word.
Co-sponsors are those of any version, so no organisation loses sight of an
action it co-sponsored.
"""

from collections import defaultdict

from django.db import migrations

from convoca.core.translatable_migrations import NullableUntilRemoved

SHARED = (
    "kind",
    "organisation_id",
    "status",
    "starts_at",
    "ends_at",
    "goal",
    "count_on_submit",
    "ask_organisation",
    "ask_role",
    "ask_members",
    "ask_comment",
    "ask_phone",
    "ask_place",
    "show_signers",
    "next_step",
    "next_step_url",
)


def versions_share_one_row(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    ActionShared = apps.get_model("actions", "ActionShared")
    groups = defaultdict(list)
    for action in Action.objects.order_by("-updated_at", "-pk").prefetch_related("co_sponsors"):
        groups[action.translation_key].append(action)
    for key, versions in groups.items():
        latest = versions[0]
        shared = ActionShared.objects.create(
            id=key, **{name: getattr(latest, name) for name in SHARED}
        )
        ActionShared.objects.filter(pk=key).update(
            created_at=min(version.created_at for version in versions),
            updated_at=latest.updated_at,
        )
        shared.co_sponsors.set(
            {sponsor.pk for version in versions for sponsor in version.co_sponsors.all()}
        )
        Action.objects.filter(translation_key=key).update(shared_id=key)


def shared_row_back_to_versions(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    ActionShared = apps.get_model("actions", "ActionShared")
    for shared in ActionShared.objects.prefetch_related("co_sponsors"):
        versions = Action.objects.filter(shared_id=shared.pk)
        versions.update(
            translation_key=shared.pk, **{name: getattr(shared, name) for name in SHARED}
        )
        sponsors = [sponsor.pk for sponsor in shared.co_sponsors.all()]
        for version in versions:
            version.co_sponsors.set(sponsors)
    Action.objects.update(shared_id=None)
    ActionShared.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("actions", "0010_action_shared")]

    operations = [
        # Going back, the next migration's columns return empty until this one's reverse fills them.
        NullableUntilRemoved("action", ["next_step_url", "organisation", "translation_key"]),
        migrations.RunPython(versions_share_one_row, shared_row_back_to_versions),
    ]
