"""The demo fundraiser, as a visitor to a fresh ``convoca demo`` sees it."""

import pytest
from django.utils import translation

from convoca.core.demo import demo_load
from convoca.donations.models import Fundraiser
from convoca.donations.selectors import fundraiser_figures


@pytest.fixture
def fundraiser(db):
    demo_load()
    return Fundraiser.objects.get(slug="send-a-delegation")


def test_demo_fundraiser_shows_online_and_offline_gifts_and_a_donor_list(client, fundraiser):
    figures = fundraiser_figures(fundraiser)
    assert figures.online > 0
    assert figures.offline == 149_000
    assert figures.raised == figures.online + figures.offline
    assert figures.monthly_donors == 3
    page = client.get(fundraiser.get_absolute_url()).text
    assert "Send a delegation to the Geneva hearings" in page
    assert f'max="800000" value="{figures.raised}"' in page
    assert "Ingrid Larsen" in page
    assert "Nadia" not in page  # gave without asking to be listed
    assert "Online giving is not configured on this site yet." in page


def test_demo_fundraiser_reads_in_spanish(client, fundraiser):
    with translation.override("es"):
        page = client.get(fundraiser.get_absolute_url()).text
    assert "Enviar una delegación a las audiencias de Ginebra" in page
    assert "una delegación de cinco personas" in page
