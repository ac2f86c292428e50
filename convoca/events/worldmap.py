"""The world map of events, drawn by the server as SVG from shapes shipped with Convoca.

The shapes are world-atlas's Natural Earth countries (public domain),
preprocessed by ``build_world_map.py`` into ``world.json``. The map is
inline SVG: no script, no tile, no request to another host. Each event is
a dot linking to its page; a country may be shaded by a figure (an
action's signatures). The list of events under the map is its accessible
equivalent, so the SVG is one labelled group whose dots, each named, a mouse
can follow but the keyboard skips (the list has the same links).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django_countries import countries

from convoca.core.i18n import language_note_text

WORLD = Path(__file__).with_name("world.json")
SHADES = 5


@cache
def _world() -> dict:
    return json.loads(WORLD.read_text())


def project(latitude: float, longitude: float) -> tuple[float, float]:
    """Degrees to map units: the projection ``build_world_map`` drew the shapes in."""
    world = _world()
    scale = world["width"] / 360.0
    latitude = max(min(latitude, world["north"]), world["north"] - world["height"] / scale)
    return round((longitude + 180.0) * scale, 1), round((world["north"] - latitude) * scale, 1)


def _shade(value: int, top: int) -> int:
    if not value or not top:
        return 0
    return max(1, min(SHADES, 1 + int((SHADES - 1) * (value / top) ** 0.5)))


def world_map_svg(
    *,
    events,
    shading: dict[str, int] | None = None,
    highlight: str = "",
    label: str = "",
) -> SafeString:
    """The map as inline SVG: countries, shaded by ``shading``, and one dot per placed event."""
    world = _world()
    shading = shading or {}
    top = max(shading.values(), default=0)
    parts = [
        format_html(
            # A group, not an image: an image's content is presentational, and its
            # links would be interactive content nested in it (axe: nested-interactive).
            '<svg class="world-map" viewBox="0 0 {} {}" role="group" aria-label="{}" '
            'xmlns="http://www.w3.org/2000/svg">',
            int(world["width"]),
            world["height"],
            label or gettext("World map of events"),
        )
    ]
    for code, path in world["countries"].items():
        level = _shade(shading.get(code, 0), top)
        classes = "c" + (f" s{level}" if level else "") + (" hl" if code == highlight else "")
        title = ""
        if code in shading:
            title = format_html(
                "<title>{}</title>",
                gettext("%(country)s: %(count)s signatures")
                % {"country": countries.name(code), "count": shading[code]},
            )
        parts.append(f'<path class="{classes}" d="{path}">{title}</path>')
    for event in events:
        if not event.has_place:
            continue
        x, y = project(event.latitude, event.longitude)
        name = f"{event.title} · {event.city}"
        if note := language_note_text(event.language):
            name = f"{name} {note}"
        # Out of the tab order (the list below the map has the same links), named.
        parts.append(
            format_html(
                '<a href="{}" hreflang="{}" aria-label="{}" tabindex="-1">'
                '<circle class="dot" cx="{}" cy="{}" r="4"><title>{}</title></circle></a>',
                event.get_absolute_url(),
                event.language,
                name,
                x,
                y,
                name,
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 (every value escaped above)
