"""Signing an action in a real browser, in both languages, with the proof of work solved."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from convoca.actions.models import Action, Signature
from convoca.actions.services import action_create
from convoca.organisations.models import Organisation

pytestmark = pytest.mark.e2e


@pytest.fixture
def appeal(transactional_db):
    organisation = Organisation.objects.create(
        name="Solidarity Network Tucson",
        slug="snt",
        country="US",
        status=Organisation.Status.ACTIVE,
    )
    english = action_create(
        language="en",
        title="Let medicine through",
        slug="let-medicine-through",
        organisation=organisation,
        status=Action.Status.OPEN,
        goal=100,
        ask_organisation="optional",
    )
    action_create(
        language="es",
        title="Que pasen las medicinas",
        slug="que-pasen-las-medicinas",
        translation_of=english,
    )
    return english


def _sign(page, *, path, given_name, email, country, button):
    if path:
        page.goto(path)
    page.locator("input[name=given_name]").fill(given_name)
    page.locator("input[name=email]").fill(email)
    page.locator("select[name=country]").select_option(country)
    page.get_by_role("button", name=button).click()


def _confirm(page, email, button):
    [message] = [m for m in mail.outbox if m.to == [email]]
    path = re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)
    page.goto(path)
    page.get_by_role("button", name=button).click()


def test_signing_in_english_and_spanish_with_confirmation_moves_the_count(
    new_context, appeal, settings
):
    settings.CONVOCA_RATE_LIMITS = {
        "sign": {"per_client": (100, 3600), "per_email": (5, 3600)},
        "sign-without-pow": {"per_client": (0, 3600), "per_email": (0, 3600)},
    }
    page = new_context().new_page()
    _sign(
        page,
        path="/en/actions/let-medicine-through/",
        given_name="Ana",
        email="ana@example.org",
        country="MX",
        button="Sign",
    )
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    _confirm(page, "ana@example.org", "Confirm my signature")
    expect(page.get_by_text("1 signature so far.")).to_be_visible()

    spanish = new_context(locale="es-ES").new_page()
    _sign(
        spanish,
        path="/es/acciones/que-pasen-las-medicinas/",
        given_name="Bea",
        email="bea@example.org",
        country="AR",
        button="Firmar",
    )
    expect(spanish.get_by_role("heading", name="Gracias")).to_be_visible()
    _confirm(spanish, "bea@example.org", "Confirmar mi firma")
    expect(spanish.get_by_text("2 firmas hasta ahora.")).to_be_visible()
    # The proof of work was solved in the browser: the strict no-JS limit (0) let nothing by.
    assert Signature.objects.count() == 2


def test_bad_input_is_explained_in_the_form_and_the_values_stay(new_context, appeal):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/es/acciones/que-pasen-las-medicinas/")
    page.locator("input[name=given_name]").fill("Bea")
    page.locator("input[name=email]").fill("bea@")
    page.get_by_role("button", name="Firmar").click()
    expect(page.get_by_text("Introduce una dirección de correo válida")).to_be_visible()
    expect(page.get_by_text("Elige tu país")).to_be_visible()
    expect(page.locator("input[name=given_name]")).to_have_value("Bea")
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "button", "extra"),
    [
        ("letter", "Firmar", {}),
        ("pledge", "Me comprometo", {}),
        ("endorsement", "Adherirse", {"endorser_name": "Sindicato de Docentes"}),
    ],
)
def test_each_kind_of_action_can_be_signed_and_confirmed_in_spanish(
    new_context, transactional_db, kind, button, extra
):
    organisation = Organisation.objects.create(
        name="Comité", slug="comite", country="MX", status=Organisation.Status.ACTIVE
    )
    action_create(
        language="es",
        kind=kind,
        title="Acción",
        slug="accion",
        organisation=organisation,
        status=Action.Status.OPEN,
    )
    page = new_context(locale="es-ES").new_page()
    page.goto("/es/acciones/accion/")
    for name, value in extra.items():
        page.locator(f"input[name={name}]").fill(value)
    if kind == "endorsement":
        page.locator("select[name=endorser_country]").select_option("PE")
    _sign(page, path=None, given_name="Bea", email="bea@example.org", country="AR", button=button)
    expect(page.get_by_role("heading", name="Gracias")).to_be_visible()
    _confirm(page, "bea@example.org", "Confirmar mi firma")
    expect(page.get_by_text("1 firma hasta ahora.")).to_be_visible()
