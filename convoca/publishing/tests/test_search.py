import pytest
from django.db import connection

from convoca.publishing.models import Article
from convoca.publishing.selectors import article_search


@pytest.fixture
def texts(make_article):
    return {
        "sanctions": make_article(
            slug="sanctions",
            title="End the sanctions on Venezuela",
            standfirst="A joint statement on the human cost of the blockade.",
            body="Hospitals lack spare parts because of unilateral sanctions.",
        ),
        "week": make_article(
            slug="week-of-action",
            kind=Article.Kind.NEWS,
            title="A week of action in forty cities",
            body="Rallies from Tucson to Madrid called for dialogue.",
        ),
        "sanciones": make_article(
            language="es",
            slug="sanciones",
            title="Fin a las sanciones contra Venezuela",
            standfirst="Declaración conjunta sobre el costo humano del bloqueo.",
            body="Los hospitales no tienen repuestos por las sanciones unilaterales.",
        ),
        "draft": make_article(
            slug="draft-sanctions",
            title="Sanctions draft",
            status=Article.Status.DRAFT,
            published_at=None,
        ),
    }


def test_search_finds_texts_in_both_languages(texts):
    found = article_search(query="Venezuela")
    assert {a.slug for a in found} == {"sanctions", "sanciones"}


def test_search_in_one_language_finds_only_that_language(texts):
    assert [a.slug for a in article_search(query="Venezuela", language="es")] == ["sanciones"]


def test_a_title_match_ranks_before_a_match_in_the_text(make_article, texts):
    make_article(slug="dialogue", title="Dialogue, not threats", body="Talks between governments.")
    found = article_search(query="dialogue", language="en")
    assert [a.slug for a in found] == ["dialogue", "week-of-action"]


def test_drafts_are_never_found(texts):
    assert "draft-sanctions" not in {a.slug for a in article_search(query="sanctions")}


def test_search_ignores_accents_and_case(texts):
    assert "sanciones" in {a.slug for a in article_search(query="DECLARACION", language="es")}


def test_words_a_visitor_types_are_not_search_syntax(texts):
    for query in ['"', "NEAR(", "sanctions OR", "*", "title:x", "'; DROP TABLE x; --", ""]:
        article_search(query=query)  # no error


def test_an_edited_article_is_found_by_its_new_words(texts):
    article = texts["week"]
    article.title = "Caravan reaches the border"
    article.save()
    assert [a.slug for a in article_search(query="caravan")] == ["week-of-action"]
    assert "week-of-action" not in {a.slug for a in article_search(query="forty")}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
def test_the_sqlite_search_index_is_kept_by_triggers_after_every_migration(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name = 'publishing_article'"
        )
        triggers = {row[0] for row in cursor.fetchall()}
    assert triggers == {
        "publishing_article_fts_insert",
        "publishing_article_fts_update",
        "publishing_article_fts_delete",
    }


def test_the_search_page_lists_results_with_their_language(client, texts):
    page = client.get("/en/search/", {"q": "Venezuela", "language": "all"}).text
    assert 'href="/en/articles/sanctions/"' in page
    assert 'href="/es/articulos/sanciones/"' in page
    only_spanish = client.get("/en/search/", {"q": "sanciones", "language": "es"}).text
    assert 'href="/en/articles/sanctions/"' not in only_spanish
    assert "2 results" in client.get("/en/search/", {"q": "Venezuela"}).text


def test_search_results_mark_texts_in_another_language(client, texts):
    html = client.get("/en/search/?q=Venezuela&language=all").text

    spanish = html[html.index("Fin a las sanciones contra Venezuela") - 200 :]
    spanish = spanish[: spanish.index("</h3>")]
    assert 'href="/es/articulos/sanciones/" hreflang="es"' in spanish
    assert '<span class="lang-note" lang="es">(en español)</span>' in spanish
    english = html[html.index("End the sanctions on Venezuela") - 200 :]
    assert "lang-note" not in english[: english.index("</h3>")]
