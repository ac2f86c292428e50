"""Articles, step 3 of 4: a version keeps its texts and publication; the rest is its shared row's."""

import django.db.models.deletion
from django.db import migrations, models

from convoca.publishing.migrations import _search_triggers


class Migration(migrations.Migration):
    dependencies = [("publishing", "0006_article_shared_fill")]

    operations = [
        # Undone last: the rebuilt table gets its full-text triggers back (see 0008).
        migrations.RunPython(migrations.RunPython.noop, _search_triggers.create, elidable=False),
        migrations.RemoveConstraint(
            model_name="article",
            name="publishing_article_one_version_per_language",
        ),
        migrations.RemoveConstraint(
            model_name="article",
            name="publishing_article_image_has_description",
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.UniqueConstraint(fields=("shared", "language"), name="publishing_article_one_version_per_language", violation_error_message="This text already has a version in this language."),
        ),
        migrations.RemoveField(model_name="article", name="kind"),
        migrations.RemoveField(model_name="article", name="organisation"),
        migrations.RemoveField(model_name="article", name="image"),
        migrations.RemoveField(model_name="article", name="topics"),
        migrations.RemoveField(model_name="article", name="related_actions"),
        migrations.RemoveField(model_name="article", name="related_events"),
        migrations.RemoveField(model_name="article", name="translation_key"),
        migrations.AlterField(
            model_name="article",
            name="shared",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="versions", to="publishing.articleshared", verbose_name="article in every language"),
        ),
        migrations.AlterField(
            model_name="articleshared",
            name="organisation",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="articles", to="coalition.organisation", verbose_name="organisation"),
        ),
        migrations.AlterField(
            model_name="articleshared",
            name="image",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="articles", to="publishing.image", verbose_name="featured image"),
        ),
        migrations.AlterField(
            model_name="articleshared",
            name="topics",
            field=models.ManyToManyField(blank=True, related_name="articles", to="publishing.topic", verbose_name="topics"),
        ),
        migrations.AlterField(
            model_name="articleshared",
            name="related_actions",
            field=models.ManyToManyField(blank=True, help_text="Shown beside the text, in the reader's language when there is a version.", related_name="related_articles", to="actions.action", verbose_name="related actions"),
        ),
        migrations.AlterField(
            model_name="articleshared",
            name="related_events",
            field=models.ManyToManyField(blank=True, help_text="Upcoming ones are shown beside the text, in the reader's language.", related_name="related_articles", to="events.event", verbose_name="related events"),
        ),
    ]
