"""Working groups, step 2 of 3: each group's English and Spanish columns become text rows.

English always (its name was required); Spanish when any Spanish column
had words (an empty Spanish name took the English one, as the pages did).
"""

from django.db import migrations

from convoca.core.translatable_migrations import NullableUntilRemoved

FIELDS = ("name", "purpose", "description")


def columns_to_rows(apps, schema_editor):
    WorkingGroup = apps.get_model("coalition", "WorkingGroup")
    WorkingGroupText = apps.get_model("coalition", "WorkingGroupText")
    rows = []
    for group in WorkingGroup.objects.all():
        for language in ("en", "es"):
            texts = {name: getattr(group, f"{name}_{language}") for name in FIELDS}
            if language == "es" and not any(texts.values()):
                continue
            texts["name"] = texts["name"] or group.name_en
            rows.append(WorkingGroupText(shared_id=group.pk, language=language, **texts))
    WorkingGroupText.objects.bulk_create(rows)


def rows_to_columns(apps, schema_editor):
    WorkingGroup = apps.get_model("coalition", "WorkingGroup")
    WorkingGroupText = apps.get_model("coalition", "WorkingGroupText")
    for text in WorkingGroupText.objects.filter(language__in=["en", "es"]):
        WorkingGroup.objects.filter(pk=text.shared_id).update(
            **{f"{name}_{text.language}": getattr(text, name) for name in FIELDS}
        )
    WorkingGroupText.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("coalition", "0010_working_group_texts")]

    operations = [
        # Going back, the next migration's columns return empty until this one's reverse fills them.
        NullableUntilRemoved("workinggroup", ["name_en", "name_es", "purpose_en", "purpose_es", "description_en", "description_es"]),
        migrations.RunPython(columns_to_rows, rows_to_columns),
    ]
