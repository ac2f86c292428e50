"""Fundraisers, step 2 of 3: each fundraiser's English and Spanish columns become text rows.

English always (its title was required); Spanish when any Spanish column
had words (an empty Spanish title took the English one, as the pages did).
"""

from django.db import migrations

from convoca.core.translatable_migrations import NullableUntilRemoved

FIELDS = ("title", "summary", "body", "thank_you")


def columns_to_rows(apps, schema_editor):
    Fundraiser = apps.get_model("donations", "Fundraiser")
    FundraiserText = apps.get_model("donations", "FundraiserText")
    rows = []
    for fundraiser in Fundraiser.objects.all().iterator():
        for language in ("en", "es"):
            texts = {name: getattr(fundraiser, f"{name}_{language}") for name in FIELDS}
            if language == "es" and not any(texts.values()):
                continue
            texts["title"] = texts["title"] or fundraiser.title_en or fundraiser.title_es
            rows.append(FundraiserText(shared_id=fundraiser.pk, language=language, **texts))
    FundraiserText.objects.bulk_create(rows, batch_size=500)


def rows_to_columns(apps, schema_editor):
    Fundraiser = apps.get_model("donations", "Fundraiser")
    FundraiserText = apps.get_model("donations", "FundraiserText")
    for text in FundraiserText.objects.filter(language__in=["en", "es"]).iterator():
        Fundraiser.objects.filter(pk=text.shared_id).update(
            **{f"{name}_{text.language}": getattr(text, name) for name in FIELDS}
        )
    FundraiserText.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("donations", "0006_fundraiser_texts")]

    operations = [
        # Going back, the next migration's columns return empty until this one's reverse fills them.
        NullableUntilRemoved("fundraiser", ["title_en", "title_es", "summary_en", "summary_es", "body_en", "body_es", "thank_you_en", "thank_you_es"]),
        migrations.RunPython(columns_to_rows, rows_to_columns),
    ]
