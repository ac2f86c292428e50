import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from convoca.publishing.models import Article
from convoca.publishing.services import article_create


@pytest.fixture
def statement(organisation):
    key = uuid.uuid4()
    published = timezone.now() - timedelta(hours=1)
    common = {
        "translation_key": key,
        "organisation": organisation,
        "status": Article.Status.PUBLISHED,
        "published_at": published,
    }
    english = article_create(
        language="en",
        title="End the sanctions",
        slug="end-the-sanctions",
        standfirst="A joint statement.",
        body="We call for **peace**.",
        **common,
    )
    spanish = article_create(
        language="es",
        title="Fin a las sanciones",
        slug="fin-a-las-sanciones",
        standfirst="Una declaración conjunta.",
        body="Pedimos **paz**.",
        **common,
    )
    return english, spanish


def test_statement_links_to_its_other_language_version(client, statement):
    page = client.get("/en/articles/end-the-sanctions/")
    assert page.status_code == 200
    assert "<strong>peace</strong>" in page.text
    assert 'href="/es/articulos/fin-a-las-sanciones/"' in page.text
    assert "Leer en español" in page.text
    back = client.get("/es/articulos/fin-a-las-sanciones/")
    assert "Read in English" in back.text
    assert 'href="/en/articles/end-the-sanctions/"' in back.text


def test_home_page_lists_the_latest_statement_in_the_readers_language(client, statement):
    assert "End the sanctions" in client.get("/en/").text
    spanish_home = client.get("/es/").text
    assert "Fin a las sanciones" in spanish_home
    assert "End the sanctions" not in spanish_home


@pytest.mark.parametrize(
    ("status", "delay"),
    [(Article.Status.DRAFT, timedelta(hours=-1)), (Article.Status.PUBLISHED, timedelta(days=1))],
)
def test_drafts_and_scheduled_articles_are_not_public(client, organisation, status, delay):
    article_create(
        language="en",
        title="Not yet",
        slug="not-yet",
        body="Soon.",
        organisation=organisation,
        status=status,
        published_at=timezone.now() + delay,
    )
    assert client.get("/en/articles/not-yet/").status_code == 404
    assert "Not yet" not in client.get("/en/").text


def test_markdown_from_an_organiser_cannot_inject_scripts(client, organisation):
    article_create(
        language="en",
        title="Tricky",
        slug="tricky",
        organisation=organisation,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
        body="Hello <script>alert(1)</script> [x](javascript:alert(1)) "
        '<img src=x onerror="alert(1)">',
    )
    html = client.get("/en/articles/tricky/").text
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "onerror" not in html


def test_organiser_edits_only_their_organisations_articles(
    client, organiser, statement, other_organisation
):
    theirs = article_create(
        language="en",
        title="Other group's news",
        slug="other",
        body="x",
        organisation=other_organisation,
    )
    client.force_login(organiser)
    listing = client.get(reverse("admin:publishing_article_changelist"))
    assert "End the sanctions" in listing.text
    assert "Other group" not in listing.text
    url = reverse("admin:publishing_article_change", args=[theirs.pk])
    assert client.get(url).status_code == 404


def test_linking_a_translation_in_the_admin_joins_the_two_versions(
    client, coordinator, organisation
):
    original = article_create(
        language="en", title="Appeal", slug="appeal", body="x", organisation=organisation
    )
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:publishing_article_add"),
        {
            "kind": "statement",
            "language": "es",
            "translation_of": original.pk,
            "title": "Llamamiento",
            "slug": "llamamiento",
            "standfirst": "",
            "body": "x",
            "organisation": organisation.pk,
            "byline": "",
            "dateline": "",
            "status": "draft",
            "published_at_0": "",
            "published_at_1": "",
        },
    )
    assert response.status_code == 302
    assert Article.objects.get(slug="llamamiento").translation_key == original.translation_key


def test_joining_a_text_that_already_has_this_language_is_refused_with_a_message(
    client, coordinator, statement, organisation
):
    english, _spanish = statement
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:publishing_article_add"),
        {
            "kind": "statement",
            "language": "es",
            "translation_of": english.pk,
            "title": "Otra versión",
            "slug": "otra-version",
            "standfirst": "",
            "body": "x",
            "organisation": organisation.pk,
            "byline": "",
            "dateline": "",
            "status": "draft",
            "published_at_0": "",
            "published_at_1": "",
        },
    )
    assert response.status_code == 200
    assert "That text already has a version in this language." in response.text
    assert not Article.objects.filter(slug="otra-version").exists()


def test_an_organiser_is_offered_only_their_own_texts_to_translate(
    client, organiser, statement, other_organisation
):
    article_create(
        language="en",
        title="Another group's draft",
        slug="theirs",
        body="x",
        organisation=other_organisation,
    )
    client.force_login(organiser)
    page = client.get(reverse("admin:publishing_article_add")).text
    assert "End the sanctions" in page
    assert "Another group" not in page
