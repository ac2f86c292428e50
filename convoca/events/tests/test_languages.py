"""A list that shows an item in another language says so: hreflang, lang and "(en español)"."""

import re

import pytest

from convoca.events.models import Event


@pytest.fixture
def rallies(make_event):
    return {
        "en": make_event(
            title="Rally in Tucson",
            slug="rally-tucson",
            kind=Event.Kind.IN_PERSON,
            city="Tucson",
            country="US",
            latitude=32.22,
            longitude=-110.97,
        ),
        "es": make_event(
            language="es",
            title="Concentración en Oaxaca",
            slug="concentracion-oaxaca",
            kind=Event.Kind.IN_PERSON,
            city="Oaxaca",
            country="MX",
            latitude=17.07,
            longitude=-96.72,
        ),
    }


def _link(html: str, text: str) -> str:
    """The whole ``<a>`` start tag of the link whose text is ``text``, and what follows it."""
    match = re.search(r"(<a [^>]*>)" + re.escape(text) + r"</a>(.{0,80})", html, re.S)
    assert match, text
    return match.group(1) + match.group(2)


def test_english_events_list_marks_a_spanish_only_event(client, rallies):
    html = client.get("/en/events/").text

    spanish = _link(html, "Concentración en Oaxaca")
    assert 'href="/es/eventos/concentracion-oaxaca/"' in spanish
    assert 'hreflang="es"' in spanish and 'lang="es"' in spanish
    assert '<span class="lang-note" lang="es">(en español)</span>' in spanish
    english = _link(html, "Rally in Tucson")
    assert "lang-note" not in english  # the page's own language needs no note


def test_spanish_events_list_marks_an_english_only_event(client, rallies):
    html = client.get("/es/eventos/").text

    english = _link(html, "Rally in Tucson")
    assert 'hreflang="en"' in english
    assert '<span class="lang-note" lang="en">(in English)</span>' in english
    assert "lang-note" not in _link(html, "Concentración en Oaxaca")


def test_the_maps_dot_names_its_event_and_language(client, rallies):
    html = client.get("/en/events/").text

    svg = re.search(r"<svg class=\"world-map\".*?</svg>", html, re.S).group(0)
    assert 'role="img"' not in svg  # an image may not hold links (axe: nested-interactive)
    assert 'role="group"' in svg
    assert (
        '<a href="/es/eventos/concentracion-oaxaca/" hreflang="es" '
        'aria-label="Concentración en Oaxaca · Oaxaca (en español)" tabindex="-1">'
    ) in svg
    assert 'aria-label="Rally in Tucson · Tucson" ' in svg


def test_the_home_page_marks_an_event_in_another_language(client, rallies):
    html = client.get("/en/").text

    assert "(en español)</span>" in _link(html, "Concentración en Oaxaca")


def test_the_language_switch_of_an_event_in_one_language_leads_to_the_other_languages_list(
    client, rallies
):
    html = client.get("/en/events/rally-tucson/").text

    switch = re.search(r'<ul class="languages".*?</ul>', html, re.S).group(0)
    assert 'href="/es/eventos/"' in switch
    assert client.get("/es/eventos/").status_code == 200
    # No hreflang link in the head names a Spanish version that does not exist.
    assert 'hreflang="es" href' not in html.split("</head>")[0]


def test_the_language_switch_of_a_campaign_leads_to_its_version_in_the_other_language(
    client, campaign
):
    from convoca.events.services import campaign_create

    spanish = campaign_create(
        language="es",
        translation_of=campaign,
        title="Semana internacional de acción",
        slug="semana-de-accion",
    )

    html = client.get(campaign.get_absolute_url()).text

    switch = re.search(r'<ul class="languages".*?</ul>', html, re.S).group(0)
    assert f'href="{spanish.get_absolute_url()}"' in switch
    assert client.get(spanish.get_absolute_url()).status_code == 200
