"""Crossref REST API JSON: single works and work lists."""

from datetime import date
from pathlib import Path

from rapport.awareness.formats import Problem, Record, parse_crossref

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_parse_crossref_reads_a_work_list_with_jats_abstracts():
    result = parse_crossref(read("crossref-works.json"))

    assert result.format == "crossref"
    assert result.records[0] == Record(
        title="Current Awareness for Small Research Groups: What Works",
        abstract=(
            "Alerts tailored to each person get read.\n\nGeneric ones do not & are unsubscribed."
        ),
        authors=["Ana Lima", "Rapport Test Consortium"],
        venue="College & Research Libraries Notes",
        published_on=date(2024, 2, 1),
        link="https://doi.org/10.5555/cal.2024.15",
        doi="10.5555/cal.2024.15",
        keywords=["Library and Information Sciences"],
        kind="article",
        external_id="10.5555/cal.2024.15",
    )
    assert result.problems == [
        Problem("work 4 (10.5555/notitle)", "This work has no title; it was skipped.")
    ]


def test_parse_crossref_maps_preprints_and_datasets_and_tolerates_bad_dates():
    records = parse_crossref(read("crossref-works.json")).records

    assert [(r.kind, r.venue, r.published_on) for r in records[1:]] == [
        ("preprint", "SocArXiv", date(2023, 1, 1)),
        ("dataset", "", date(2021, 1, 1)),
    ]


def test_parse_crossref_reads_a_single_work_message():
    result = parse_crossref(read("habanero-work-icdcsw.json"))

    assert result.records == [
        Record(
            title="Accurate and explicit differentiation of wireless and congestion losses",
            authors=["V. Arya", "T. Turletti"],
            venue=(
                "23rd International Conference on Distributed Computing Systems Workshops, "
                "2003. Proceedings"
            ),
            published_on=date(2004, 6, 22),
            link="https://doi.org/10.1109/icdcsw.2003.1203662",
            doi="10.1109/icdcsw.2003.1203662",
            external_id="10.1109/icdcsw.2003.1203662",
        )
    ]
    assert result.problems == []


def test_parse_crossref_reads_a_bare_work_without_the_message_envelope():
    data = b'{"DOI": "10.5555/X", "title": ["Bare"], "issued": {"date-parts": [[2019, 7]]}}'

    result = parse_crossref(data)

    assert [(r.title, r.doi, r.published_on) for r in result.records] == [
        ("Bare", "10.5555/x", date(2019, 7, 1))
    ]


def test_parse_crossref_skips_untitled_works_from_a_real_sample():
    result = parse_crossref(read("habanero-works-sample.json"))

    assert [r.title for r in result.records] == ["Icônes"]
    assert result.problems == [
        Problem("work 2 (10.7752/jpes.2018.03256)", "This work has no title; it was skipped.")
    ]


def test_parse_crossref_reports_json_that_is_not_crossref():
    result = parse_crossref(b'{"hello": "world"}')

    assert result.problems == [
        Problem("file", "This JSON is not a Crossref work or list of works.")
    ]


def test_parse_crossref_reports_damaged_json():
    result = parse_crossref(b'{"message": ')

    assert result.records == []
    assert [p.where for p in result.problems] == ["file"]
    assert result.problems[0].message.startswith("The JSON is damaged")
