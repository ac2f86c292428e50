"""What a visitor sees before scrolling, on a laptop and on a phone, with the demo content.

Screenshots of each page are saved under the system's temporary folder
(``convoca-first-screen/``) for a person to look at; the assertions hold the
layout to what matters: the form to sign, the map, a short menu.
"""

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from convoca.core.demo import demo_load

pytestmark = pytest.mark.e2e

SCREENS = {"laptop": (1280, 800), "phone": (375, 667)}
SHOTS = Path(tempfile.gettempdir()) / "convoca-first-screen"


@pytest.fixture
def demo(transactional_db):
    demo_load()


def _shot_name(screen: str, path: str) -> str:
    return f"{screen}-{path.strip('/').replace('/', '-')}"


def _within_first_screen(page, locator, height: int, name: str) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png")
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, (name, box)


@pytest.mark.parametrize("screen", SCREENS)
def test_the_form_to_sign_and_the_map_are_on_the_first_screen(new_context, demo, screen):
    width, height = SCREENS[screen]
    page = new_context(viewport={"width": width, "height": height}).new_page()
    for path in (
        "/en/actions/stop-the-blockade/",
        "/es/acciones/fin-al-bloqueo/",
        "/en/actions/pledge-of-resistance/",
        "/en/actions/open-letter-trade-unionists/",
        "/en/actions/endorse-the-joint-statement/",
    ):
        page.goto(path)
        form = page.locator("section.sign form")
        first_field = form.locator("input:not([type=hidden]), select, textarea").first
        _within_first_screen(page, first_field, height, _shot_name(screen, path))

    for path in ("/en/campaigns/week-of-action/", "/es/campanas/semana-de-accion/"):
        page.goto(path)
        world = page.locator("svg.world-map")
        expect(world).to_be_visible()
        assert world.bounding_box()["y"] < height * 0.85, path  # its top, and some of it
        _within_first_screen(
            page,
            page.get_by_role("heading", name="Map").or_(page.get_by_role("heading", name="Mapa")),
            height,
            _shot_name(screen, path),
        )


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_menu_takes_at_most_two_lines_on_a_phone(new_context, demo, language):
    page = new_context(viewport={"width": 375, "height": 667}).new_page()
    page.goto(f"/{language}/")

    links = page.get_by_role("navigation").first.get_by_role("link")
    tops = {round(link.bounding_box()["y"]) for link in links.all()}
    line = links.first.evaluate("link => parseFloat(getComputedStyle(link).lineHeight)")
    menu = page.get_by_role("navigation").first.bounding_box()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"phone-menu-{language}.png")
    assert len(tops) <= 2, tops
    assert menu["height"] <= 2.2 * line, (menu, line)
    # The brand and the language switch share the line above it.
    brand = page.get_by_role("link", name="Convoca").first.bounding_box()
    switch = page.locator(".languages a").first.bounding_box()
    assert abs(brand["y"] + brand["height"] / 2 - (switch["y"] + switch["height"] / 2)) < line
    assert page.locator("header.site-header").bounding_box()["height"] < 130
