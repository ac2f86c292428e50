"""Mailing lists, step 2 of 3: each list's {language: text} name and description become rows.

One row per language that had a name or a description; a language the
JSON did not have gets no row (the list shows it in another language, as
before). Going back rebuilds the two JSON labels from the rows.
"""

from django.db import migrations


def _text(labels, language) -> str:
    value = (labels or {}).get(language)
    return value if isinstance(value, str) else ""


def labels_to_rows(apps, schema_editor):
    MailingList = apps.get_model("mailings", "MailingList")
    MailingListText = apps.get_model("mailings", "MailingListText")
    rows = []
    for mailing_list in MailingList.objects.all().iterator():
        names, descriptions = mailing_list.name or {}, mailing_list.description or {}
        for language in dict.fromkeys([*names, *descriptions]):
            name, description = _text(names, language), _text(descriptions, language)
            if name or description:
                rows.append(
                    MailingListText(
                        shared_id=mailing_list.pk,
                        language=language,
                        name=name,
                        description=description,
                    )
                )
    MailingListText.objects.bulk_create(rows, batch_size=500)


def rows_to_labels(apps, schema_editor):
    MailingList = apps.get_model("mailings", "MailingList")
    MailingListText = apps.get_model("mailings", "MailingListText")
    labels: dict[int, tuple[dict, dict]] = {}
    for text in MailingListText.objects.order_by("shared_id", "language").iterator():
        names, descriptions = labels.setdefault(text.shared_id, ({}, {}))
        if text.name:
            names[text.language] = text.name
        if text.description:
            descriptions[text.language] = text.description
    for pk, (names, descriptions) in labels.items():
        MailingList.objects.filter(pk=pk).update(name=names, description=descriptions)
    MailingListText.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("mailings", "0004_mailinglist_texts")]

    operations = [migrations.RunPython(labels_to_rows, rows_to_labels)]
