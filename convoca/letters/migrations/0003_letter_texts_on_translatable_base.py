"""A letter's texts on the translatable base: ``LetterText.shared``, its languages the setting's.

The texts keep their rows: the foreign key is renamed (``campaign`` →
``shared``), the rows get the base's timestamps (their creation time is
unknown: now), and the language fields stop naming the languages (so a new
language is a setting, not a migration).
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import convoca.core.translatable


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0002_campaign_action_kind_shared"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="lettertext",
            name="letters_lettertext_one_per_language",
        ),
        migrations.RenameField(
            model_name="lettertext",
            old_name="campaign",
            new_name="shared",
        ),
        migrations.AlterField(
            model_name="lettertext",
            name="shared",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="versions",
                to="letters.lettercampaign",
                verbose_name="letter campaign",
            ),
        ),
        migrations.AddField(
            model_name="lettertext",
            name="created_at",
            field=models.DateTimeField(
                auto_now_add=True,
                db_index=True,
                default=django.utils.timezone.now,
                verbose_name="created",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="lettertext",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated"),
        ),
        migrations.AlterField(
            model_name="lettertext",
            name="language",
            field=convoca.core.translatable.LanguageField(max_length=8, verbose_name="language"),
        ),
        migrations.AlterField(
            model_name="letter",
            name="language",
            field=convoca.core.translatable.LanguageField(max_length=8, verbose_name="language"),
        ),
        migrations.AlterModelOptions(
            name="lettertext",
            options={
                "ordering": ["language"],
                "verbose_name": "letter text",
                "verbose_name_plural": "letter texts",
            },
        ),
        migrations.AddConstraint(
            model_name="lettertext",
            constraint=models.UniqueConstraint(
                fields=("shared", "language"),
                name="letters_lettertext_one_version_per_language",
                violation_error_message="This letter already has a text in this language.",
            ),
        ),
    ]
