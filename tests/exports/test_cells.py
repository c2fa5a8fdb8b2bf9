"""Cells: the formula guard, how values are written, and the CSV round trip (property)."""

import datetime as dt
import io

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from rapport.exports.cells import csv_cell, escape_cell, unescape_cell, xlsx_value
from rapport.exports.writers import csv_lines, write_xlsx
from tests.exports.conftest import read_csv


def test_escape_cell_guards_every_formula_start():
    assert [escape_cell(t) for t in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'a", "ok"]] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "''a",
        "ok",
    ]


def test_csv_cell_writes_values_plainly():
    at = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    assert [
        csv_cell(v) for v in [None, True, False, 3, -2, 1.5, at, dt.date(2026, 3, 1), ["a", "b"]]
    ] == ["", "yes", "no", "3", "-2", "1.5", "2026-03-01 09:30", "2026-03-01", "a; b"]


def test_csv_lines_start_with_a_bom_and_quote_what_needs_it():
    text = "".join(csv_lines(["Name", "Note"], [["Ana", 'says "hi",\nthen =cmd|calc']]))

    assert text == '\ufeffName,Note\r\nAna,"says ""hi"",\nthen =cmd|calc"\r\n'


def test_xlsx_keeps_formula_text_as_text():
    target = io.BytesIO()
    write_xlsx(target, "People", ["Name"], [['=HYPERLINK("http://evil")'], ["bad\x00\x07ok"]])

    sheet = load_workbook(io.BytesIO(target.getvalue())).active
    cells = [sheet.cell(row=2, column=1), sheet.cell(row=3, column=1)]
    assert [(c.value, c.data_type) for c in cells] == [
        ('=HYPERLINK("http://evil")', "s"),
        ("badok", "s"),
    ]


def test_xlsx_value_cuts_text_at_excels_limit():
    assert len(xlsx_value("x" * 40_000)) == 32_767


# Text a cell may hold: anything but lone surrogates (not UTF-8) and NUL (which no database
# here stores either).
cell_text = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))


@given(st.lists(st.lists(st.one_of(cell_text, st.integers()), min_size=3, max_size=3)))
def test_csv_export_round_trips_through_the_csv_module(rows):
    data = "".join(csv_lines(["A", "B", "C"], rows)).encode("utf-8")

    read = read_csv(data)

    assert read == [["A", "B", "C"], *[[str(v) for v in row] for row in rows]]


@given(cell_text)
def test_unescape_undoes_escape(text):
    assert unescape_cell(escape_cell(text)) == text
