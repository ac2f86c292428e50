"""The migrations that give an article's versions one shared row carry every row over."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from convoca.organisations.models import Organisation as CurrentOrganisation
from convoca.publishing.models import Article, ArticleShared
from convoca.publishing.selectors import article_search
from convoca.publishing.services import article_create

BEFORE = [("publishing", "0004_article_related_events")]


def _old_article(old, organisation, key, language, slug, **fields):
    return old.get_model("publishing", "Article").objects.create(
        translation_key=key,
        language=language,
        title=f"Title {slug}",
        slug=slug,
        body=f"Body in {language} about solidarity",
        organisation=organisation,
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_two_language_articles_become_one_shared_row_keeping_each_versions_publication(migrate_to):
    try:
        old = migrate_to(BEFORE)
        Organisation = old.get_model("coalition", "Organisation")
        owner = Organisation.objects.create(name="Owner", slug="owner", country="US")
        other = Organisation.objects.create(name="Other", slug="other", country="CU")
        Topic = old.get_model("publishing", "Topic")
        peace = Topic.objects.create(slug="peace", name={"en": "Peace"})
        sanctions = Topic.objects.create(slug="sanctions", name={"en": "Sanctions"})
        photo = old.get_model("publishing", "Image").objects.create(
            id=uuid.uuid4(), organisation=owner, title="March"
        )
        now = timezone.now()
        statement, letter = uuid.uuid4(), uuid.uuid4()
        english = _old_article(
            old, owner, statement, "en", "end", kind="statement", status="published",
            published_at=now - timedelta(days=2),
        )  # fmt: skip
        spanish = _old_article(
            old, owner, statement, "es", "fin", kind="statement", status="draft",
            image=photo, image_alt="Manifestantes",
        )  # fmt: skip
        english.topics.add(peace)
        spanish.topics.add(sanctions)
        # The Spanish version was changed last: its kind is the organiser's latest word.
        old.get_model("publishing", "Article").objects.filter(pk=spanish.pk).update(
            kind="news", updated_at=now + timedelta(minutes=1)
        )
        only = _old_article(
            old, other, letter, "es", "carta", kind="open_letter", status="published",
            published_at=now - timedelta(days=1),
        )  # fmt: skip

        migrate_to(None)

        assert ArticleShared.objects.count() == 2
        shared = ArticleShared.objects.get(pk=statement)
        assert (shared.kind, shared.organisation_id, shared.image_id) == (
            "news",
            owner.pk,
            photo.pk,
        )
        assert not shared.withdrawn
        assert set(shared.topics.values_list("slug", flat=True)) == {"peace", "sanctions"}
        versions = {v.language: v for v in Article.objects.filter(shared=shared)}
        assert {v.pk for v in versions.values()} == {english.pk, spanish.pk}
        assert (versions["en"].slug, versions["es"].slug) == ("end", "fin")
        # Each version keeps its own publication: English public, the Spanish draft not.
        assert (versions["en"].status, versions["es"].status) == ("published", "draft")
        assert versions["en"].is_public and not versions["es"].is_public
        assert versions["es"].image_alt == "Manifestantes"
        letter_version = Article.objects.get(pk=only.pk)
        assert letter_version.translation_key == letter
        assert (letter_version.kind, letter_version.organisation.pk) == ("open_letter", other.pk)
        # The search index still has the old rows and takes new ones.
        assert {a.pk for a in article_search(query="solidarity")} == {english.pk, only.pk}
        new = article_create(
            language="en", title="Fresh", slug="fresh", body="Peacebuilding now",
            organisation=CurrentOrganisation.objects.get(pk=owner.pk),
            status="published", published_at=now - timedelta(hours=1),
        )  # fmt: skip
        assert [a.pk for a in article_search(query="peacebuilding")] == [new.pk]
    finally:
        migrate_to(None)
