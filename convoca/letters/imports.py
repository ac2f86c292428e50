"""Reading decision-makers and district tables from CSV files: mappings and row checks.

A mapping says where each of our fields is in the file: a column name, or a
function of the row for files whose fields must be put together (the US
legislators' district is ``state`` and ``district``). Ready mappings cover
the public US legislators file (``legislators-current.csv`` of
unitedstates/congress-legislators), a parliament's member list with one
column per field, and the ZIP code to congressional district file
(``zccd.csv``: ``state_abbr``, ``zcta``, ``cd``); any other file is read
with a generic mapping the organiser writes as ``field=column`` lines.
Nothing here writes: ``services.targets_import`` and
``services.districts_import`` do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from convoca.core.text import one_line

TARGET_FIELDS = (
    "key",
    "name",
    "office",
    "district",
    "region",
    "party",
    "email",
    "web_form_url",
    "phone",
    "postal_address",
    "language",
)
DISTRICT_FIELDS = ("country", "postal_code", "region", "district")
MAX_BYTES = 20 * 1024 * 1024


class ImportRefused(Exception):
    """The file as a whole cannot be read: nothing was changed."""


Getter = str | Callable[[dict], str]


@dataclass(frozen=True)
class Mapping:
    """Where each field is in a file's rows; ``keep`` skips rows of other bodies."""

    label: str
    fields: dict[str, Getter]
    keep: Callable[[dict], bool] | None = None
    required_columns: tuple[str, ...] = ()
    #: Fixed values for fields the file does not have.
    defaults: dict[str, str] = field(default_factory=dict)

    def read(self, row: dict) -> dict[str, str]:
        values = dict(self.defaults)
        for name, getter in self.fields.items():
            value = getter(row) if callable(getter) else row.get(getter, "")
            values[name] = (value or "").strip()
        return values


def _us_district(row: dict) -> str:
    """``CA`` and ``12`` → ``CA-12``; an at-large seat (``0``) → ``AK-00``."""
    return us_district(row.get("state", ""), row.get("district", ""))


def us_district(state: str, number: str) -> str:
    state, number = state.strip().upper(), number.strip()
    if not state or not number.isdigit():
        return ""
    return f"{state}-{int(number):02d}"


def _full_name(row: dict) -> str:
    if row.get("full_name"):
        return row["full_name"]
    return " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)


_US_COMMON = {
    "key": "bioguide_id",
    "name": _full_name,
    "region": "state",
    "party": "party",
    "web_form_url": "contact_form",
    "phone": "phone",
    "postal_address": "address",
}

TARGET_MAPPINGS: dict[str, Mapping] = {
    "us-house": Mapping(
        label=gettext_lazy("US legislators file (legislators-current.csv): the House"),
        fields={**_US_COMMON, "district": _us_district},
        keep=lambda row: row.get("type", "").strip() == "rep",
        required_columns=("bioguide_id", "type", "state", "district"),
        defaults={"office": "Representative", "language": "en"},
    ),
    "us-senate": Mapping(
        label=gettext_lazy("US legislators file (legislators-current.csv): the Senate"),
        fields={**_US_COMMON, "district": "state"},
        keep=lambda row: row.get("type", "").strip() == "sen",
        required_columns=("bioguide_id", "type", "state"),
        defaults={"office": "Senator", "language": "en"},
    ),
    "parliament": Mapping(
        label=gettext_lazy(
            "Parliament member list: id, name, office, constituency, region, party, "
            "email, web_form, phone, address, language"
        ),
        fields={
            "key": "id",
            "name": "name",
            "office": "office",
            "district": "constituency",
            "region": "region",
            "party": "party",
            "email": "email",
            "web_form_url": "web_form",
            "phone": "phone",
            "postal_address": "address",
            "language": "language",
        },
        required_columns=("name",),
    ),
}

DISTRICT_MAPPINGS: dict[str, Mapping] = {
    "generic": Mapping(
        label=gettext_lazy("Columns country, postal_code, region, district"),
        fields={name: name for name in DISTRICT_FIELDS},
        required_columns=("country", "district"),
    ),
    "us-zccd": Mapping(
        label=gettext_lazy("US ZIP code to congressional district (state_abbr, zcta, cd)"),
        fields={
            "postal_code": lambda row: (row.get("zcta") or "").strip().zfill(5),
            "region": lambda row: "",
            "district": lambda row: us_district(row.get("state_abbr", ""), row.get("cd", "")),
        },
        required_columns=("state_abbr", "zcta", "cd"),
        defaults={"country": "US"},
    ),
}


def mapping_from_text(text: str, *, allowed: tuple[str, ...]) -> Mapping:
    """A generic mapping from ``field=column`` lines; ImportRefused names a bad line."""
    fields: dict[str, Getter] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, sep, column = (part.strip() for part in line.partition("="))
        if not sep or not column or name not in allowed:
            raise ImportRefused(
                _(
                    "Line %(number)s of the mapping is not “field=column” with one of "
                    "these fields: %(fields)s."
                )
                % {"number": number, "fields": ", ".join(allowed)}
            )
        fields[name] = column
    if not fields:
        raise ImportRefused(_("Write the mapping: one “field=column” line per field."))
    return Mapping(
        label="generic",
        fields=fields,
        required_columns=tuple(c for c in fields.values() if isinstance(c, str)),
    )


def csv_rows(data: bytes, mapping: Mapping) -> list[tuple[int, dict]]:
    """The file's rows (with their line number in the file) that the mapping keeps."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("The file is larger than 20 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(_("The file is not UTF-8 text. Save it as CSV in UTF-8.")) from exc
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in mapping.required_columns if c not in header]
    if missing:
        raise ImportRefused(
            _("The file has no column %(columns)s. Its columns are: %(header)s.")
            % {"columns": ", ".join(missing), "header": ", ".join(header) or "-"}
        )
    rows = []
    for row in reader:
        row = {k: (v if isinstance(v, str) else "") for k, v in row.items() if k is not None}
        if mapping.keep is None or mapping.keep(row):
            rows.append((reader.line_num, row))
    return rows


_url = URLValidator(schemes=["http", "https"])


def target_clean(values: dict[str, str]) -> dict[str, str]:
    """One decision-maker's values, checked and on one line; ValidationError says why not."""
    clean = {
        name: one_line(values.get(name, "")) for name in TARGET_FIELDS if name != "postal_address"
    }
    address = values.get("postal_address", "").replace("\r\n", "\n").replace("\r", "\n")
    clean["postal_address"] = "\n".join(one_line(line) for line in address.split("\n")).strip()
    if not clean["name"]:
        raise ValidationError(_("it has no name."))
    if not clean["key"]:
        clean["key"] = f"{clean['name']}|{clean['district']}"
    if clean["email"]:
        try:
            validate_email(clean["email"])
        except ValidationError as exc:
            raise ValidationError(
                _("“%(value)s” is not an email address.") % {"value": clean["email"]}
            ) from exc
    if clean["web_form_url"]:
        try:
            _url(clean["web_form_url"])
        except ValidationError as exc:
            raise ValidationError(
                _("“%(value)s” is not a web address.") % {"value": clean["web_form_url"]}
            ) from exc
    clean["language"] = clean["language"].lower()[:8]
    limits = {"key": 100, "name": 200, "office": 200, "district": 60, "region": 100,
              "party": 100, "phone": 60, "web_form_url": 500}  # fmt: skip
    for name, limit in limits.items():
        if len(clean[name]) > limit:
            raise ValidationError(
                _("its %(field)s is longer than %(limit)s characters.")
                % {"field": name, "limit": limit}
            )
    return clean


def district_clean(values: dict[str, str]) -> tuple[str, str, str, str]:
    """(country, postal code, region, district), normalised; ValidationError says why not."""
    from django_countries import countries

    country = values.get("country", "").strip().upper()
    if country not in dict(countries):
        raise ValidationError(_("“%(value)s” is not a country code.") % {"value": country})
    district = one_line(values.get("district", ""))
    if not district:
        raise ValidationError(_("it has no district."))
    postal_code = postal_code_normalise(country, values.get("postal_code", ""), pattern=True)
    region = region_normalise(values.get("region", ""))
    if country == "US" and postal_code and not postal_code.rstrip("*").isdigit():
        raise ValidationError(
            _("“%(value)s” is not a US ZIP code.") % {"value": values.get("postal_code", "")}
        )
    if len(postal_code) > 20 or len(region) > 100 or len(district) > 60:
        raise ValidationError(_("a value is too long."))
    return country, postal_code, region, district


def postal_code_normalise(country: str, code: str, *, pattern: bool = False) -> str:
    """A postal code as the district table keeps it: capitals, no spaces; a US ZIP's 5 digits.

    ``pattern``: a table row, whose trailing ``*`` (a prefix) is kept.
    """
    code = one_line(code or "").upper().replace(" ", "")
    star = pattern and code.endswith("*")
    code = code.rstrip("*")
    if country == "US":
        code = code.split("-")[0][:5]
    return f"{code}*" if star and code else code


def region_normalise(region: str) -> str:
    return one_line(region or "").casefold()
