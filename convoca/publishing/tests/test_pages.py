"""Archives, topics, feeds, the sitemap, sharing metadata and cached pages."""

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from convoca.actions.models import Action
from convoca.actions.services import action_create
from convoca.publishing.models import Article, PressCoverage, Topic
from convoca.publishing.services import article_publish, press_coverage_create, topic_save

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _xml(response):
    return ET.fromstring(response.content)  # noqa: S314 (our own feed)


@pytest.fixture
def sanctions(db):
    return topic_save(
        topic=Topic(
            slug="sanctions",
            name={"en": "Sanctions", "es": "Sanciones"},
            description={"en": "Their human cost.", "es": "Su costo humano."},
        )
    )


@pytest.fixture
def bilingual(make_article, sanctions):
    key = uuid.uuid4()
    english = make_article(
        translation_key=key,
        slug="end-the-sanctions",
        title="End the sanctions",
        standfirst="A joint statement.",
        topics=[sanctions],
        published_at=datetime(2026, 10, 14, 12, tzinfo=UTC),
    )
    spanish = make_article(
        translation_key=key,
        language="es",
        slug="fin-a-las-sanciones",
        title="Fin a las sanciones",
        standfirst="Una declaración conjunta.",
        topics=[sanctions],
        published_at=datetime(2026, 10, 14, 12, tzinfo=UTC),
    )
    return english, spanish


def test_an_article_names_its_canonical_address_and_its_language_versions(client, bilingual):
    html = client.get("/en/articles/end-the-sanctions/").text
    site = "http://127.0.0.1:8000"
    assert f'<link rel="canonical" href="{site}/en/articles/end-the-sanctions/">' in html
    assert (
        f'<link rel="alternate" hreflang="es" href="{site}/es/articulos/fin-a-las-sanciones/">'
        in html
    )
    assert (
        f'<link rel="alternate" hreflang="en" href="{site}/en/articles/end-the-sanctions/">' in html
    )
    assert f'hreflang="x-default" href="{site}/en/articles/end-the-sanctions/"' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="End the sanctions">' in html
    assert '<meta property="og:description" content="A joint statement.">' in html
    assert '<meta property="og:locale:alternate" content="es_ES">' in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_an_article_without_a_translation_has_no_hreflang_links(client, make_article):
    make_article(slug="only-english", title="Only English")
    html = client.get("/en/articles/only-english/").text
    assert "hreflang=" not in html.split("</head>")[0].replace('hreflang="es" href="/es/"', "")


def test_the_topic_page_lists_its_articles_in_the_readers_language(client, bilingual, make_article):
    make_article(slug="unrelated", title="Unrelated news")
    english = client.get("/en/topics/sanctions/").text
    assert "<h1>Sanctions</h1>" in english
    assert "End the sanctions" in english
    assert "Unrelated news" not in english
    spanish = client.get("/es/temas/sanctions/").text
    assert "<h1>Sanciones</h1>" in spanish
    assert "Fin a las sanciones" in spanish
    assert "End the sanctions" not in spanish
    assert 'href="/en/topics/sanctions/"' in client.get("/en/articles/end-the-sanctions/").text


def test_the_archive_groups_articles_by_month(client, bilingual, make_article):
    make_article(
        slug="november", title="November news", published_at=datetime(2026, 11, 3, tzinfo=UTC)
    )
    index = client.get("/en/articles/").text
    assert 'href="/en/articles/2026/10/"' in index
    assert 'href="/en/articles/2026/11/"' in index
    october = client.get("/en/articles/2026/10/").text
    assert "End the sanctions" in october
    assert "November news" not in october
    assert client.get("/en/articles/2025/01/").status_code == 404
    assert client.get("/en/articles/2026/13/").status_code == 404


def test_the_article_feed_is_atom_in_the_readers_language(client, bilingual):
    english = _xml(client.get("/en/articles/feed/"))
    assert english.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    entries = english.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["End the sanctions"]
    assert (
        entries[0].find(f"{ATOM}link").get("href")
        == "http://testserver/en/articles/end-the-sanctions/"
    )
    assert entries[0].find(f"{ATOM}summary").text == "A joint statement."
    spanish = _xml(client.get("/es/articulos/feed/"))
    assert [e.find(f"{ATOM}title").text for e in spanish.findall(f"{ATOM}entry")] == [
        "Fin a las sanciones"
    ]


def test_each_topic_has_its_own_feed(client, bilingual, make_article):
    make_article(slug="unrelated", title="Unrelated news")
    feed = _xml(client.get("/en/topics/sanctions/feed/"))
    assert [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")] == [
        "End the sanctions"
    ]
    assert client.get("/en/topics/nothing/feed/").status_code == 404


def test_the_sitemap_lists_both_versions_of_an_article_with_their_links(client, bilingual):
    sitemap = _xml(client.get("/sitemap.xml"))
    urls = {u.find(f"{SITEMAP}loc").text: u for u in sitemap.findall(f"{SITEMAP}url")}
    english = "http://127.0.0.1:8000/en/articles/end-the-sanctions/"
    assert english in urls
    assert "http://127.0.0.1:8000/es/articulos/fin-a-las-sanciones/" in urls
    links = {
        link.get("hreflang"): link.get("href")
        for link in urls[english].findall("{http://www.w3.org/1999/xhtml}link")
    }
    assert links == {"en": english, "es": "http://127.0.0.1:8000/es/articulos/fin-a-las-sanciones/"}
    assert "http://127.0.0.1:8000/es/temas/sanctions/" in urls


def test_a_scheduled_article_appears_once_its_time_has_come(client, make_article):
    article = make_article(
        slug="tomorrow", title="Tomorrow", published_at=timezone.now() + timedelta(days=1)
    )
    assert client.get("/en/articles/tomorrow/").status_code == 404
    assert "Tomorrow" not in client.get("/en/articles/feed/").text
    article.published_at = timezone.now() - timedelta(seconds=1)
    article.save()
    assert client.get("/en/articles/tomorrow/").status_code == 200


def test_a_cached_page_shows_a_change_at_once(
    client, settings, make_article, django_capture_on_commit_callbacks
):
    settings.CONVOCA_PAGE_CACHE_SECONDS = 60
    make_article(slug="first", title="First statement")
    assert "First statement" in client.get("/en/").text
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_article(
            slug="second", title="Second statement", status=Article.Status.DRAFT, published_at=None
        )
    assert "Second statement" not in client.get("/en/").text
    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=draft)
    assert "Second statement" in client.get("/en/").text


def test_related_actions_are_shown_beside_the_text_in_its_language(
    client, organisation, make_article
):
    english = action_create(
        language="en",
        title="Sign the appeal",
        slug="appeal",
        organisation=organisation,
        status=Action.Status.OPEN,
    )
    action_create(
        translation_of=english,
        language="es",
        title="Firma el llamamiento",
        slug="llamamiento",
    )
    article = make_article(language="es", slug="noticia", title="Noticia")
    article.related_actions.set([english])
    html = client.get("/es/articulos/noticia/").text
    assert "Firma el llamamiento" in html
    assert "Sign the appeal" not in html


def test_in_the_media_groups_coverage_by_campaign_and_country(client, organisation):
    appeal = action_create(
        language="en",
        title="Lift the sanctions",
        slug="lift",
        organisation=organisation,
        status=Action.Status.OPEN,
    )
    common = {"organisation": organisation, "language": "en"}
    press_coverage_create(
        outlet="La Jornada",
        medium=PressCoverage.Medium.NEWSPAPER,
        country="MX",
        date=date(2026, 11, 20),
        headline="Full page on the appeal",
        action=appeal,
        **common,
    )
    press_coverage_create(
        outlet="Radio Sur",
        medium=PressCoverage.Medium.RADIO,
        country="AR",
        date=date(2026, 11, 18),
        headline="Interview with the coordinators",
        action=appeal,
        **common,
    )
    press_coverage_create(
        outlet="Wire Agency",
        medium=PressCoverage.Medium.AGENCY,
        country="",
        date=date(2026, 11, 19),
        headline="Week of action",
        campaign="Week of action",
        **common,
    )
    press_coverage_create(
        outlet="Hidden",
        medium=PressCoverage.Medium.WEB,
        date=date(2026, 11, 19),
        headline="Not for the public",
        public=False,
        **common,
    )
    html = client.get("/en/in-the-media/").text
    assert 'href="/en/actions/lift/">Lift the sanctions</a> <span class="muted">(2)</span>' in html
    assert html.index("Argentina") < html.index("Interview") < html.index("Mexico")
    assert "Week of action" in html and "International" in html
    assert "Not for the public" not in html
    assert "<strong>3</strong>" in client.get("/en/").text


def test_drafts_and_scheduled_texts_are_not_in_the_sitemap(client, make_article):
    make_article(slug="draft", status=Article.Status.DRAFT, published_at=None)
    make_article(slug="later", published_at=timezone.now() + timedelta(days=1))
    make_article(slug="public")
    sitemap = client.get("/sitemap.xml").text
    assert "/en/articles/public/" in sitemap
    assert "/en/articles/draft/" not in sitemap
    assert "/en/articles/later/" not in sitemap


def test_the_home_page_names_its_version_in_each_language(client, db):
    html = client.get("/es/").text
    site = "http://127.0.0.1:8000"
    assert f'<link rel="canonical" href="{site}/es/">' in html
    assert f'<link rel="alternate" hreflang="en" href="{site}/en/">' in html
    assert f'<link rel="alternate" hreflang="x-default" href="{site}/en/">' in html
    assert '<meta property="og:locale" content="es_ES">' in html
