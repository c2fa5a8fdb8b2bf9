"""open_table: encodings, delimiters, ragged and repeated things, and files that are not tables.
Every file is written by the test itself."""

import os
from pathlib import Path

import pytest
from openpyxl import Workbook

from rapport.imports.sources import RawRow, Unreadable, open_table

HEADER = "Name,Date,Channel\n"
LINES = "Ana Ruiz,2024-03-05,Walk-up\nBen Okafor,2024-03-06,Chat\n"
EXPECTED = [
    RawRow(1, {"Name": "Ana Ruiz", "Date": "2024-03-05", "Channel": "Walk-up"}, []),
    RawRow(2, {"Name": "Ben Okafor", "Date": "2024-03-06", "Channel": "Chat"}, []),
]


def write(tmp_path: Path, data: bytes | str, name: str = "file.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_utf8_comma_file_is_read_with_its_encoding_and_delimiter(tmp_path):
    table = open_table(write(tmp_path, HEADER + LINES))
    assert (table.headers, table.encoding, table.delimiter) == (
        ["Name", "Date", "Channel"],
        "utf-8",
        ",",
    )
    assert table.warnings == []
    assert list(table.rows()) == EXPECTED


@pytest.mark.parametrize(
    ("delimiter", "name"), [(";", "semicolon"), ("\t", "tab"), ("|", "bar"), (",", "comma")]
)
def test_delimiter_is_sniffed(tmp_path, delimiter, name):
    text = (HEADER + LINES).replace(",", delimiter)
    table = open_table(write(tmp_path, text, f"{name}.csv"))
    assert table.delimiter == delimiter
    assert list(table.rows()) == EXPECTED


def test_semicolons_with_decimal_commas_are_not_mistaken_for_commas(tmp_path):
    text = "Name;Minutes;Note\nAna;1,5;long, winding\nBen;2,0;short\n"
    table = open_table(write(tmp_path, text))
    assert table.delimiter == ";"
    assert next(table.rows()).values == {
        "Name": "Ana",
        "Minutes": "1,5",
        "Note": "long, winding",
    }


def test_wrong_delimiter_given_reads_one_column_and_says_so(tmp_path):
    table = open_table(write(tmp_path, (HEADER + LINES).replace(",", ";")), delimiter=",")
    assert table.headers == ["Name;Date;Channel"]
    assert table.warnings == [
        "Only one column was found using the comma as separator, but the headings contain a "
        "semicolon: choose that separator if the columns look wrong."
    ]


def test_utf8_with_bom_loses_the_bom(tmp_path):
    table = open_table(write(tmp_path, b"\xef\xbb\xbf" + (HEADER + LINES).encode()))
    assert table.encoding == "utf-8-sig"
    assert table.headers[0] == "Name"
    assert list(table.rows()) == EXPECTED


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_or_without_bom(tmp_path, encoding):
    text = "Name,Note\nZoë Ørsted,café\n"
    table = open_table(write(tmp_path, text.encode(encoding)))
    assert table.headers == ["Name", "Note"]
    assert [r.values for r in table.rows()] == [{"Name": "Zoë Ørsted", "Note": "café"}]
    if encoding == "utf-16":
        assert (table.encoding, table.warnings) == ("utf-16", [])
    else:
        assert table.encoding == encoding
        endian = "little" if encoding.endswith("le") else "big"
        assert table.warnings == [
            f"The file is UTF-16 without a byte order mark; read as {endian}-endian UTF-16."
        ]


def test_windows_1252_is_the_fallback_and_is_reported(tmp_path):
    text = "Name,Note\nZoë,“quoted” – café\n"
    table = open_table(write(tmp_path, text.encode("cp1252")))
    assert table.encoding == "cp1252"
    assert table.warnings == [
        "The file is not UTF-8; it was read as Windows-1252 (Western European). "
        "If letters look wrong, choose its encoding."
    ]
    assert [r.values for r in table.rows()] == [{"Name": "Zoë", "Note": "“quoted” – café"}]


def test_encoding_given_is_used(tmp_path):
    table = open_table(write(tmp_path, "Name\nZoë\n".encode("latin-1")), encoding="latin-1")
    assert table.encoding == "iso8859-1"
    assert [r.values for r in table.rows()] == [{"Name": "Zoë"}]


def test_unknown_encoding_is_refused(tmp_path):
    with pytest.raises(Unreadable) as caught:
        open_table(write(tmp_path, HEADER), encoding="klingon")
    assert str(caught.value) == "'klingon' is not an encoding this reader knows."


def test_bytes_that_break_the_encoding_late_in_the_file_are_marked_on_their_row(tmp_path):
    good = "".join(f"Person {i},2024-03-05,Chat\n" for i in range(20_000)).encode()
    data = HEADER.encode() + good + b"Zo\xeb,2024-03-07,Chat\n"
    assert len(data) > 256 * 1024  # the sniffed part is clean
    rows = list(open_table(write(tmp_path, data)).rows())
    assert len(rows) == 20_001
    assert rows[-1] == RawRow(
        20_001,
        {"Name": "Zo\ufffd", "Date": "2024-03-07", "Channel": "Chat"},
        ["has characters the file's encoding cannot show (shown as \ufffd)"],
    )
    assert all(r.problems == [] for r in rows[:-1])


def test_quoted_newlines_and_quotes_stay_in_their_cell(tmp_path):
    text = 'Name,Question\r\nAna,"Two lines:\r\nsecond, with ""quotes"""\r\nBen,one\r\n'
    rows = list(open_table(write(tmp_path, text)).rows())
    assert [(r.number, r.values["Question"]) for r in rows] == [
        (1, 'Two lines:\r\nsecond, with "quotes"'),
        (2, "one"),
    ]


def test_ragged_rows_are_kept_with_a_problem(tmp_path):
    text = "A,B,C\n1,2\n1,2,3,4,5\n1,2,3,,\n"
    rows = list(open_table(write(tmp_path, text)).rows())
    assert rows == [
        RawRow(1, {"A": "1", "B": "2", "C": ""}, ["has 2 cells, the headings have 3"]),
        RawRow(
            2,
            {"A": "1", "B": "2", "C": "3", "(column 4)": "4", "(column 5)": "5"},
            ["has 5 cells, the headings have 3: the extra cells '4', '5' kept in details"],
        ),
        RawRow(3, {"A": "1", "B": "2", "C": "3"}, []),
    ]


def test_repeated_and_empty_headers_are_made_unique(tmp_path):
    text = "Tags,Name,tags,,Tags\na,b,c,d,e\n"
    table = open_table(write(tmp_path, text))
    assert table.headers == ["Tags", "Name", "tags (2)", "Column 4", "Tags (3)"]
    assert table.warnings == [
        "Repeated headings were numbered: 'tags' → 'tags (2)', 'Tags' → 'Tags (3)'."
    ]
    assert next(table.rows()).values == {
        "Tags": "a",
        "Name": "b",
        "tags (2)": "c",
        "Column 4": "d",
        "Tags (3)": "e",
    }


def test_blank_lines_are_skipped_but_counted(tmp_path):
    text = (
        "\n\nName,Date,Channel\n\nAna Ruiz,2024-03-05,Walk-up\n,,\n\nBen Okafor,2024-03-06,Chat\n"
    )
    rows = list(open_table(write(tmp_path, text)).rows())
    assert [(r.number, r.values["Name"]) for r in rows] == [(2, "Ana Ruiz"), (5, "Ben Okafor")]


def test_cells_are_stripped(tmp_path):
    rows = list(open_table(write(tmp_path, " Name , Date \n  Ana  ,\t2024-03-05 \n")).rows())
    assert rows == [RawRow(1, {"Name": "Ana", "Date": "2024-03-05"}, [])]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n\n \n", "The file is empty."),
        (
            b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body></body></html>",
            "This file is a web page (HTML), not a CSV export. This usually happens when an "
            "export link is saved while signed out: download the export again from the system.",
        ),
        (
            b"\n  <html>\n<body><table><tr><td>1</td></tr></table></body></html>",
            "This file is a web page (HTML), not a CSV export.",
        ),
        (b"%PDF-1.7\n%\xe2\xe3", "This file is a PDF, not a CSV export or an XLSX workbook."),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
            "This file holds binary data, not text: it is not a CSV or spreadsheet export.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200),
            "This is an old Excel file (.xls). Open it in a spreadsheet and save it as .xlsx "
            "or CSV, then import that.",
        ),
        (
            b"PK\x03\x04 this is no zip at all",
            "This file looks like a workbook (XLSX) but could not be opened. Save it again "
            "from the spreadsheet as .xlsx or CSV, then import that.",
        ),
    ],
)
def test_files_that_are_not_tables_are_unreadable(tmp_path, data, message):
    with pytest.raises(Unreadable) as caught:
        open_table(write(tmp_path, data))
    assert str(caught.value).startswith(message)


def test_missing_file_is_unreadable(tmp_path):
    with pytest.raises(Unreadable, match="The file could not be opened"):
        open_table(tmp_path / "nowhere.csv")


def test_sparse_two_gigabyte_file_is_refused_from_its_head(tmp_path):
    path = write(tmp_path, HEADER + LINES, "huge.csv")
    os.truncate(path, 2 * 1024**3)  # the rest is a hole of zero bytes
    with pytest.raises(Unreadable) as caught:
        open_table(path)
    assert str(caught.value) == (
        "This file holds binary data, not text: it is not a CSV or spreadsheet export."
    )


def test_rows_can_be_read_again_and_sampled(tmp_path):
    table = open_table(write(tmp_path, HEADER + LINES * 20))
    assert len(list(table.rows())) == 40
    assert len(list(table.rows())) == 40
    assert [r.number for r in table.sample(3)] == [1, 2, 3]
    assert table.sample() == list(table.rows())[:20]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_first_sheet_with_data_is_read_and_the_others_named(tmp_path):
    import datetime as dt

    path = workbook(
        tmp_path / "stats.xlsx",
        {
            "Notes": [],
            "Data": [
                ["Name", "When", "Minutes", "Serial", "Done"],
                ["Ana", dt.datetime(2024, 3, 5, 14, 30), 15.0, 45356.5, True],
                [None, None, None, None, None],
                ["Ben", dt.date(2024, 3, 6), 7.5, None, False, None, None],
            ],
            "Summary": [["Total", 2]],
        },
    )
    table = open_table(path)
    assert (table.sheets, table.sheet, table.encoding, table.delimiter) == (
        ["Notes", "Data", "Summary"],
        "Data",
        None,
        None,
    )
    assert table.warnings == [
        "The workbook has 3 sheets; read 'Data' (others: 'Notes', 'Summary')."
    ]
    assert list(table.rows()) == [
        RawRow(
            1,
            {
                "Name": "Ana",
                "When": "2024-03-05 14:30:00",
                "Minutes": "15",
                "Serial": "45356.5",
                "Done": "TRUE",
            },
            [],
        ),
        RawRow(
            3,
            {"Name": "Ben", "When": "2024-03-06", "Minutes": "7.5", "Serial": "", "Done": "FALSE"},
            [],
        ),
    ]


def test_xlsx_sheet_is_chosen_by_name(tmp_path):
    path = workbook(tmp_path / "two.xlsx", {"A": [["x"], ["1"]], "B": [["y"], ["2"]]})
    table = open_table(path, sheet="B")
    assert (table.sheet, table.headers) == ("B", ["y"])
    assert [r.values for r in table.rows()] == [{"y": "2"}]


def test_xlsx_unknown_sheet_names_the_sheets(tmp_path):
    path = workbook(tmp_path / "two.xlsx", {"Jan": [["x"]], "Feb": [["y"]]})
    with pytest.raises(Unreadable) as caught:
        open_table(path, sheet="Mar")
    assert (
        str(caught.value)
        == "There is no sheet 'Mar' in this workbook. Its sheets are: 'Jan', 'Feb'."
    )


def test_xlsx_without_data_is_unreadable(tmp_path):
    path = workbook(tmp_path / "empty.xlsx", {"Sheet1": [], "Sheet2": [[None, None]]})
    with pytest.raises(Unreadable) as caught:
        open_table(path)
    assert str(caught.value) == "The workbook has no data."
    with pytest.raises(Unreadable) as caught:
        open_table(path, sheet="Sheet2")
    assert str(caught.value) == "The sheet 'Sheet2' has no data."


def test_a_hole_after_good_rows_ends_the_file_with_one_error_row(tmp_path):
    from rapport.imports.sources import Mapping, apply_mapping

    path = write(tmp_path, HEADER + LINES * 5_000, "holey.csv")
    assert path.stat().st_size > 256 * 1024  # the sniffed head is all good text
    os.truncate(path, 2 * 1024**3)
    table = open_table(path)
    rows = list(table.rows())
    assert len(rows) == 10_001
    assert rows[-1] == RawRow(
        10_001,
        {"Name": "", "Date": "", "Channel": ""},
        [
            "the rest of the file could not be read (a line longer than 1 MB); no rows after "
            "this one"
        ],
    )
    mapping = Mapping(target="touchpoints", columns={"occurred_at": ["Date"]})
    last = list(apply_mapping(table, mapping))[-1]
    assert (last.number, last.errors, last.warnings) == (
        10_001,
        [
            "Row 10001: the rest of the file could not be read (a line longer than 1 MB); no rows "
            "after this one"
        ],
        [],
    )
