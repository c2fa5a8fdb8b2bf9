"""RSS and Atom feeds: journal tables of contents, news, arXiv listings and API results, and the
broken feeds found in the wild."""

from datetime import date
from pathlib import Path

from rapport.awareness.formats import Problem, Record, parse_feed

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_parse_feed_reads_a_journal_table_of_contents_with_prism_dois():
    result = parse_feed(read("journal-toc.rss"))

    assert result.format == "feed"
    assert result.records == [
        Record(
            title="Liaison Work in Engineering Departments",
            abstract="We interviewed twelve liaison librarians.",
            authors=["Priya Raman"],
            venue="Journal of Embedded Librarianship: Latest Issue",
            published_on=date(2025, 3, 3),
            link="https://example.org/jel/articles/liaison-engineering",
            doi="10.5555/jel.2025.3",
            keywords=["liaison"],
            kind="article",
            external_id="jel-2025-3",
        ),
        Record(
            title="Library Closed on Friday",
            abstract="The reading room is closed for maintenance.",
            venue="Journal of Embedded Librarianship: Latest Issue",
            published_on=date(2025, 3, 4),
            link="https://example.org/news/closed-friday",
            kind="news",
            external_id="https://example.org/news/closed-friday",
        ),
    ]
    assert result.problems == [Problem("entry 3", "This entry has no title; it was skipped.")]


def test_parse_feed_reads_an_arxiv_listing_without_its_announcement_clutter():
    result = parse_feed(read("arxiv-listing.rss"))

    first, second = result.records
    assert first.title == "Ranking Alerts by What a Person Reads"
    assert first.abstract == "We rank new papers for each reader by the papers they cite."
    assert first.authors == ["Lena Fischer", "Omar Haddad", "Wei Zhang"]
    assert (first.arxiv_id, first.kind, first.published_on) == (
        "2501.01234",
        "preprint",
        date(2025, 1, 6),
    )
    assert (second.title, second.arxiv_id) == ("Old-Style Identifiers Still Matter", "cs/0112017")
    assert result.problems == []


def test_parse_feed_reads_arxiv_api_atom_and_removes_the_version():
    result = parse_feed(read("arxivpy-id_2104.12255v1.atom.xml"))

    (record,) = result.records
    assert (record.title, record.arxiv_id, record.kind, record.venue) == (
        "0",
        "2104.12255",
        "preprint",
        "arXiv",
    )
    assert record.authors == ["Quan Thoi Minh Nguyen"]
    assert record.published_on == date(2021, 4, 20)
    assert record.link == "https://arxiv.org/abs/2104.12255v1"
    assert record.keywords == ["cs.CR"]


def test_parse_feed_reads_old_style_arxiv_ids():
    (record,) = parse_feed(read("arxivpy-id_quant-ph_0201082v1.atom.xml")).records

    assert record.arxiv_id == "quant-ph/0201082"
    assert record.authors == ["Stephen Blaha"]


def test_parse_feed_reports_an_arxiv_api_error_entry():
    result = parse_feed(read("arxivpy-id_abc.atom.xml"))

    assert result.records == []
    assert result.problems == [
        Problem("entry 1", "arXiv answered with an error: incorrect id format for abc.")
    ]


def test_parse_feed_reads_rss_1_0_with_a_dublin_core_doi():
    (record,) = parse_feed(read("rdf-feed.rdf")).records

    assert (record.title, record.doi, record.published_on, record.authors) == (
        "New Repository for Lab Notebooks",
        "10.5555/ds.news.1",
        date(2024, 4, 22),
        ["Data Services"],
    )


def test_parse_feed_says_an_html_page_is_not_a_feed_and_names_the_pages_feed():
    result = parse_feed(read("not-a-feed.html"), url="https://example.org/jel/")

    assert result.records == []
    assert result.problems == [
        Problem(
            "file",
            "This is an HTML page, not a feed. The page names a feed at "
            "https://example.org/jel/rss.xml; try that address.",
        )
    ]


def test_parse_feed_reads_a_feed_whose_declared_encoding_is_wrong():
    result = parse_feed(read("wrong-encoding.rss"))

    assert [r.title for r in result.records] == ["Café “Science” – Session 1"]
    assert result.problems == [
        Problem(
            "file",
            "The feed declares one character encoding but uses another; it was read anyway.",
        )
    ]


def test_parse_feed_salvages_entries_from_ill_formed_xml():
    result = parse_feed(read("feedparser-rdf_channel_empty_textinput.xml"))

    assert [r.title for r in result.records] == ["crashes here"]
    assert result.problems == [
        Problem(
            "file",
            "The feed is not well-formed XML (line 6: XML or text declaration not at start of "
            "entity); Rapport read what it could.",
        )
    ]


def test_parse_feed_reports_a_truncated_feed():
    result = parse_feed(read("feedparser-aaa_illformed.xml"))

    assert result.records == []
    assert result.problems == [
        Problem(
            "file",
            "The feed is not well-formed XML (line 7: unclosed token); Rapport read what it could.",
        ),
        Problem("file", "The feed has no entries."),
    ]


def test_parse_feed_reports_a_bogus_encoding_declaration():
    result = parse_feed(read("feedparser-bozo_bogus_encoding.xml"))

    assert result.problems[0] == Problem(
        "file", "The feed declares one character encoding but uses another; it was read anyway."
    )


def test_parse_feed_says_an_empty_feed_has_no_entries():
    result = parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>')

    assert result.problems == [Problem("file", "The feed has no entries.")]


def test_parse_feed_says_empty_bytes_are_empty():
    assert parse_feed(b"  ").problems == [Problem("file", "The feed is empty.")]


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title type="html">Lab &lt;em&gt;News&lt;/em&gt;</title>
  <link href="https://lab.example.org/"/>
  <id>urn:example:lab</id>
  <updated>2024-05-01T00:00:00Z</updated>
  <entry>
    <title type="html">Our &lt;em&gt;First&lt;/em&gt; Paper</title>
    <link href="/posts/first-paper"/>
    <id>urn:example:lab:1</id>
    <updated>2024-04-30T10:00:00Z</updated>
    <author><name>Ana Lima</name></author>
    <content type="html">&lt;p&gt;It is out.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Published Version of a Preprint</title>
    <id>http://arxiv.org/abs/2203.04567v2</id>
    <published>2022-03-09T00:00:00Z</published>
    <arxiv:doi>10.5555/Published.7</arxiv:doi>
    <arxiv:journal_ref>Library Spaces Review 4 (2023) 1-9</arxiv:journal_ref>
  </entry>
</feed>
"""


def test_parse_feed_reads_atom_with_html_titles_and_relative_links():
    news, _ = parse_feed(ATOM).records

    assert (news.title, news.venue, news.link, news.abstract, news.kind) == (
        "Our First Paper",
        "Lab News",
        "https://lab.example.org/posts/first-paper",
        "It is out.",
        "news",
    )
    assert news.published_on == date(2024, 4, 30)


def test_parse_feed_keeps_the_doi_and_journal_of_a_published_arxiv_preprint():
    _, preprint = parse_feed(ATOM).records

    assert (preprint.arxiv_id, preprint.doi, preprint.venue, preprint.kind) == (
        "2203.04567",
        "10.5555/published.7",
        "Library Spaces Review 4 (2023) 1-9",
        "preprint",
    )


def test_parse_feed_reads_utf16_feeds_with_and_without_a_bom():
    xml = '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel>'
    xml += "<item><title>Zürich Notes</title></item></channel></rss>"

    for data in (xml.encode("utf-16"), xml.encode("utf-16-be")):
        result = parse_feed(data)
        assert [r.title for r in result.records] == ["Zürich Notes"]
        assert result.problems == []


def test_a_date_that_is_not_a_whole_readable_day_is_left_empty_and_reported():
    result = parse_feed(read("news-dates.rss"))

    assert [(r.title, r.published_on) for r in result.records] == [
        ("Letters of Martin Luther King Jr.", date(2025, 3, 4)),
        ("Nouvelles acquisitions du fonds ancien", date(2025, 3, 3)),
        ("Neue Datenbanken für die Chemie", date(2025, 3, 4)),
        ("Nuevas guías de investigación", None),
        ("Annual report of the special collections", None),
        ("Open access week in the U.S.", None),
        ("新しい電子ジャーナル", date(2025, 3, 4)),
        ("Leap day workshop", None),
    ]
    assert result.problems == [
        Problem(f"entry {n}", f"Its date “{text}” could not be read as a day; it was left empty.")
        for n, text in (
            (4, "martes, 4 de marzo de 2025"),
            (5, "2024"),
            (6, "sometime next week"),
            (8, "2025-02-29"),
        )
    ]
