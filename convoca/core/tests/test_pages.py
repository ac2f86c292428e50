import pytest
from django.test import Client

from convoca.organisations.models import Organisation


@pytest.fixture
def coalition(db):
    Organisation.objects.create(
        name="Comité de Solidaridad", slug="csi", country="MX", status=Organisation.Status.ACTIVE
    )
    Organisation.objects.create(name="Hidden Pending Group", slug="hpg", country="US")


def test_home_page_in_english_and_spanish_lists_active_organisations(client, coalition):
    english = client.get("/en/")
    spanish = client.get("/es/")
    assert '<html lang="en">' in english.text and "Mexico" in english.text
    assert '<html lang="es">' in spanish.text and "México" in spanish.text
    assert "Inicio" in spanish.text
    assert "Hidden Pending Group" not in english.text


def test_root_follows_the_browser_language(db):
    response = Client(headers={"accept-language": "es-AR,es;q=0.9"}).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/es/"


def test_language_switch_links_to_the_same_page_in_the_other_language(client, db):
    response = client.get("/en/organisations/")
    assert 'href="/es/organizaciones/" lang="es"' in response.text
    assert client.get("/es/organizaciones/").status_code == 200


def test_reading_a_page_in_spanish_makes_the_root_open_in_spanish(client, db):
    client.get("/es/")
    assert client.get("/")["Location"] == "/es/"


def test_pages_send_security_headers_and_a_strict_content_security_policy(client, db):
    response = client.get("/en/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_load_nothing_from_another_host(client, coalition, settings):
    import re

    html = client.get("/en/").text
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        # Canonical and hreflang links name this site in full, as they must.
        if url.startswith(f"{settings.SITE_URL}/"):
            continue
        assert not url.startswith(("http://", "https://", "//")), url


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/en/no-such-page/", 404),
        ("get", "/es/no-existe/", 404),
        ("get", "/en/my-data/link/%ff%fe/", 400),
        ("get", "/en/" + "a" * 5000 + "/", 404),
        ("post", "/en/my-data/", 403),  # no CSRF token
    ],
)
def test_bad_requests_get_a_clear_4xx_page_not_an_error(db, method, path, status):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert "Traceback" not in response.text


def test_posting_to_a_page_that_takes_no_form_is_405(db):
    response = Client(raise_request_exception=False).post("/en/")
    assert response.status_code == 405


def test_not_found_page_is_translated(client, db):
    response = client.get("/es/no-existe/")
    assert "Página no encontrada" in response.text


def test_expired_form_explains_what_to_do(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/es/mis-datos/", {"email": "ana@example.org"})
    assert response.status_code == 403
    assert "El formulario caducó" in response.text


def test_unknown_host_is_refused_with_400(db):
    response = Client(HTTP_HOST="evil.example", raise_request_exception=False).get("/en/")
    assert response.status_code == 400


def test_health_check_answers(client, db):
    assert client.get("/health/").text == "ok"


def test_public_pages_are_served_from_cache_with_fresh_headers(
    db, coalition, django_assert_num_queries
):
    from django.core.cache import caches

    first = Client().get("/es/")
    assert first.cookies["django_language"].value == "es"  # the language is remembered
    returning = Client()
    returning.cookies["django_language"] = "es"
    with django_assert_num_queries(0):
        again = returning.get("/es/")
    assert again.content == first.content
    assert "default-src 'self'" in again["Content-Security-Policy"]
    assert not again.cookies  # nobody receives another visitor's cookies

    Organisation.objects.create(
        name="New Friends", slug="nf", country="CL", status=Organisation.Status.ACTIVE
    )
    caches["pages"].clear()  # what expiry does after PAGE_CACHE_SECONDS
    assert "New Friends" in Client().get("/es/").text


def test_a_cached_page_is_kept_per_address_and_language(db, coalition, django_assert_num_queries):
    english, spanish = Client().get("/en/"), Client().get("/es/")
    with django_assert_num_queries(0):
        assert Client().get("/es/").content == spanish.content
        assert Client().get("/en/").content == english.content
    assert english.content != spanish.content
    # Another address, even one differing only in its query, is a page of its own.
    assert Client().get("/en/?utm=x").status_code == 200
    with django_assert_num_queries(0):
        Client().get("/en/?utm=x")


def test_an_edit_made_through_another_process_shows_here_within_a_second(
    db, coalition, monkeypatch
):
    from django.core.cache import caches

    from convoca.core import caching

    assert "New Friends" not in Client().get("/en/").text
    Organisation.objects.create(
        name="New Friends", slug="nf", country="CL", status=Organisation.Status.ACTIVE
    )
    assert "New Friends" not in Client().get("/en/").text  # still the cached page
    # What public_pages_invalidate in another process leaves in the shared cache:
    caches["default"].set(caching.GENERATION_KEY, 7, timeout=None)
    monkeypatch.setattr(caching, "GENERATION_TRUST_SECONDS", 0)  # the second has passed
    assert "New Friends" in Client().get("/en/").text


def test_a_form_sent_to_a_cached_page_reaches_its_view(db, coalition):
    Client().get("/en/")
    assert Client().post("/en/").status_code == 405  # the home page takes no POST


def test_proof_of_work_challenges_are_fresh_for_every_visitor(client, db):
    first = client.get("/pow/challenge/?scope=sign")
    second = client.get("/pow/challenge/?scope=sign")
    assert first.status_code == 200
    assert first.json()["challenge"] != second.json()["challenge"]
    assert "no-cache" in first["Cache-Control"] or "max-age=0" in first["Cache-Control"]
    assert client.get("/pow/challenge/?scope=nope").status_code == 400


def test_strings_django_leaves_in_english_are_spanish_too(db):
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("es"):
        assert gettext("Logout") == "Cerrar sesión"
        assert gettext("- Select an option -") == "- Elige una opción -"
        assert gettext("Search %(name)s") == "Buscar %(name)s"
        assert gettext("Home") == "Inicio"  # our own catalog still wins where it has a string
