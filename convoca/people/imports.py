"""Bringing an organisation's supporters over from a CSV file (Action Network's export, or any).

The organiser uploads a file (``person_import_create``); Convoca keeps it
encrypted under a key of its own while the import lasts, reads it through
once in the background to count what would happen (``person_import_analyse``),
shows those figures and the first rows, and imports only once the organiser
confirms (``person_import_run``), batch by batch through the people services.
Every step streams: the file is never held in memory, whatever its size.

Rules, so that an import can neither sign up someone who said no nor be
used to learn who else is in the database:

- a row is merged with the person who has its email (found by the blind
  index): it fills what is blank and replaces nothing (a file is not the
  person's own word), so an empty cell never erases either;
- a consent to be contacted by the organisation is recorded only when the
  file says so (Action Network's ``can2_subscription_status`` is
  ``subscribed``; in another file, a column the organiser chose), with the
  import as its source, and never for an address that unsubscribed, was
  suppressed or withdrew its consent to the organisation
  (``people.services.marketing_refused``); a row saying ``unsubscribed``
  withdraws a consent in force;
- "new" and "already known" are counted against the people the
  organisation already sees, not against everyone, so the figures don't
  tell whether an address exists elsewhere in the coalition;
- importing the same file again changes nothing.
"""

from __future__ import annotations

import base64
import codecs
import csv
import io
import logging
import os
import sqlite3
import struct
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from convoca.core.crypto import email_index
from convoca.core.text import one_line
from convoca.organisations.models import Organisation
from convoca.people.models import Activity, Consent, Person, PersonImport, PersonImportSkip
from convoca.people.selectors import person_indexes_known_to
from convoca.people.services import (
    PersonData,
    consent_give_many,
    consent_withdraw,
    marketing_refused,
    people_upsert,
)

logger = logging.getLogger(__name__)

#: Rows written per transaction: one read, one INSERT per table for each batch.
BATCH_ROWS = 1000
#: Plaintext bytes per encrypted record of a stored file.
CHUNK_BYTES = 1 << 20
#: How much of an upload is checked before it is accepted.
HEAD_BYTES = 64 * 1024
#: Longest cell kept; an email address may be 254 characters.
MAX_CELL = 254
#: A CSV field longer than this is a broken file, not a name.
csv.field_size_limit(1 << 16)

#: What each field of a person may be read from, and how a column is called.
FIELDS = (
    ("email", _("email")),
    ("given_name", _("first name")),
    ("family_name", _("last name")),
    ("phone", _("phone")),
    ("street_address", _("street address")),
    ("postal_code", _("postal code")),
    ("city", _("city")),
    ("country", _("country")),
    ("language", _("language")),
    ("consent", _("agreed to be contacted (yes/no)")),
)
FIELD_NAMES = tuple(name for name, _label in FIELDS)

#: Action Network's activist export: its column for each field, in order of preference.
ACTION_NETWORK_COLUMNS = {
    "email": ("email",),
    "given_name": ("first_name",),
    "family_name": ("last_name",),
    "phone": ("can2_phone", "phone"),
    "street_address": ("can2_user_address",),
    "postal_code": ("zip_code",),
    "city": ("can2_user_city",),
    "country": ("can2_country", "country"),
    "language": ("language",),
    "consent": ("can2_subscription_status",),
}

#: Column names a generic file often uses, to suggest the mapping (lower case).
USUAL_COLUMNS = {
    "email": ("email", "e-mail", "email address", "correo", "correo electrónico", "mail"),
    "given_name": ("first_name", "first name", "given name", "given_name", "nombre"),
    "family_name": ("last_name", "last name", "family name", "surname", "apellido", "apellidos"),
    "phone": ("phone", "telephone", "mobile", "teléfono", "telefono", "móvil"),
    "street_address": ("address", "street address", "street", "dirección", "direccion"),
    "postal_code": ("zip", "zip_code", "zip code", "postcode", "postal code", "código postal"),
    "city": ("city", "town", "locality", "ciudad", "localidad"),
    "country": ("country", "country code", "país", "pais"),
    "language": ("language", "idioma", "lengua"),
    "consent": ("consent", "subscribed", "opt-in", "opt in", "optin", "consentimiento"),
}

YES = frozenset({"subscribed", "yes", "y", "true", "1", "x", "si", "sí", "s", "opt-in", "opted in"})
#: A cell saying the person opted out: a consent in force is withdrawn.
UNSUBSCRIBED = frozenset({"unsubscribed"})

LANGUAGE_NAMES = {"english": "en", "inglés": "en", "ingles": "en", "spanish": "es", "español": "es"}

#: Messages for a whole import that stopped; stored as their key, shown in the reader's language.
FAILURES = {
    "unreadable": _("The stored file could not be read back. Upload it again."),
    "crashed": _("The import stopped on an unexpected error. Rows imported so far are kept."),
}


class ImportFileRefused(Exception):
    """The uploaded file cannot be imported at all; ``str()`` says why, in the reader's language."""


class ImportFileDamaged(Exception):
    """The stored, encrypted copy of an upload does not read back (truncated or tampered)."""


# --- The stored file: encrypted, record by record ------------------------------------------

_RECORD = struct.Struct(">IB")  # ciphertext length, 1 on the last record


def _import_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _file_path(person_import: PersonImport) -> Path:
    return _import_dir() / f"{person_import.pk}.bin"


def _associated_data(person_import_id, index: int, last: bool) -> bytes:
    return f"people.import:{person_import_id}:{index}:{int(last)}".encode()


def _file_store(person_import: PersonImport, chunks: Iterable[bytes]) -> int:
    """Write the upload encrypted (AES-GCM, a fresh key in ``file_key``); return its size.

    Each record is bound to the import, its position and whether it is the
    last, so a truncated, reordered or swapped file does not read back.
    """
    key = AESGCM.generate_key(bit_length=256)
    aead = AESGCM(key)
    size = 0
    index = 0
    pending = bytearray()

    def record(out, plaintext: bytes, last: bool) -> None:
        nonlocal index
        nonce = os.urandom(12)
        sealed = aead.encrypt(nonce, plaintext, _associated_data(person_import.pk, index, last))
        out.write(_RECORD.pack(len(nonce) + len(sealed), int(last)))
        out.write(nonce + sealed)
        index += 1

    path = _file_path(person_import)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in chunks:
            size += len(chunk)
            pending += chunk
            while len(pending) >= CHUNK_BYTES:
                record(out, bytes(pending[:CHUNK_BYTES]), last=False)
                del pending[:CHUNK_BYTES]
        record(out, bytes(pending), last=True)
    person_import.file_key = base64.b64encode(key).decode()
    return size


def _file_forget(person_import: PersonImport) -> None:
    """Delete the stored file and its key: what was uploaded is gone for good."""
    _file_path(person_import).unlink(missing_ok=True)
    PersonImport.objects.filter(pk=person_import.pk).update(file_key="")
    person_import.file_key = ""


class _DecryptedFile(io.RawIOBase):
    """The plaintext of a stored upload, read one record at a time."""

    def __init__(self, person_import: PersonImport):
        super().__init__()
        try:
            key = base64.b64decode(person_import.file_key or "")
            self._file = open(_file_path(person_import), "rb")  # noqa: SIM115
        except (OSError, ValueError) as exc:
            raise ImportFileDamaged from exc
        if len(key) != 32:
            self._file.close()
            raise ImportFileDamaged
        self._aead = AESGCM(key)
        self._id = person_import.pk
        self._index = 0
        self._buffer = b""
        self._position = 0
        self._ended = False
        #: Plaintext bytes handed out so far (the analysis's progress).
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def _next_record(self) -> None:
        head = self._file.read(_RECORD.size)
        if len(head) != _RECORD.size:
            raise ImportFileDamaged
        length, last = _RECORD.unpack(head)
        body = self._file.read(length)
        if len(body) != length:
            raise ImportFileDamaged
        try:
            self._buffer = self._aead.decrypt(
                body[:12], body[12:], _associated_data(self._id, self._index, bool(last))
            )
        except InvalidTag as exc:
            raise ImportFileDamaged from exc
        self._position = 0
        self._index += 1
        self._ended = bool(last)

    def readinto(self, target) -> int:
        while self._position >= len(self._buffer):
            if self._ended:
                return 0
            self._next_record()
        count = min(len(target), len(self._buffer) - self._position)
        target[:count] = self._buffer[self._position : self._position + count]
        self._position += count
        self.bytes_read += count
        return count

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


# --- Checking an upload --------------------------------------------------------------------


@dataclass(frozen=True)
class FileHead:
    """What the first bytes of an upload say: its columns and their separator."""

    header: list[str]
    delimiter: str


def person_import_file_check(upload, *, file_format: str) -> FileHead:
    """Read the beginning of an upload; raise ``ImportFileRefused`` if it is no CSV we can read.

    Refused: an empty file, a spreadsheet workbook, a binary file, a text
    that is not UTF-8 (UTF-16, Latin-1), a file with no header row, and an
    Action Network file without an ``email`` column.
    """
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if not head.strip():
        raise ImportFileRefused(gettext("The file is empty."))
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileRefused(
            gettext(
                "This is a spreadsheet workbook, not a CSV file. In your spreadsheet program, "
                "save it as “CSV UTF-8” and upload that file."
            )
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileRefused(
            gettext("This file is in UTF-16. Save it as “CSV UTF-8” and upload it again.")
        )
    if b"\x00" in head:
        raise ImportFileRefused(gettext("This is not a CSV file: it holds binary data."))
    try:
        # Incremental: a character cut at the end of the sample is not an error.
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise ImportFileRefused(
            gettext(
                "This file is not in UTF-8 (perhaps it was saved as Latin-1 or Windows-1252). "
                "Save it as “CSV UTF-8” and upload it again."
            )
        ) from exc
    first_line = text.splitlines()[0] if text.splitlines() else ""
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except (csv.Error, StopIteration) as exc:
        raise ImportFileRefused(gettext("This file does not read as CSV.")) from exc
    header = [one_line(cell) for cell in header]
    if not any(header):
        raise ImportFileRefused(gettext("The first row of the file must name its columns."))
    if file_format == PersonImport.Format.ACTION_NETWORK and "email" not in header:
        raise ImportFileRefused(
            gettext(
                "This file has no “email” column: is it an export of activists from "
                "Action Network? For another file, choose “another CSV file”."
            )
        )
    return FileHead(header=header, delimiter=delimiter)


def mapping_suggest(header: list[str], *, file_format: str) -> dict[str, int]:
    """Which column to read each field from: Action Network's names, or usual ones."""
    positions = {name.strip().lower(): position for position, name in enumerate(header)}
    names = ACTION_NETWORK_COLUMNS if file_format == PersonImport.Format.ACTION_NETWORK else None
    mapping = {}
    for field in FIELD_NAMES:
        candidates = names[field] if names else USUAL_COLUMNS[field]
        for candidate in candidates:
            if candidate in positions:
                mapping[field] = positions[candidate]
                break
    return mapping


# --- Reading rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    """One row of the file that can be imported."""

    row: int
    data: PersonData
    consent: str  # "yes", "no" or "withdraw"


@dataclass(frozen=True)
class SkippedRow:
    """One row of the file that will not be imported; ``reason`` is empty for a blank line."""

    row: int
    reason: str

    @property
    def reason_label(self) -> str:
        return str(PersonImportSkip.Reason(self.reason).label) if self.reason else ""


@lru_cache(maxsize=1024)
def _country_code(value: str) -> str:
    value = value.strip()
    if len(value) == 2 and value.upper() in countries:
        return value.upper()
    for language in [code for code, _name in settings.LANGUAGES]:
        code = countries.by_name(value, language=language)
        if code:
            return code
    return ""


def _language_code(value: str) -> str:
    value = value.strip().lower()
    codes = {code for code, _name in settings.LANGUAGES}
    if value[:2] in codes and (len(value) == 2 or value[2] in "-_"):
        return value[:2]
    return LANGUAGE_NAMES.get(value, "") if LANGUAGE_NAMES.get(value, "") in codes else ""


def _consent(value: str) -> str:
    value = value.strip().lower()
    if value in YES:
        return "yes"
    if value in UNSUBSCRIBED:
        return "withdraw"
    return "no"


def _row_parse(row: int, cells: list[str], width: int, mapping: dict[str, int]):
    if len(cells) != width:
        return SkippedRow(row, PersonImportSkip.Reason.FIELD_COUNT)
    values = {}
    for field, position in mapping.items():
        value = one_line(cells[position].replace("\x00", ""))
        if "\ufffd" in value:
            return SkippedRow(row, PersonImportSkip.Reason.ENCODING)
        if len(value) > MAX_CELL:
            return SkippedRow(row, PersonImportSkip.Reason.TOO_LONG)
        values[field] = value
    email = values.get("email", "")
    if not email:
        return SkippedRow(row, PersonImportSkip.Reason.NO_EMAIL)
    try:
        validate_email(email)
    except ValidationError:
        return SkippedRow(row, PersonImportSkip.Reason.BAD_EMAIL)
    # Kept as text, whatever they start with (=, +, -, @): nothing here runs
    # them, and every CSV export neutralises them (core.csv.csv_safe).
    data = PersonData(
        email=email,
        given_name=values.get("given_name", ""),
        family_name=values.get("family_name", ""),
        phone=values.get("phone", ""),
        street_address=values.get("street_address", ""),
        postal_code=values.get("postal_code", ""),
        city=values.get("city", ""),
        country=_country_code(values.get("country", "")),
        language=_language_code(values.get("language", "")),
    )
    return ImportRow(row, data, _consent(values.get("consent", "")))


def _records(text) -> Iterator[list[str] | None]:
    """The CSV records after the header; None for a record the csv module cannot read."""
    reader = iter(text)
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield None


def _rows(person_import: PersonImport, raw: _DecryptedFile) -> Iterator[ImportRow | SkippedRow]:
    """Every data row of the stored file, numbered as a spreadsheet shows it (header: 1).

    Blank lines are numbered and passed over silently (``None``... never
    yielded); a row the csv module cannot read is skipped with its reason.
    """
    text = io.TextIOWrapper(
        io.BufferedReader(raw, buffer_size=64 * 1024),
        encoding="utf-8-sig",
        errors="replace",
        newline="",
    )
    reader = csv.reader(text, delimiter=person_import.delimiter)
    records = _records(reader)
    next(records, None)  # the header
    width = len(person_import.header)
    mapping = {field: int(position) for field, position in person_import.mapping.items()}
    row = 1
    for cells in records:
        row += 1
        if cells is None:
            yield SkippedRow(row, PersonImportSkip.Reason.NOT_CSV)
        elif not any(cell.strip() for cell in cells):
            yield SkippedRow(row, "")  # a blank line: counted as read, not reported
        else:
            yield _row_parse(row, cells, width, mapping)


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    batch = []
    for item in rows:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def person_import_preview_rows(*, person_import: PersonImport, limit: int = 10) -> list:
    """The first rows as they would be imported (or why they would be skipped), for the preview."""
    raw = _DecryptedFile(person_import)
    try:
        rows = []
        for item in _rows(person_import, raw):
            if isinstance(item, SkippedRow) and not item.reason:
                continue
            rows.append(item)
            if len(rows) >= limit:
                break
        return rows
    finally:
        raw.close()


# --- The organiser's steps -----------------------------------------------------------------


def person_import_create(
    *, organisation: Organisation, user, file_format: str, upload, language: str
) -> PersonImport:
    """Keep an uploaded file (encrypted) for import into ``organisation``.

    Raises ``ImportFileRefused`` for a file that is no readable CSV. An
    Action Network export goes straight to the analysis; another file waits
    for the organiser to choose its columns.
    """
    head = person_import_file_check(upload, file_format=file_format)
    person_import = PersonImport(
        organisation=organisation,
        created_by=user,
        format=file_format,
        file_name=os.path.basename(upload.name or "")[:200],
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        header=head.header,
        delimiter=head.delimiter,
        mapping=mapping_suggest(head.header, file_format=file_format),
    )
    person_import.file_size = _file_store(person_import, upload.chunks())
    try:
        with transaction.atomic():
            person_import.save(force_insert=True)
            if file_format == PersonImport.Format.ACTION_NETWORK:
                _analysis_start(person_import)
    except Exception:
        _file_path(person_import).unlink(missing_ok=True)
        raise
    return person_import


def _analysis_start(person_import: PersonImport) -> None:
    from convoca.people.tasks import person_import_analyse_task

    person_import.status = PersonImport.Status.ANALYSING
    person_import.rows_done = person_import.bytes_done = 0
    person_import.save(update_fields=["status", "mapping", "rows_done", "bytes_done", "updated_at"])
    transaction.on_commit(
        partial(person_import_analyse_task.enqueue, import_id=str(person_import.pk))
    )


def person_import_map(*, person_import: PersonImport, mapping: dict[str, int]) -> None:
    """Read each field from the chosen column (``{field: column number}``), then analyse."""
    width = len(person_import.header)
    clean = {
        field: int(position)
        for field, position in mapping.items()
        if field in FIELD_NAMES and position is not None and 0 <= int(position) < width
    }
    if "email" not in clean:
        raise ValueError("the email column is required")
    with transaction.atomic():
        locked = PersonImport.objects.select_for_update().get(pk=person_import.pk)
        if locked.status not in (PersonImport.Status.MAPPING, PersonImport.Status.READY):
            return
        locked.mapping = clean
        _analysis_start(locked)
    person_import.refresh_from_db()


def person_import_confirm(*, person_import: PersonImport) -> bool:
    """The organiser saw the preview and wants the import: start it in the background."""
    from convoca.people.tasks import person_import_run_task

    with transaction.atomic():
        started = PersonImport.objects.filter(
            pk=person_import.pk, status=PersonImport.Status.READY
        ).update(
            status=PersonImport.Status.IMPORTING,
            rows_done=0,
            started_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if started:
            transaction.on_commit(
                partial(person_import_run_task.enqueue, import_id=str(person_import.pk))
            )
    person_import.refresh_from_db()
    return bool(started)


def person_import_discard(*, person_import: PersonImport) -> None:
    """Give up an import that has not started: its file and key are deleted."""
    discarded = PersonImport.objects.filter(
        pk=person_import.pk,
        status__in=[
            PersonImport.Status.MAPPING,
            PersonImport.Status.ANALYSING,
            PersonImport.Status.READY,
        ],
    ).update(status=PersonImport.Status.CANCELLED, updated_at=timezone.now())
    if discarded:
        _file_forget(person_import)
    person_import.refresh_from_db()


def _fail(person_import_id, reason: str) -> None:
    person_import = PersonImport.objects.get(pk=person_import_id)
    PersonImport.objects.filter(pk=person_import_id).update(
        status=PersonImport.Status.FAILED, error=reason, finished_at=timezone.now()
    )
    _file_forget(person_import)


# --- The background work -------------------------------------------------------------------


class _Addresses:
    """Addresses met in the file, on disk: constant memory for a million rows.

    The analysis asks which addresses it met before (``add``); the import
    asks which row last said yes or no for each address (``say`` for the
    whole file first, then ``deciding_rows`` batch by batch), so that row
    alone decides wherever in the file the others are.
    """

    def __init__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="convoca-import-")
        self._db = sqlite3.connect(Path(self._dir.name) / "addresses.sqlite3")
        self._db.execute(
            "CREATE TABLE address (email_index TEXT PRIMARY KEY, row INTEGER) WITHOUT ROWID"
        )

    def _rows_of(self, indexes: list[str]) -> dict[str, int | None]:
        found = {}
        unique = list(dict.fromkeys(indexes))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            marks = ",".join("?" * len(part))
            found.update(
                self._db.execute(
                    f"SELECT email_index, row FROM address WHERE email_index IN ({marks})",  # noqa: S608
                    part,
                )
            )
        return found

    def add(self, indexes: list[str]) -> set[str]:
        """Record these addresses; return those that were seen before this call."""
        seen = set(self._rows_of(indexes))
        self._db.executemany(
            "INSERT OR IGNORE INTO address (email_index) VALUES (?)",
            [(value,) for value in dict.fromkeys(indexes)],
        )
        return seen

    def say(self, said: list[tuple[str, int]]) -> None:
        """Record rows that say yes or no for an address, in file order: the last one stays."""
        self._db.executemany(
            "INSERT INTO address VALUES (?, ?) "
            "ON CONFLICT (email_index) DO UPDATE SET row = excluded.row",
            said,
        )

    def deciding_rows(self, indexes: list[str]) -> dict[str, int]:
        """For each address, the number of the last row in the file that says yes or no."""
        return {index: row for index, row in self._rows_of(indexes).items() if row is not None}

    def close(self):
        self._db.close()
        self._dir.cleanup()


def person_import_analyse(*, import_id: str) -> None:
    """Read the whole file once and count what importing it would do; change no one.

    Counts rows that would add someone new to the organisation, rows that
    match someone it already has (or an earlier row), rows to skip, and
    rows whose file says "subscribed". Safe to run twice: it starts over.
    """
    person_import = PersonImport.objects.filter(
        pk=import_id, status=PersonImport.Status.ANALYSING
    ).first()
    if person_import is None:
        return
    organisation = person_import.organisation
    counts = {"rows": 0, "new": 0, "merged": 0, "skipped": 0, "consents": 0}
    seen = _Addresses()
    try:
        raw = _DecryptedFile(person_import)
        try:
            for batch in _batches(_rows(person_import, raw), BATCH_ROWS):
                valid = [item for item in batch if isinstance(item, ImportRow)]
                indexes = [email_index(item.data.email) for item in valid]
                known = person_indexes_known_to(organisation=organisation, email_indexes=indexes)
                earlier = seen.add(indexes)
                in_batch: set[str] = set()
                for item, index in zip(valid, indexes, strict=True):
                    if index in known or index in earlier or index in in_batch:
                        counts["merged"] += 1
                    else:
                        counts["new"] += 1
                    in_batch.add(index)
                    counts["consents"] += item.consent == "yes"
                counts["skipped"] += sum(
                    1 for item in batch if isinstance(item, SkippedRow) and item.reason
                )
                counts["rows"] += len(batch)
                if not PersonImport.objects.filter(
                    pk=import_id, status=PersonImport.Status.ANALYSING
                ).update(rows_done=counts["rows"], bytes_done=raw.bytes_read):
                    return  # discarded meanwhile
        finally:
            raw.close()
    except ImportFileDamaged:
        _fail(import_id, "unreadable")
        return
    finally:
        seen.close()
    PersonImport.objects.filter(pk=import_id, status=PersonImport.Status.ANALYSING).update(
        status=PersonImport.Status.READY,
        total_rows=counts["rows"],
        rows_done=0,
        preview_new=counts["new"],
        preview_merged=counts["merged"],
        preview_skipped=counts["skipped"],
        preview_consents=counts["consents"],
        updated_at=timezone.now(),
    )


def person_import_run(*, import_id: str) -> None:
    """Import the file's rows, batch by batch, each batch and its figures in one transaction.

    A run interrupted (the worker stopped) starts again after the last
    committed batch, so every row is imported once and the report adds up.
    """
    person_import = PersonImport.objects.filter(
        pk=import_id, status=PersonImport.Status.IMPORTING
    ).first()
    if person_import is None:
        return
    addresses = _Addresses()
    try:
        _deciding_rows_find(person_import, addresses)
        raw = _DecryptedFile(person_import)
        try:
            done = person_import.rows_done
            rows = _rows(person_import, raw)
            for _ in range(done):  # already imported by an earlier, interrupted run
                next(rows, None)
            for batch in _batches(rows, BATCH_ROWS):
                if not _batch_import(person_import, batch, done_before=done, addresses=addresses):
                    return  # discarded, or another worker has it
                done += len(batch)
        finally:
            raw.close()
    except ImportFileDamaged:
        _fail(import_id, "unreadable")
        return
    except Exception:
        logger.exception("import %s stopped", import_id)
        _fail(import_id, "crashed")
        raise
    finally:
        addresses.close()
    with transaction.atomic():
        consents = Consent.objects.filter(source=person_import.source).count()
        PersonImport.objects.filter(pk=import_id, status=PersonImport.Status.IMPORTING).update(
            status=PersonImport.Status.DONE,
            consents=consents,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    _file_forget(person_import)


def _consent_wording(person_import: PersonImport, organisation: Organisation) -> str:
    """The evidence for an imported consent: what the file said, and when it was imported."""
    values = {
        "organisation": organisation.name,
        "date": (person_import.started_at or timezone.now()).date().isoformat(),
    }
    with translation.override(person_import.language):
        if person_import.format == PersonImport.Format.ACTION_NETWORK:
            return (
                gettext(
                    "Subscribed to the emails of %(organisation)s on Action Network "
                    "(imported on %(date)s)."
                )
                % values
            )
        return (
            gettext(
                "Agreed to be contacted by %(organisation)s, as recorded in a file it "
                "imported on %(date)s."
            )
            % values
        )


def _deciding_rows_find(person_import: PersonImport, addresses: _Addresses) -> None:
    """Read the whole file once to learn, for each address, its last row that says yes or no.

    Only that row grants or withdraws: an address unsubscribed early in the
    file and subscribed further down (or the reverse) ends the same way
    whichever batch each row falls in, and a second import of the file
    changes nothing.
    """
    raw = _DecryptedFile(person_import)
    try:
        for batch in _batches(_rows(person_import, raw), BATCH_ROWS):
            addresses.say(
                [
                    (email_index(item.data.email), item.row)
                    for item in batch
                    if isinstance(item, ImportRow) and item.consent != "no"
                ]
            )
    finally:
        raw.close()


def _batch_import(
    person_import: PersonImport, batch: list, *, done_before: int, addresses: _Addresses
) -> bool:
    """Import one batch and add it to the figures; False if the import is no longer ours."""
    organisation = person_import.organisation
    valid = [item for item in batch if isinstance(item, ImportRow)]
    skipped = [item for item in batch if isinstance(item, SkippedRow) and item.reason]
    with transaction.atomic():
        locked = PersonImport.objects.select_for_update().filter(pk=person_import.pk).first()
        if (
            locked is None
            or locked.status != PersonImport.Status.IMPORTING
            or locked.rows_done != done_before
        ):
            return False
        indexes = [email_index(item.data.email) for item in valid]
        known = person_indexes_known_to(organisation=organisation, email_indexes=indexes)
        results = people_upsert(data=[item.data for item in valid], blanks_only=True)
        created = merged = 0
        people: dict[str, Person] = {}
        for index, result in zip(indexes, results, strict=True):
            if index in known or index in people:
                merged += 1
            else:
                created += 1
            people[index] = result.person
        _imported_activities_add(person_import, list(people.values()))

        # An address given several times: its last row in the file that says yes or no decides.
        deciding = addresses.deciding_rows(indexes)
        said: dict[str, str] = {
            index: item.consent
            for item, index in zip(valid, indexes, strict=True)
            if item.consent != "no" and deciding.get(index) == item.row
        }
        wanted = {index for index, consent in said.items() if consent == "yes"}
        refused = marketing_refused(organisation=organisation, email_indexes=list(wanted))
        kept_unsubscribed = len(refused)  # people, each counted at their deciding row
        consent_give_many(
            people=[people[index] for index in wanted - refused],
            purpose=Consent.Purpose.CONTACT,
            wording=_consent_wording(person_import, organisation),
            source=person_import.source,
            organisation=organisation,
        )
        leaving = [people[index].pk for index, consent in said.items() if consent == "withdraw"]
        unsubscribed = 0
        for person_id, organisation_id, purpose in (
            Consent.objects.filter(person__in=leaving, withdrawn_at__isnull=True)
            .order_by()
            .values_list("person_id", "organisation_id", "purpose")
        ):
            if organisation_id != organisation.pk or purpose != Consent.Purpose.CONTACT:
                continue
            unsubscribed += consent_withdraw(
                person=Person(pk=person_id),
                purpose=Consent.Purpose.CONTACT,
                organisation=organisation,
            )
        PersonImportSkip.objects.bulk_create(
            [
                PersonImportSkip(person_import=locked, row=item.row, reason=item.reason)
                for item in skipped
            ],
            ignore_conflicts=True,
        )
        locked.rows_done = done_before + len(batch)
        locked.created += created
        locked.merged += merged
        locked.skipped += len(skipped)
        locked.kept_unsubscribed += kept_unsubscribed
        locked.unsubscribed += unsubscribed
        figures = ["rows_done", "created", "merged", "skipped", "kept_unsubscribed", "unsubscribed"]
        locked.save(update_fields=[*figures, "updated_at"])
    return True


def _imported_activities_add(person_import: PersonImport, people: list[Person]) -> None:
    """Put "imported by the organisation" on the timeline of those who don't have it yet.

    Once per person and organisation: a second import of the same people adds nothing.
    """
    organisation = person_import.organisation
    have = set(
        Activity.objects.filter(
            organisation=organisation,
            kind=Activity.Kind.IMPORTED,
            person__in=[person.pk for person in people],
        )
        .order_by()
        .values_list("person_id", flat=True)
    )
    subject_type = ContentType.objects.get_for_model(PersonImport)
    with translation.override(person_import.language):
        summary = str(PersonImport.Format(person_import.format).label)[:300]
    Activity.objects.bulk_create(
        Activity(
            person=person,
            kind=Activity.Kind.IMPORTED,
            organisation=organisation,
            summary=summary,
            subject_type=subject_type,
            subject_id=str(person_import.pk),
        )
        for person in people
        if person.pk not in have
    )
