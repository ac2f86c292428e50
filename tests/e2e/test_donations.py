"""Giving in a real browser: the fundraiser, Stripe Checkout (a local stand-in), the receipt."""

import re

import pytest
from playwright.sync_api import expect

from convoca.donations.models import Fundraiser, Payment
from convoca.donations.providers import provider_cache_clear
from convoca.donations.services import fundraiser_save
from convoca.donations.tests.stripe_standin import StripeStandIn
from convoca.organisations.models import Organisation

pytestmark = pytest.mark.e2e


@pytest.fixture
def stripe_standin(live_server, settings):
    standin = StripeStandIn(api_key="sk_test_e2e", webhook_secret="whsec_test_e2e").start()
    standin.webhook_url = f"{live_server.url}/donations/webhooks/stripe/"
    settings.STRIPE_SECRET_KEY = "sk_test_e2e"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_e2e"
    settings.STRIPE_API_BASE = standin.url
    settings.CONVOCA_CHECKOUT_ORIGINS = [standin.url]
    settings.SITE_URL = live_server.url
    settings.CONVOCA_PAGE_CACHE_SECONDS = 0
    provider_cache_clear()
    yield standin
    standin.stop()
    provider_cache_clear()


@pytest.fixture
def fundraiser(transactional_db):
    organisation = Organisation.objects.create(
        name="Solidarity Network Tucson",
        slug="snt",
        country="US",
        city="Tucson",
        status=Organisation.Status.ACTIVE,
    )
    return fundraiser_save(
        fundraiser=Fundraiser(
            slug="send-a-delegation",
            organisation=organisation,
            currency="EUR",
            goal=100_000,
            suggested_amounts=[1000, 2500, 5000],
            status=Fundraiser.Status.OPEN,
        ),
        texts={"en": {"title": "Send a delegation"}, "es": {"title": "Enviar una delegación"}},
    )


def _bar_value(page) -> int:
    return int(page.locator("progress").first.get_attribute("value"))


def test_a_visitor_gives_through_checkout_and_the_bar_moves_and_the_receipt_arrives(
    new_context, fundraiser, stripe_standin, smtp_sink
):
    page = new_context().new_page()
    page.goto("/en/donate/send-a-delegation/")
    assert _bar_value(page) == 0
    page.get_by_label("50 EUR").check()
    page.locator("input[name=given_name]").fill("Ana")
    page.locator("input[name=email]").fill("ana@example.org")
    page.get_by_label("Show my name in the list of donors").check()
    page.locator("input[name=public_name]").fill("Ana from Tucson")
    page.get_by_role("button", name="Continue to payment").click()
    # Stripe's hosted page (the stand-in): another host, where the card would be typed.
    expect(page.get_by_role("heading", name="Pay 50.00 EUR")).to_be_visible()
    assert page.url.startswith(stripe_standin.url + "/c/pay/cs_test_")
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert stripe_standin.deliveries == [("checkout.session.completed", 200)]
    page.get_by_role("link", name="Send a delegation").click()
    assert _bar_value(page) == 5000
    expect(page.get_by_text("50\u00a0EUR raised of 1,000\u00a0EUR")).to_be_visible()
    expect(page.get_by_text("Ana from Tucson")).to_be_visible()
    [message] = smtp_sink.messages
    assert message["to"] == ["ana@example.org"]
    assert "Amount: 50\u00a0EUR" in message["message"].get_content()
    assert Payment.objects.get().amount == 5000


def test_a_spanish_visitor_without_javascript_gives_monthly_and_gets_a_spanish_receipt(
    new_context, fundraiser, stripe_standin, smtp_sink
):
    page = new_context(locale="es-ES", java_script_enabled=False).new_page()
    page.goto("/es/donar/send-a-delegation/")
    page.get_by_label("Otra cantidad").fill("12,50")
    page.get_by_label("Mensual").check()
    page.locator("input[name=given_name]").fill("Bea")
    page.locator("input[name=email]").fill("bea@example.org")
    page.get_by_role("button", name="Continuar al pago").click()
    expect(page.get_by_role("heading", name="Pay 12.50 EUR per month")).to_be_visible()
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_role("heading", name="Gracias")).to_be_visible()
    monthly = re.compile(r"1 donante mensual da 12,50\u00a0EUR al mes")
    expect(page.get_by_text(monthly)).to_be_visible()
    [message] = smtp_sink.messages
    assert message["message"]["Subject"] == "Recibo de tu donación a «Enviar una delegación»"
    body = message["message"].get_content()
    assert "Para cambiar o cancelar tu donación mensual, abre este enlace:" in body
