"""parse(): choosing the reader from the content, the file name and an explicit format."""

from pathlib import Path

import pytest

from rapport.awareness.formats import Problem, parse

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("zotero-export.bib", "bibtex"),
        ("bibtexparser-book_bom.bib", "bibtex"),
        ("endnote-export.ris", "ris"),
        ("jabref-RisImporterCorrupted.ris", "ris"),
        ("rispy-example_wos.ris", "ris"),
        ("orcid-works.json", "orcid"),
        ("orcid-bulk-works-3-works-3.0.json", "orcid"),
        ("orcid-works-3.0.xml", "orcid"),
        ("orcid-work-full-3.0.xml", "orcid"),
        ("crossref-works.json", "crossref"),
        ("habanero-work-icdcsw.json", "crossref"),
        ("journal-toc.rss", "feed"),
        ("rdf-feed.rdf", "feed"),
        ("arxivpy-id_2104.12255v1.atom.xml", "feed"),
        ("wrong-encoding.rss", "feed"),
    ],
)
def test_parse_detects_the_format_from_the_content(name, expected):
    data = (FIXTURES / name).read_bytes()

    assert parse(data).format == expected
    assert parse(data, filename="upload.dat").format == expected


def test_parse_uses_the_file_name_when_the_content_cannot_tell():
    result = parse(b"% nothing but a comment\n", filename="empty.bib")

    assert (result.format, result.problems) == (
        "bibtex",
        [Problem("file", "No BibTeX entries (@article{…}) were found.")],
    )


def test_parse_honours_an_explicit_format_and_its_aliases():
    data = (FIXTURES / "journal-toc.rss").read_bytes()

    assert parse(data, format="rss").format == "feed"
    assert len(parse(data, format="feed").records) == 2


def test_parse_refuses_a_format_it_does_not_read():
    result = parse(b"x", format="marc")

    assert (result.format, result.problems) == (
        "unknown",
        [Problem("file", "Rapport does not read “marc” files.")],
    )


def test_parse_says_plainly_when_it_cannot_tell():
    result = parse(b"Name,Email\nAna,ana@example.org\n", filename="people.csv")

    assert (result.format, result.records) == ("unknown", [])
    assert result.problems == [
        Problem(
            "file",
            "Rapport could not tell what kind of file this is. It reads BibTeX (.bib), RIS "
            "(.ris), ORCID records (JSON or XML), Crossref JSON, and RSS or Atom feeds.",
        )
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b'{"hello": 1}', "This JSON file is neither a Crossref nor an ORCID export."),
        (b'{"broken": ', "This looks like JSON but it is damaged, so it cannot be read."),
        (
            b"<mods><title>x</title></mods>",
            "This XML file is not an RSS or Atom feed or an ORCID record.",
        ),
    ],
)
def test_parse_explains_why_a_file_is_unknown(data, message):
    assert parse(data).problems == [Problem("file", message)]


def test_parse_names_the_feed_an_html_page_links_to():
    result = parse((FIXTURES / "not-a-feed.html").read_bytes(), filename="jel.html")

    assert result.format == "unknown"
    assert result.problems == [
        Problem(
            "file",
            "This is an HTML page, not a feed. The page names a feed at /jel/rss.xml; try that "
            "address.",
        )
    ]
