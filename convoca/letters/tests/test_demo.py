"""The demo letters, as a visitor and an organiser of a fresh ``convoca demo`` see them."""

import html
import re

import pytest

from convoca.core.demo import demo_load
from convoca.core.models import OutboxEmail
from convoca.letters.models import LetterDelivery

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def test_the_demo_has_a_us_house_letter_and_a_congreso_letter_in_both_languages(client):
    demo_load()

    page = _text(client.get("/en/letters/medicine-without-borders-act/"))
    assert "Tell your Representative: pass the Medicine Without Borders Act" in page
    assert "letters to" in page and "Find my decision-makers" in page
    found = _text(
        client.get("/en/letters/medicine-without-borders-act/?country=US&postal_code=85719")
    )
    assert "Representative Marisol Ortega" in found and "Representative Thomas Brennan" in found
    assert "Senator" not in found

    spanish = _text(client.get("/es/cartas/proposicion-humanitaria/?country=ES&postal_code=28013"))
    assert "Diputada Lucía Herrero Prieto" in spanish
    assert "Presidenta de la Comisión de Asuntos Exteriores Carmen Ruiz Olmedo" in spanish
    assert "Montserrat Puig" not in spanish
    assert _text(client.get("/es/cartas/ley-medicinas-sin-fronteras/resultados/"))
    english = _text(client.get("/en/letters/humanitarian-motion-spain/results/"))
    assert "letters to" in english

    # The demo writers' letters went out: one email each to the targets with an address.
    assert (
        LetterDelivery.objects.filter(status="queued").count()
        == OutboxEmail.objects.filter(kind="letters.letter").count()
    )
    assert LetterDelivery.objects.filter(status="by_writer").exists()  # Whitfield: web form only
