"""CSV files staff download: safe to open in a spreadsheet, streamed in constant memory.

Every export (signatures, donations, registrations) writes through ``csv_stream``
so that no cell a supporter typed can run as a formula in the organiser's
spreadsheet, and so that Excel reads the accents of a Spanish name right.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

#: What makes a spreadsheet read a cell as a formula (OWASP's list), and the
#: full-width forms some spreadsheets also accept.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

BOM = "\ufeff".encode()

#: Rows are sent in pieces of about this size: few writes, little memory.
CHUNK_SIZE = 64 * 1024


def csv_safe(value) -> str:
    """The text of one cell, with a leading apostrophe if a spreadsheet would run it.

    A cell is neutralised when it starts with a formula character, also
    after leading whitespace (``"  =1+1"``). A negative number therefore
    reads ``'-2``: still legible, and read as text, which is acceptable in
    a list of people.
    """
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Line:
    """A file-like object whose ``write`` hands back what the csv writer gives it."""

    def write(self, text: str) -> str:
        return text


def csv_stream(rows: Iterable[Iterable], header: Iterable) -> Iterator[bytes]:
    """Yield a UTF-8 CSV file, byte-order mark and header first, every cell ``csv_safe``.

    The header leaves at once so the download starts; rows follow in
    chunks of about ``CHUNK_SIZE`` bytes. Nothing but the current chunk is
    held in memory, whatever the number of rows.
    """
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([csv_safe(cell) for cell in header]).encode()
    buffer: list[str] = []
    size = 0
    for row in rows:
        line = writer.writerow([csv_safe(cell) for cell in row])
        buffer.append(line)
        size += len(line)
        if size >= CHUNK_SIZE:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def csv_stream_audited(
    rows: Iterable[Iterable],
    *,
    header: Iterable,
    user,
    organisation,
    verb: str,
    target: str,
) -> Iterator[bytes]:
    """``csv_stream``, leaving one audit entry (``audit_record``) when it ends, finished or not.

    The entry counts the rows handed to the CSV writer (if the download was
    interrupted, possibly one chunk more than the client received: the trail
    errs towards more, never fewer). An interrupted export closes ``rows``,
    which releases its database cursor at once.
    """
    from convoca.core.audit import audit_record

    written = 0

    def counted() -> Iterator[Iterable]:
        nonlocal written
        for row in rows:
            written += 1
            yield row

    chunks = csv_stream(counted(), header=header)
    try:
        yield from chunks
    finally:
        chunks.close()
        close = getattr(rows, "close", None)
        if close:
            close()
        audit_record(user=user, organisation=organisation, verb=verb, target=target, count=written)


def csv_download(chunks: Iterator[bytes], *, filename: str) -> StreamingHttpResponse:
    """A streamed CSV attachment under ``filename``."""
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
