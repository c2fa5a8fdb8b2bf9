"""ORCID v3.0 public records: works summaries, single works and bulk reads, JSON and XML."""

import json
from datetime import date
from pathlib import Path

import pytest

from rapport.awareness.formats import FetchError, Problem, Record, normalise_orcid, parse_orcid

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_parse_orcid_takes_the_preferred_version_of_each_work_in_a_json_summary():
    result = parse_orcid(read("orcid-works.json"))

    assert result.format == "orcid"
    assert result.records == [
        Record(
            title="Reading Rooms as Research Infrastructure",
            venue="Library Spaces Review",
            published_on=date(2020, 11, 1),
            link="https://doi.org/10.5555/RRRI.2020.1",
            doi="10.5555/rrri.2020.1",
            external_id="1002",
        ),
        Record(
            title="Embedding a Librarian in a Chemistry Lab: A Two-Year Study",
            published_on=date(2022, 3, 9),
            link="https://arxiv.org/abs/2203.04567",
            arxiv_id="2203.04567",
            kind="preprint",
            external_id="1003",
        ),
    ]
    assert result.problems == [
        Problem("work 3 (put-code 1004)", "This work has no title; it was skipped.")
    ]


def test_parse_orcid_reads_contributors_and_the_short_description_of_full_works():
    result = parse_orcid(read("orcid-works-detail.json"))

    assert [(r.authors, r.abstract) for r in result.records] == [
        (
            ["Josiah Carberry", "Ngozi Okafor"],
            "Why people who work in reading rooms ask better questions.",
        )
    ]
    assert result.problems == [Problem("work 2", "The work was not found.")]


def test_parse_orcid_reads_the_xml_works_summary():
    result = parse_orcid(read("orcid-works-3.0.xml"))

    assert [(r.title, r.published_on, r.venue, r.external_id) for r in result.records] == [
        ("Work # 0", date(2017, 3, 3), "", "3356"),
        ("Work # 1", date(2017, 2, 2), "", "3357"),
        ("Work # 2", date(2017, 3, 3), "some journal title", "3358"),
    ]
    # "123456" is neither a DOI nor an arXiv id, so neither is kept.
    assert {(r.doi, r.arxiv_id) for r in result.records} == {("", "")}


def test_parse_orcid_reads_a_single_xml_work():
    (work,) = parse_orcid(read("orcid-work-full-3.0.xml")).records

    assert work.title == "common:title: common:subtitle"
    assert work.venue == "common:journal-title"
    assert work.abstract == "work:short-description"
    assert work.authors == ["work:credit-name"]
    assert work.published_on == date(1948, 2, 2)
    assert work.external_id == "123"


def test_parse_orcid_prefers_the_self_doi_in_a_bulk_json_file():
    result = parse_orcid(read("orcid-bulk-works-3-works-3.0.json"))

    assert [r.doi for r in result.records] == [
        "10.1026/j.crvasa.2015.05.007",
        "10.1012/j.crvasa.2015.05.008",
        "10.1032/j.crvasa.2015.05.008",
    ]


def test_parse_orcid_reports_an_error_document():
    result = parse_orcid(read("orcid-error-3.0.xml"))

    assert result.records == []
    assert result.problems == [
        Problem("file", "ORCID returned an error instead of works: error:user-message")
    ]


def test_parse_orcid_reports_damaged_json():
    result = parse_orcid(b'{"group": [')

    assert result.problems == [Problem("file", "The JSON is damaged (Expecting value, line 1).")]


def test_parse_orcid_refuses_xml_with_entity_declarations():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><work>&a;</work>'

    result = parse_orcid(bomb)

    assert result.records == []
    assert len(result.problems) == 1
    assert result.problems[0].message.startswith("The XML is damaged or unsafe to read")


@pytest.mark.parametrize(
    "value",
    ["0000-0002-1825-0097", "https://orcid.org/0000-0002-1825-0097", "0000000218250097"],
)
def test_normalise_orcid_accepts_the_id_its_url_and_its_bare_digits(value):
    assert normalise_orcid(value) == "0000-0002-1825-0097"


def test_normalise_orcid_accepts_an_x_check_character():
    assert normalise_orcid("0000-0002-1694-233x") == "0000-0002-1694-233X"


def test_normalise_orcid_refuses_a_wrong_check_character():
    with pytest.raises(FetchError) as caught:
        normalise_orcid("0000-0002-1825-0098")

    assert str(caught.value) == (
        "“0000-0002-1825-0098” is not a valid ORCID iD: its last character does not match the "
        "others. Check it for a typing error."
    )


def test_normalise_orcid_refuses_something_that_is_not_an_id():
    with pytest.raises(FetchError) as caught:
        normalise_orcid("josiah carberry")

    assert str(caught.value) == (
        "“josiah carberry” is not an ORCID iD; an iD looks like 0000-0002-1825-0097."
    )


def test_parse_orcid_reads_the_works_inside_a_full_json_record():
    record = {
        "orcid-identifier": {"path": "0000-0002-1825-0097"},
        "person": {"name": {"family-name": {"value": "Carberry"}}},
        "activities-summary": {
            "educations": {"affiliation-group": []},
            "works": {
                "group": [
                    {
                        "work-summary": [
                            {
                                "put-code": 7,
                                "title": {"title": {"value": "Brief Encounters at the Desk"}},
                                "type": "data-set",
                                "publication-date": {"year": {"value": "2019"}},
                                "url": {"value": "https://example.org/data/7"},
                            }
                        ]
                    }
                ]
            },
        },
    }

    result = parse_orcid(json.dumps(record).encode())

    assert result.records == [
        Record(
            title="Brief Encounters at the Desk",
            published_on=date(2019, 1, 1),
            link="https://example.org/data/7",
            kind="dataset",
            external_id="7",
        )
    ]
    assert result.problems == []


def test_parse_orcid_says_when_a_record_has_no_works():
    result = parse_orcid(
        b'{"orcid-identifier": {}, "activities-summary": {"works": {"group": []}}}'
    )

    assert (result.records, result.problems) == (
        [],
        [Problem("file", "There are no works in this ORCID file.")],
    )
