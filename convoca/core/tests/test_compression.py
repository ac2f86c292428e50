"""Pages are gzipped when they hold no secret; robots.txt."""

import gzip

import pytest
from django.test import Client

from convoca.organisations.models import Organisation


@pytest.fixture
def coalition(db):
    for number in range(30):  # enough text for compression to matter
        Organisation.objects.create(
            name=f"Solidarity Group {number}",
            slug=f"group-{number}",
            country="MX",
            status=Organisation.Status.ACTIVE,
        )


def test_a_public_page_is_gzipped_for_a_browser_that_reads_gzip(coalition):
    plain = Client().get("/en/organisations/")
    assert "Content-Encoding" not in plain
    assert "Accept-Encoding" in plain["Vary"]

    compressed = Client().get("/en/organisations/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert int(compressed["Content-Length"]) == len(compressed.content)
    assert len(compressed.content) < len(plain.content) / 2
    assert gzip.decompress(compressed.content) == plain.content


def test_a_cached_page_is_kept_compressed_and_served_to_each_reader_as_it_asks(
    coalition, django_assert_num_queries
):
    first = Client().get("/en/organisations/", HTTP_ACCEPT_ENCODING="gzip")
    identity = Client().get("/en/organisations/", HTTP_ACCEPT_ENCODING="gzip;q=0")
    with django_assert_num_queries(0):
        again = Client().get("/en/organisations/", HTTP_ACCEPT_ENCODING="gzip")
        assert Client().get("/en/organisations/").content == identity.content
    assert again["Content-Encoding"] == "gzip"
    assert again.content == first.content
    assert "Content-Encoding" not in identity
    assert identity.content == gzip.decompress(first.content)


def test_a_page_with_a_csrf_token_is_never_compressed(db):
    response = Client().get("/en/contact/", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert "Content-Encoding" not in response


def test_a_personal_page_is_never_compressed(db):
    # A personal link's page is never_cache: it shows one person's own data.
    response = Client().get("/en/confirm/not-a-real-token/", HTTP_ACCEPT_ENCODING="gzip")

    assert "no-store" in response["Cache-Control"]
    assert "Content-Encoding" not in response


def test_an_organisers_admin_page_is_never_compressed(admin_client):
    response = admin_client.get("/admin/", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert "Content-Encoding" not in response


def test_robots_txt_allows_public_pages_and_keeps_crawlers_off_admin_and_personal_links(db):
    response = Client().get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    for private in (
        "/admin/",
        "/en/confirm/",
        "/es/confirmar/",
        "/en/my-data/link/",
        "/en/lists/unsubscribe/",
        "/en/events/registration/",
    ):
        assert f"Disallow: {private}" in lines
    assert not any(line in ("Disallow: /", "Disallow: /en/", "Disallow: /es/") for line in lines)
    assert "Sitemap: http://testserver/sitemap.xml" in lines
