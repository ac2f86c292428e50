"""Articles, step 1 of 4: the row every language version shares, beside the old columns."""

import uuid

import django.db.models.deletion
from django.db import migrations, models

import convoca.core.translatable


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0002_signatureintake"),
        ("coalition", "0002_initial"),
        ("events", "0001_initial"),
        ("publishing", "0004_article_related_events"),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleShared",
            fields=[
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("id", models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False, verbose_name="translation group")),
                ("kind", models.CharField(choices=[("statement", "statement"), ("news", "news"), ("analysis", "analysis"), ("open_letter", "open letter"), ("announcement", "announcement")], default="statement", max_length=16, verbose_name="kind")),
                ("withdrawn", models.BooleanField(default=False, help_text="No version is shown, in any language, until it is published again.", verbose_name="taken off the site")),
                ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="coalition.organisation", verbose_name="organisation")),
                ("image", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="publishing.image", verbose_name="featured image")),
                ("topics", models.ManyToManyField(blank=True, related_name="+", to="publishing.topic", verbose_name="topics")),
                ("related_actions", models.ManyToManyField(blank=True, help_text="Shown beside the text, in the reader's language when there is a version.", related_name="+", to="actions.action", verbose_name="related actions")),
                ("related_events", models.ManyToManyField(blank=True, help_text="Upcoming ones are shown beside the text, in the reader's language.", related_name="+", to="events.event", verbose_name="related events")),
            ],
            options={
                "verbose_name": "article in every language",
                "verbose_name_plural": "articles in every language",
            },
        ),
        migrations.AlterField(
            model_name="article",
            name="language",
            field=convoca.core.translatable.LanguageField(max_length=8, verbose_name="language"),
        ),
        migrations.AddField(
            model_name="article",
            name="shared",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="versions", to="publishing.articleshared", verbose_name="article in every language"),
        ),
    ]
