"""Articles, step 2 of 4: each translation group's versions become one shared row.

The shared row takes the group's translation key as its id. Where the
versions disagreed on what is now shared (kind, organisation, photo), the
version changed last wins: it is the organiser's latest word. Topics and
related pages are those of any version, so none is lost. Each version keeps
its own publication state and time; nothing was taken off the site.
"""

from collections import defaultdict

from django.db import migrations

from convoca.core.translatable_migrations import NullableUntilRemoved

SHARED = ("kind", "organisation_id", "image_id")
MANY = ("topics", "related_actions", "related_events")


def versions_share_one_row(apps, schema_editor):
    Article = apps.get_model("publishing", "Article")
    ArticleShared = apps.get_model("publishing", "ArticleShared")
    groups = defaultdict(list)
    for article in Article.objects.order_by("-updated_at", "-pk").prefetch_related(*MANY):
        groups[article.translation_key].append(article)
    for key, versions in groups.items():
        latest = versions[0]
        shared = ArticleShared.objects.create(
            id=key, **{name: getattr(latest, name) for name in SHARED}
        )
        ArticleShared.objects.filter(pk=key).update(
            created_at=min(version.created_at for version in versions),
            updated_at=latest.updated_at,
        )
        for name in MANY:
            getattr(shared, name).set(
                {row.pk for version in versions for row in getattr(version, name).all()}
            )
        Article.objects.filter(translation_key=key).update(shared_id=key)


def shared_row_back_to_versions(apps, schema_editor):
    Article = apps.get_model("publishing", "Article")
    ArticleShared = apps.get_model("publishing", "ArticleShared")
    for shared in ArticleShared.objects.prefetch_related(*MANY):
        versions = Article.objects.filter(shared_id=shared.pk)
        if shared.withdrawn:
            versions.update(status="draft")
        versions.update(
            translation_key=shared.pk, kind=shared.kind, organisation_id=shared.organisation_id
        )
        # The old rule: a version shows the photo only with its description.
        versions.exclude(image_alt="").update(image_id=shared.image_id)
        for version in versions:
            for name in MANY:
                getattr(version, name).set([row.pk for row in getattr(shared, name).all()])
    Article.objects.update(shared_id=None)
    ArticleShared.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("publishing", "0005_article_shared")]

    operations = [
        # Going back, the next migration's columns return empty until this one's reverse fills them.
        NullableUntilRemoved("article", ["organisation", "translation_key"]),
        migrations.RunPython(versions_share_one_row, shared_row_back_to_versions),
    ]
