"""The workbook check: bombs and odd archives are refused with a message before openpyxl
opens them, and checking them costs a block of memory, not what they unpack to. Every file is
written by the test (benchmarks/hostile_files.py); none is committed."""

import tracemalloc
from dataclasses import replace

import pytest
from openpyxl import Workbook

from benchmarks import hostile_files as hostile
from rapport.imports.sources import Unreadable, open_table
from rapport.imports.sources.archive import DAMAGED, Limits, check_workbook, count_members

MB = 1024 * 1024
SMALL = Limits()


def peak_while(action) -> tuple[BaseException | None, int]:
    """What `action()` raised and the most Python memory it held at once, in bytes."""
    tracemalloc.start()
    try:
        action()
    except Exception as err:
        raised: BaseException | None = err
    else:
        raised = None
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return raised, peak


def test_a_shared_strings_bomb_is_refused_before_openpyxl_and_memory_stays_small(tmp_path):
    # 160 MB of two-letter texts in 0.4 MB: openpyxl would keep ten million strings.
    path = hostile.shared_strings_bomb(tmp_path / "bomb.xlsx", mb=160)
    assert path.stat().st_size < MB

    raised, peak = peak_while(lambda: open_table(path))

    assert isinstance(raised, Unreadable)
    assert str(raised) == (
        "Part “xl/sharedStrings.xml” of this workbook unpacks to 160 MB from 398 KB, more than "
        "100 to 1: spreadsheets are never compressed that far, so it was not opened (it looks "
        "like a zip bomb). If it is a real export, save it from the spreadsheet as CSV and "
        "import that."
    )
    assert peak < 5 * MB


def test_a_bomb_whose_sizes_lie_is_refused_on_its_bytes(tmp_path):
    # The directory says every part is under 1 KB; the shared strings unpack to 64 MB.
    path = hostile.lying_sizes(tmp_path / "liar.xlsx", mb=64)

    raised, peak = peak_while(lambda: open_table(path))

    assert str(raised) == DAMAGED
    assert peak < 5 * MB


def test_shared_strings_over_the_size_limit_are_refused(tmp_path, settings):
    settings.RAPPORT_IMPORT_MAX_SHARED_STRINGS_MB = 1
    path = hostile.many_strings(tmp_path / "texts.xlsx", count=80_000)  # about 2 MB

    with pytest.raises(Unreadable) as err:
        check_workbook(path)

    assert str(err.value).startswith(
        "This workbook's shared strings (the texts of its cells) unpack to 2 MB, more than the "
        "1 MB a workbook may hold here, so it was not opened."
    )


def test_too_many_shared_strings_are_refused_counting_the_bytes_not_the_directory(tmp_path):
    path = hostile.many_strings(tmp_path / "texts.xlsx", count=5_001)

    with pytest.raises(Unreadable) as err:
        check_workbook(path, replace(SMALL, shared_strings=5_000))

    assert str(err.value).startswith(
        "This workbook holds more than 5,000 different texts (its shared strings)"
    )
    check_workbook(path, replace(SMALL, shared_strings=5_001))


def test_a_row_larger_than_a_spreadsheet_writes_is_refused(tmp_path):
    path = hostile.wide_row(tmp_path / "wide.xlsx", cells=100_000)  # about 2 MB in one row

    with pytest.raises(Unreadable) as err:
        check_workbook(path, replace(SMALL, piece=MB))

    assert str(err.value).startswith(
        "This workbook was not opened: one row of a sheet is larger than a spreadsheet writes"
    )
    check_workbook(path)  # within the default limits


def test_more_rows_than_a_sheet_holds_are_refused(tmp_path):
    path = hostile.write_workbook(
        tmp_path / "rows.xlsx", sheet=[hostile._row(n).encode() for n in range(1, 12)]
    )

    with pytest.raises(Unreadable) as err:
        check_workbook(path, replace(SMALL, rows=10))

    assert str(err.value) == (
        "A sheet of this workbook has more than 10 rows, more than a spreadsheet can hold, "
        "so it was not opened."
    )


def test_the_total_unpacked_is_capped_declared_and_counted(tmp_path, settings):
    settings.RAPPORT_IMPORT_MAX_UNPACKED_MB = 3
    path = hostile.write_workbook(
        tmp_path / "big.xlsx", sheet=[b"<row>", *hostile.random_cells(200_000), b"</row>"]
    )

    with pytest.raises(Unreadable) as err:
        check_workbook(path)

    assert "more than the 3 MB a workbook may unpack to here" in str(err.value)


def test_a_part_read_whole_is_held_to_the_small_limit_even_when_named_as_a_sheet(tmp_path):
    # The workbook also points an external link at its sheet: openpyxl would read it whole.
    link = (
        f'<Relationship Id="rId9" Type="{hostile.REL_NS}/externalLink" '
        'Target="worksheets/sheet1.xml"/>'
    )
    path = hostile.write_workbook(
        tmp_path / "trick.xlsx",
        sheet=[hostile._row(n).encode() for n in range(1, 2_000)],
        rels=link,
    )
    check_workbook(path)  # 2,000 rows are a small part either way

    with pytest.raises(Unreadable) as err:
        check_workbook(path, replace(SMALL, piece=64 * 1024))

    assert "its part “xl/worksheets/sheet1.xml” is larger than a spreadsheet writes" in str(
        err.value
    )


def test_a_dtd_is_refused(tmp_path):
    path = hostile.write_workbook(
        tmp_path / "dtd.xlsx",
        parts={"xl/styles.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x/>'},
    )

    with pytest.raises(Unreadable) as err:
        check_workbook(path)

    assert str(err.value).startswith(
        "Part “xl/styles.xml” of this workbook declares a DTD, which spreadsheets never do"
    )


def test_too_many_members_are_counted_from_the_end_record(tmp_path):
    path = hostile.write_workbook(
        tmp_path / "parts.xlsx", parts={f"xl/media/{n}.txt": b"x" for n in range(20)}
    )

    assert count_members(path) == 26
    with pytest.raises(Unreadable) as err:
        check_workbook(path, replace(SMALL, members=25))

    assert str(err.value).startswith(
        "This file holds 26 parts; a workbook has a few dozen, so it was not opened."
    )


@pytest.mark.parametrize(
    "build",
    [
        hostile.zip_not_workbook,
        lambda path: path.write_bytes(b"PK\x03\x04not really a workbook") and path,
    ],
)
def test_a_zip_that_is_no_workbook_is_refused_as_damaged(tmp_path, build):
    path = tmp_path / "x.xlsx"
    build(path)

    with pytest.raises(Unreadable) as err:
        open_table(path)

    assert str(err.value) == DAMAGED


def test_workbooks_as_spreadsheets_write_them_pass(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Date", "Staff", "Question"])
    for n in range(5_000):
        sheet.append([f"2025-01-{1 + n % 28:02d}", "AL", f"Question {n} " + "x" * (n % 300)])
    book.create_sheet("Notes").append(["Read me"])
    path = tmp_path / "real.xlsx"
    book.save(path)

    check_workbook(path)
    assert open_table(path).headers == ["Date", "Staff", "Question"]

    hand_made = hostile.write_workbook(tmp_path / "hand.xlsx")
    assert open_table(hand_made).sample() == open_table(hand_made).sample()
    assert [r.values for r in open_table(hand_made).sample()] == [
        {"Date": "2025-01-03", "Question": "Question 2"}
    ]
