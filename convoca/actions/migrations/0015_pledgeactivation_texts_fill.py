"""Pledge activations, step 2 of 3: the English and Spanish columns become a message row each.

A language whose subject and message were both empty gets no row (the
form required both, so every activation has two). Going back fills the
columns from the English and Spanish rows; a message in another language
has no column to go to.
"""

from django.db import migrations

LANGUAGES = ("en", "es")


def columns_to_rows(apps, schema_editor):
    PledgeActivation = apps.get_model("actions", "PledgeActivation")
    PledgeActivationText = apps.get_model("actions", "PledgeActivationText")
    rows = []
    for activation in PledgeActivation.objects.all().iterator():
        for language in LANGUAGES:
            subject = getattr(activation, f"subject_{language}")
            body = getattr(activation, f"body_{language}")
            if subject or body:
                rows.append(
                    PledgeActivationText(
                        shared_id=activation.pk, language=language, subject=subject, body=body
                    )
                )
    PledgeActivationText.objects.bulk_create(rows, batch_size=500)


def rows_to_columns(apps, schema_editor):
    PledgeActivation = apps.get_model("actions", "PledgeActivation")
    PledgeActivationText = apps.get_model("actions", "PledgeActivationText")
    for text in PledgeActivationText.objects.filter(language__in=LANGUAGES).iterator():
        PledgeActivation.objects.filter(pk=text.shared_id).update(
            **{f"subject_{text.language}": text.subject, f"body_{text.language}": text.body}
        )
    PledgeActivationText.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("actions", "0014_pledgeactivation_texts")]

    operations = [migrations.RunPython(columns_to_rows, rows_to_columns)]
