"""Organisations, step 2 of 3: each description column with words becomes a text row."""

from django.db import migrations

from convoca.core.translatable_migrations import NullableUntilRemoved


def columns_to_rows(apps, schema_editor):
    Organisation = apps.get_model("coalition", "Organisation")
    OrganisationText = apps.get_model("coalition", "OrganisationText")
    rows = []
    for organisation in Organisation.objects.all().iterator():
        for language in ("en", "es"):
            description = getattr(organisation, f"description_{language}")
            if description:
                rows.append(
                    OrganisationText(
                        shared_id=organisation.pk, language=language, description=description
                    )
                )
    OrganisationText.objects.bulk_create(rows, batch_size=500)


def rows_to_columns(apps, schema_editor):
    Organisation = apps.get_model("coalition", "Organisation")
    OrganisationText = apps.get_model("coalition", "OrganisationText")
    for text in OrganisationText.objects.filter(language__in=["en", "es"]).iterator():
        Organisation.objects.filter(pk=text.shared_id).update(
            **{f"description_{text.language}": text.description}
        )
    OrganisationText.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("coalition", "0013_organisation_texts")]

    operations = [
        # Going back, the next migration's columns return empty until this one's reverse fills them.
        NullableUntilRemoved("organisation", ["description_en", "description_es"]),
        migrations.RunPython(columns_to_rows, rows_to_columns),
    ]
