import csv
import io

import pytest

from convoca.core.csv import csv_safe, csv_stream


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("  =1+1", "'  =1+1"),
        ("\n@SUM(A1)", "'\n@SUM(A1)"),
        ("\uff1d1+1", "'\uff1d1+1"),  # a full-width equals sign
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_apostrophe(value, cell):
    assert csv_safe(value) == cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("Ana López", "Ana López"),
        ("ana@example.org", "ana@example.org"),
        ("Sindicato = fuerza", "Sindicato = fuerza"),
        (42, "42"),
        (None, ""),
        ("", ""),
    ],
)
def test_ordinary_cells_are_left_as_they_are(value, cell):
    assert csv_safe(value) == cell


def test_a_negative_number_stays_readable_as_text():
    assert csv_safe(-2) == "'-2"


def test_the_stream_starts_with_a_byte_order_mark_and_reads_back_in_utf_8():
    rows = [["Ana", "Núñez", "=1+1"], ["Bea", "Ibáñez", "línea uno\nlínea dos"]]
    data = b"".join(csv_stream(iter(rows), header=["nombre", "apellido", "comentario"]))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\xef\xbb\xbf") == 1
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed == [
        ["nombre", "apellido", "comentario"],
        ["Ana", "Núñez", "'=1+1"],
        ["Bea", "Ibáñez", "línea uno\nlínea dos"],
    ]


def test_the_header_leaves_first_and_rows_follow_in_chunks(monkeypatch):
    monkeypatch.setattr("convoca.core.csv.CHUNK_SIZE", 100)
    rows = ([str(i), "x" * 40] for i in range(50))
    chunks = list(csv_stream(rows, header=["n", "text"]))
    assert chunks[0] == b"\xef\xbb\xbfn,text\r\n"
    assert len(chunks) > 10
    assert all(len(chunk) < 200 for chunk in chunks)
    assert b"".join(chunks).count(b"\r\n") == 51


def test_the_stream_reads_rows_only_as_it_is_consumed():
    consumed = []

    def rows():
        for i in range(3):
            consumed.append(i)
            yield [i]

    stream = csv_stream(rows(), header=["n"])
    next(stream)
    assert consumed == []
