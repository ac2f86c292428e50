"""Turn world-atlas's countries-110m.json into the SVG path data the map ships with.

Run by hand when the shapes should change, never at run time::

    cd /tmp && npm pack world-atlas && tar xzf world-atlas-*.tgz
    uv run python -m convoca.events.build_world_map /tmp/package/countries-110m.json

The TopoJSON (Natural Earth 1:110m, public domain; world-atlas is ISC) is
decoded (quantised, delta-encoded arcs), projected equirectangularly onto
a 1000-unit-wide plane cropped to 84°N-58°S, rounded to whole units and drawn with relative steps,
and written to ``world.json`` beside this file: one path per ISO 3166
alpha-2 code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUTPUT = Path(__file__).with_name("world.json")
WIDTH = 1000.0
NORTH, SOUTH = 84.0, -58.0
SCALE = WIDTH / 360.0
HEIGHT = round((NORTH - SOUTH) * SCALE, 1)

#: Shapes world-atlas gives no ISO numeric code.
BY_NAME = {"Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}


def project(lon: float, lat: float) -> tuple[float, float]:
    """Longitude and latitude to map units (the same formula as ``worldmap.project``)."""
    lat = max(min(lat, NORTH), SOUTH)
    return (lon + 180.0) * SCALE, (NORTH - lat) * SCALE


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(indexes: list[int], arcs) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def _path(polygons, arcs) -> str:
    parts = []
    for polygon in polygons:
        for ring in polygon:
            # Whole map units, drawn relative to the previous point: a third
            # of the bytes, and a unit (0.36 degree) is below what the map shows.
            projected: list[tuple[int, int]] = []
            for lon, lat in _ring(ring, arcs):
                x, y = project(lon, lat)
                # A ring crossing the antimeridian (Russia, Fiji) would draw a
                # line across the whole map: keep it continuous past the edge,
                # where the SVG's viewBox clips it.
                if projected and abs(x - projected[-1][0]) > WIDTH / 2:
                    x += WIDTH if x < projected[-1][0] else -WIDTH
                point = (round(x), round(y))
                if not projected or projected[-1] != point:
                    projected.append(point)
            if len(projected) < 3:
                continue
            (x0, y0), *tail = projected
            steps, (px, py) = [], (x0, y0)
            for x, y in tail:
                steps.append(f"{x - px} {y - py}")
                px, py = x, y
            parts.append(f"M{x0} {y0}l" + " ".join(steps).replace(" -", "-") + "z")
    return "".join(parts)


def build(source: Path) -> dict:
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)
    from django_countries import countries

    topology = json.loads(source.read_text())
    arcs = _arcs(topology)
    shapes: dict[str, str] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry.get("properties", {}).get("name", "")
        code = BY_NAME.get(name) or (
            countries.alpha2(int(geometry["id"])) if geometry.get("id") else ""
        )
        if not code or code == "AQ" or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        shapes[code] = shapes.get(code, "") + _path(polygons, arcs)
    return {
        "source": "world-atlas countries-110m (Natural Earth, public domain)",
        "width": WIDTH,
        "height": HEIGHT,
        "north": NORTH,
        "countries": dict(sorted(shapes.items())),
    }


if __name__ == "__main__":
    data = build(Path(sys.argv[1]))
    OUTPUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    sys.stdout.write(f"{len(data['countries'])} countries, {OUTPUT.stat().st_size} bytes\n")
