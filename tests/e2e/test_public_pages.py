"""What a visitor sees on the public pages, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from convoca.organisations.models import Organisation

pytestmark = pytest.mark.e2e


@pytest.fixture
def organisations(transactional_db):
    return [
        Organisation.objects.create(
            name="Comité de Solidaridad",
            slug="csi",
            country="MX",
            status=Organisation.Status.ACTIVE,
        ),
        Organisation.objects.create(
            name="Solidarity Network Tucson",
            slug="snt",
            country="US",
            status=Organisation.Status.ACTIVE,
        ),
    ]


def test_the_home_page_speaks_english_under_en(page, organisations):
    response = page.goto("/en/")

    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(
        ["Home", "News", "Take action", "Events", "Donate", "Organisations", "Subscribe"]
    )
    expect(page.get_by_text("Skip to content")).to_be_attached()
    cards = page.locator(".cards li")
    expect(cards.filter(has_text="Comité de Solidaridad")).to_contain_text("Mexico")
    expect(cards.filter(has_text="Solidarity Network Tucson")).to_contain_text("United States")
    expect(page.get_by_text("México")).to_have_count(0)


def test_the_home_page_speaks_spanish_under_es(page, organisations):
    response = page.goto("/es/")

    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("navigation").first.get_by_role("link")).to_have_text(
        ["Inicio", "Noticias", "Actúa", "Eventos", "Donar", "Organizaciones", "Suscribirme"]
    )
    expect(page.get_by_role("heading", name="La coalición")).to_be_visible()
    expect(page.get_by_role("link", name="Todas las organizaciones")).to_be_visible()
    expect(page.locator(".cards li").filter(has_text="Comité de Solidaridad")).to_contain_text(
        "México"
    )
    expect(page.get_by_text("Mexico", exact=False)).to_have_count(0)


def test_the_stylesheet_loads(page):
    responses = []
    page.on("response", lambda response: responses.append(response))

    page.goto("/en/")

    stylesheets = [r for r in responses if r.request.resource_type == "stylesheet"]
    assert [(r.status, "/static/core/" in r.url) for r in stylesheets] == [(200, True)]
    # The rules really apply: the skip link stays out of sight until focused.
    expect(page.get_by_role("link", name="Skip to content")).not_to_be_in_viewport()


def test_the_language_switch_takes_the_reader_to_spanish_and_is_remembered(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/en/$"))

    page.get_by_role("link", name="Español").click()

    expect(page).to_have_url(re.compile(r"/es/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(".site-header nav").get_by_role("link").first).to_have_text("Inicio")
    expect(page.get_by_role("link", name="English")).to_be_visible()

    response = page.goto("/")

    assert response.request.redirected_from is not None
    expect(page).to_have_url(re.compile(r"/es/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")


def test_no_request_leaves_the_host(page, live_server, organisations):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/en/")
    page.get_by_role("link", name="All organisations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations")
    page.wait_for_load_state("networkidle")

    assert any("/static/" in url for url in requested)
    assert any("/organisations/" in url for url in requested)
    elsewhere = [url for url in requested if not url.startswith(f"{live_server.url}/")]
    assert elsewhere == []


def test_the_first_tab_focuses_the_skip_link(page):
    page.goto("/en/")

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    skip.press("Enter")
    expect(page).to_have_url(re.compile(r"/en/#main$"))


def test_the_home_page_has_a_strict_content_security_policy_and_breaks_none_of_it(page):
    console = []
    page.on("console", lambda message: console.append((message.type, message.text)))
    page.on("pageerror", lambda error: console.append(("pageerror", str(error))))
    # Init scripts are not subject to the page's policy, so this listener sees
    # every violation the page itself causes.
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )

    response = page.goto("/en/")
    page.wait_for_load_state("networkidle")

    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert page.evaluate("window.__violations") == []
    csp_messages = [text for kind, text in console if "content security policy" in text.casefold()]
    assert csp_messages == []
    assert [text for kind, text in console if kind in {"error", "pageerror"}] == []
