"""RIS (EndNote, Scopus, Zotero) and the Web of Science tagged export."""

from datetime import date
from pathlib import Path

from rapport.awareness.formats import Problem, Record, parse_ris

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_parse_ris_reads_records_and_reports_the_damaged_ones_in_order():
    result = parse_ris(read("endnote-export.ris"))

    assert result.format == "ris"
    assert [r.title for r in result.records] == [
        "Hallway Questions and the Unasked Question",
        "Touchpoint counts by channel",
        "A Record Whose TY Line Was Lost",
        "Preprint about Digest Timing",
    ]
    assert result.problems == [
        Problem(
            "record 3 (line 24)",
            "The record does not start with a type line (TY); it was read anyway.",
        ),
        Problem("record 4 (line 30)", "This record has no title; it was skipped."),
        Problem("record 5 (line 35)", "The last record has no end line (ER); it was read anyway."),
    ]


def test_parse_ris_joins_continuation_lines_and_ignores_unknown_tags():
    first = parse_ris(read("endnote-export.ris")).records[0]

    assert first == Record(
        title="Hallway Questions and the Unasked Question",
        abstract="Small encounters outside the library add up to a steady stream of requests.",
        authors=["María José García", "Ngozi Okafor"],
        venue="Library Outreach Quarterly",
        published_on=date(2019, 3, 1),
        link="https://doi.org/10.5555/loq.2019.7",
        doi="10.5555/loq.2019.7",
        keywords=["outreach", "reference interview"],
        kind="article",
    )


def test_parse_ris_maps_types_and_finds_arxiv_ids_in_urls():
    records = parse_ris(read("endnote-export.ris")).records

    assert [(r.kind, r.arxiv_id) for r in records] == [
        ("article", ""),
        ("dataset", ""),
        ("article", ""),
        ("preprint", "2101.00001"),
    ]


def test_parse_ris_skips_text_before_the_first_record():
    result = parse_ris(read("rispy-example_extraneous_data.ris"))

    assert [(r.title, r.authors, r.published_on) for r in result.records] == [
        ("Title of reference", ["Karl Marx", "Astrid Lindgren"], date(2014, 1, 1)),
        ("The title of the reference", ["Karlus Marxus", "Astrid Lindgren"], date(2006, 1, 1)),
    ]
    assert result.records[0].keywords == ["Pippi", "Nordwind", "Piraten"]
    assert result.problems == []


def test_parse_ris_does_not_mistake_er_at_the_start_of_a_continuation_line_for_the_end():
    result = parse_ris(read("rispy-example_multiline.ris"))

    assert result.records == []
    assert [p.where for p in result.problems] == [
        "record 1 (line 1)",
        "record 2 (line 8)",
        "record 3 (line 17)",
    ]


def test_parse_ris_reads_a_corrupted_file_without_a_type_line():
    result = parse_ris(read("jabref-RisImporterCorrupted.ris"))

    assert [(r.title, r.doi, r.published_on) for r in result.records] == [
        (
            "Editorial: Open Source and Empirical Software Engineering",
            "10.1023/a:1017379030770",
            date(2001, 9, 1),
        )
    ]
    assert result.problems == [
        Problem(
            "record 1 (line 2)",
            "The record does not start with a type line (TY); it was read anyway.",
        )
    ]


def test_parse_ris_reads_a_scopus_export():
    (record,) = parse_ris(read("jabref-RisImporterTestScopus.ris")).records

    assert record.venue == "Journal of the Mechanics and Physics of Solids"
    assert record.doi == "10.1016/j.jmps.2004.03.010"
    assert record.authors == ["S. Federico", "A. Grillo", "W. Herzog"]
    assert record.keywords == [
        "Composite",
        "Inclusions",
        "Statistical distribution",
        "Transverse isotropy",
    ]


def test_parse_ris_reads_a_web_of_science_plain_text_export():
    result = parse_ris(read("rispy-example_wos.ris"))

    assert len(result.records) == 2
    first = result.records[0]
    assert first.title == (
        "Interactions stabilizing the structure of the core light-harvesting complex (LHl) of "
        "photosynthetic bacteria and its subunit (B820)"
    )
    assert first.authors == ["PS Parkes-Loach", "AP Majeed", "CJ Law", "PA Loach"]
    assert first.venue == "BIOCHEMISTRY"
    assert result.problems == []


def test_parse_ris_tolerates_a_single_space_before_the_dash():
    result = parse_ris(b"TY - JOUR\nTI - Squeezed Tags\nPY - 2022\nER -\n")

    assert [(r.title, r.published_on) for r in result.records] == [
        ("Squeezed Tags", date(2022, 1, 1))
    ]


def test_parse_ris_says_when_there_are_no_records():
    result = parse_ris(b"just some text\n")

    assert result.problems == [
        Problem("file", "No RIS records (lines like “TY  - JOUR”) were found.")
    ]


def test_parse_ris_reads_indented_tags_and_windows_line_endings():
    result = parse_ris(b"\r\n  TY  - JOUR\r\n  TI  - Pasted from an Email\r\n  ER  - \r\n")

    assert [r.title for r in result.records] == ["Pasted from an Email"]
    assert result.problems == []
