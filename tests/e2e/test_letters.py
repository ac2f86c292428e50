"""Writing to one's representatives in a real browser, with and without JavaScript.

The supporter finds their decision-makers by postal code, writes, signs and
confirms; each decision-maker's mail server (an aiosmtpd sink) receives the
letter exactly once.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from convoca.actions.models import Action
from convoca.actions.services import action_create
from convoca.letters.imports import DISTRICT_MAPPINGS, TARGET_MAPPINGS
from convoca.letters.models import LetterCampaign, LetterDelivery, TargetBody
from convoca.letters.services import (
    districts_import,
    letter_campaign_save,
    targets_import,
)
from convoca.organisations.models import Organisation

pytestmark = pytest.mark.e2e

MEMBERS = (
    "id,name,office,constituency,region,party,email,web_form,phone,address,language\n"
    "h1,Maria Alvarez,Representative,AZ-07,AZ,,alvarez@house.example,,,,en\n"
    "h2,John Whitaker,Representative,AZ-06,AZ,,whitaker@house.example,,,,en\n"
    "h3,Dana Lee,Representative,AK-00,AK,,,https://lee.house.example/contact,202-555-0100,,en\n"
)
ZCCD = "state_fips,state_abbr,zcta,cd\n04,AZ,85701,7\n04,AZ,85719,6\n04,AZ,85719,7\n02,AK,99501,0\n"


@pytest.fixture
def letter(transactional_db, settings):
    settings.CONVOCA_RATE_LIMITS = {
        "sign": {"per_client": (100, 3600), "per_email": (5, 3600)},
        "sign-without-pow": {"per_client": (100, 3600), "per_email": (5, 3600)},
    }
    organisation = Organisation.objects.create(
        name="Solidarity Network Tucson", slug="snt", country="US",
        status=Organisation.Status.ACTIVE,
    )  # fmt: skip
    house = TargetBody.objects.create(organisation=organisation, name="US House", country="US")
    targets_import(body=house, data=MEMBERS.encode(), mapping=TARGET_MAPPINGS["parliament"])
    districts_import(body=house, data=ZCCD.encode(), mapping=DISTRICT_MAPPINGS["us-zccd"])
    english = action_create(
        language="en", kind=Action.Kind.TARGETED, title="Pass the Medicine Act",
        slug="pass-the-medicine-act", organisation=organisation, status=Action.Status.OPEN,
    )  # fmt: skip
    action_create(
        language="es", title="Aprobad la Ley de Medicinas", slug="ley-de-medicinas",
        translation_of=english,
    )  # fmt: skip
    return letter_campaign_save(
        campaign=LetterCampaign(action=english),
        bodies=[house],
        texts={
            "en": {
                "subject": "Vote for the Medicine Act",
                "editable_text": "I am your constituent.",
                "fixed_text": "Vote yes.",
            },
            "es": {
                "subject": "Vote la Ley de Medicinas",
                "editable_text": "Soy votante de su distrito.",
                "fixed_text": "Vote sí.",
            },
        },
    )


def _received(sink, address, *, count=1, timeout=10):
    """The messages to ``address``, once ``count`` have arrived (the outbox sends after commit)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in sink.messages if m["to"] == [address]]
        if len(found) >= count:
            return found
        time.sleep(0.1)
    return [m for m in sink.messages if m["to"] == [address]]


def _confirm(page, sink, address, button):
    [message] = _received(sink, address)
    body = message["message"].get_body(("plain",)).get_content()
    page.goto(re.search(r"https?://[^/\s]+(/\S+)", body).group(1))
    page.get_by_role("button", name=button).click()


def _write(page, *, path, postal_code, find, send, text, email):
    page.goto(path)
    page.locator("select[name=country]").select_option("US")
    page.locator("input[name=postal_code]").fill(postal_code)
    page.get_by_role("button", name=find).click()
    page.locator("textarea[name=text]").fill(text)
    page.locator("input[name=given_name]").fill("Ana")
    page.locator("input[name=family_name]").fill("López")
    page.locator("input[name=email]").fill(email)
    page.get_by_role("button", name=send).click()


def test_a_supporter_with_javascript_writes_confirms_and_each_representative_gets_one_email(
    new_context, letter, smtp_sink
):
    page = new_context().new_page()
    _write(
        page, path="/en/letters/pass-the-medicine-act/", postal_code="85719",
        find="Find my decision-makers", send="Send my letter",
        text="The clinic in my town has no insulin.", email="ana@example.org",
    )  # fmt: skip
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_text("Representative Maria Alvarez")).to_be_visible()
    expect(page.get_by_text("Representative John Whitaker")).to_be_visible()
    assert _received(smtp_sink, "alvarez@house.example", timeout=1) == []

    _confirm(page, smtp_sink, "ana@example.org", "Confirm my signature")
    expect(page.get_by_text("1 signature so far.")).to_be_visible()
    for address in ("alvarez@house.example", "whitaker@house.example"):
        [message] = _received(smtp_sink, address)
        body = message["message"].get_body(("plain",)).get_content()
        assert "The clinic in my town has no insulin." in body
        assert "Ana López" in body and "85719" in body
        assert "ana@example.org" not in message["raw"].decode()
    time.sleep(0.5)  # nothing else arrives late
    assert len(_received(smtp_sink, "alvarez@house.example")) == 1
    assert LetterDelivery.objects.filter(status="queued").count() == 2

    page.goto("/en/letters/pass-the-medicine-act/results/")
    expect(page.get_by_role("heading", level=1)).to_have_text("2 letters to 2 decision-makers")


def test_without_javascript_in_spanish_a_supporter_writes_and_sends_one_letter_themself(
    new_context, letter, smtp_sink
):
    page = new_context(locale="es-ES", java_script_enabled=False).new_page()
    _write(
        page, path="/es/cartas/ley-de-medicinas/", postal_code="00000",
        find="Buscar a mis representantes", send="Enviar mi carta",
        text="Mi carta.", email="bea@example.org",
    )  # fmt: skip
    # Nothing matched 00000: the list, not an error, and nobody ticked.
    expect(page.get_by_role("heading", name="Gracias")).not_to_be_visible()
    expect(page.get_by_text("Elige al menos una persona a quien escribir.")).to_be_visible()
    expect(page.locator("textarea[name=text]")).to_have_value("Mi carta.")
    page.get_by_label(re.compile("Maria Alvarez")).check()
    page.get_by_label(re.compile("Dana Lee")).check()
    page.locator("input[name=email]").fill("bea@example.org")
    page.get_by_role("button", name="Enviar mi carta").click()

    expect(page.get_by_role("heading", name="Gracias")).to_be_visible()
    expect(page.get_by_role("heading", name="Envíala tú")).to_be_visible()
    expect(page.get_by_role("link", name="Su formulario web")).to_have_attribute(
        "href", "https://lee.house.example/contact"
    )
    expect(page.locator("textarea[readonly]")).to_contain_text("Mi carta.")

    _confirm(page, smtp_sink, "bea@example.org", "Confirmar mi firma")
    expect(page.get_by_text("1 firma hasta ahora.")).to_be_visible()
    [message] = _received(smtp_sink, "alvarez@house.example")
    assert "Mi carta." in message["message"].get_body(("plain",)).get_content()
    assert _received(smtp_sink, "whitaker@house.example", timeout=0.5) == []
    assert set(LetterDelivery.objects.values_list("status", flat=True)) == {"queued", "by_writer"}
