"""BibTeX: Zotero/JabRef-style exports, macros, accents, encodings and broken entries."""

from datetime import date
from pathlib import Path

from rapport.awareness.formats import Problem, Record, parse_bibtex

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_parse_bibtex_reads_a_zotero_export_and_salvages_the_rest_of_a_broken_file():
    result = parse_bibtex(read("zotero-export.bib"))

    assert result.format == "bibtex"
    assert [r.external_id for r in result.records] == [
        "okafor2021",
        "tanaka2023",
        "lindqvist2019",
        "survey2022",
    ]
    assert result.problems == [
        Problem(
            "entry 3 (line 29)",
            "This entry is not closed (a brace or quote is missing); it was skipped.",
        ),
        Problem(
            "entry 4 (lindqvist2019)", "A comma was missing between two fields; both were kept."
        ),
        Problem("entry 5 (notitle2018)", "This entry has no title; it was skipped."),
    ]


def test_parse_bibtex_decodes_latex_resolves_macros_and_normalises_the_doi():
    okafor = parse_bibtex(read("zotero-export.bib")).records[0]

    assert okafor == Record(
        title="Walking the Long Way Round: Informal Presence in Research Labs",
        abstract=(
            "Librarians who walk past the desks of the people they serve receive more "
            "questions.\n\nWe count them over one academic year, with 95% confidence."
        ),
        authors=["Ngozi Okafor", "Jörg Müller", "Élodie Durand"],
        venue="Journal of Embedded Librarianship, Special Issue",
        published_on=date(2021, 3, 1),
        link="https://doi.org/10.5555/jel.2021.0042",
        doi="10.5555/jel.2021.0042",
        keywords=["embedded librarianship", "relationship marketing", "outreach"],
        kind="article",
        external_id="okafor2021",
    )


def test_parse_bibtex_reads_an_arxiv_eprint_as_a_preprint_and_drops_others():
    tanaka = parse_bibtex(read("zotero-export.bib")).records[1]

    assert (tanaka.arxiv_id, tanaka.kind, tanaka.authors) == (
        "2304.01234",
        "preprint",
        ["Hiro Tanaka"],
    )
    assert tanaka.link == "https://arxiv.org/abs/2304.01234"


def test_parse_bibtex_keeps_both_fields_when_a_comma_is_missing_and_reads_biblatex_dates():
    lindqvist = parse_bibtex(read("zotero-export.bib")).records[2]

    assert lindqvist.title == "Office Hours That People Actually Attend"
    assert lindqvist.authors == ["Sara Lindqvist"]
    assert lindqvist.published_on == date(2019, 6, 14)
    assert lindqvist.link == "https://example.org/papers/office-hours"


def test_parse_bibtex_maps_dataset_entries_and_keeps_corporate_authors_whole():
    survey = parse_bibtex(read("zotero-export.bib")).records[3]

    assert survey.kind == "dataset"
    assert survey.authors == ["Rapport Test Consortium"]
    assert survey.title == "Reference Desk Survey Responses, 2015–2022"


def test_parse_bibtex_joins_string_macros_with_hash():
    result = parse_bibtex(read("bibtexparser-article_with_strings.bib"))

    assert [(r.authors, r.venue, r.published_on) for r in result.records] == [
        (["Jean César"], "Nice Journal", date(2013, 1, 1))
    ]
    assert result.problems == []


def test_parse_bibtex_reads_entries_whose_closing_brace_follows_the_last_field():
    result = parse_bibtex(read("bibtexparser-article_missing_coma.bib"))

    assert [r.external_id for r in result.records] == [
        "Cesar2013",
        "Baltazar2013",
        "Aimar2013",
        "Doute2013",
    ]
    assert {r.published_on for r in result.records} == {date(2013, 1, 1)}


def test_parse_bibtex_fills_missing_fields_from_the_crossref_parent():
    result = parse_bibtex(read("bibtexparser-crossref_entries.bib"))

    chapter = next(r for r in result.records if r.external_id == "cr1")
    assert (chapter.title, chapter.venue, chapter.published_on) == (
        "Great and Good Graphs",
        "Graphs of the Continent",
        date(1974, 1, 1),
    )
    assert len(result.records) == 14


def test_parse_bibtex_reads_a_file_with_a_bom():
    result = parse_bibtex(read("bibtexparser-book_bom.bib"))

    assert [(r.title, r.authors) for r in result.records] == [
        ("Dynamics of Polymeric Liquid", ["R.B. Bird", "R.C. Armstrong", "O. Hassager"])
    ]


def test_parse_bibtex_reads_utf16_files():
    data = "@article{k1, title = {Grüße aus Köln}, year = 2024}".encode("utf-16")

    result = parse_bibtex(data)

    assert [(r.title, r.published_on) for r in result.records] == [
        ("Grüße aus Köln", date(2024, 1, 1))
    ]
    assert result.problems == []


def test_parse_bibtex_reads_windows_1252_files_saved_by_jabref():
    text = "% Encoding: windows-1252\n@book{k2, title = {Café Society – A History}, year = 1999}"

    result = parse_bibtex(text.encode("cp1252"))

    assert [r.title for r in result.records] == ["Café Society – A History"]
    assert result.problems == []


def test_parse_bibtex_reads_an_entry_without_the_comma_after_its_key():
    result = parse_bibtex(b"@article{nokey\n  title = {Still Read},\n  year = {2010}\n}\n")

    assert [(r.title, r.external_id) for r in result.records] == [("Still Read", "nokey")]
    assert result.problems == [
        Problem(
            "entry 1 (nokey)", "The comma after the entry's key was missing; it was read anyway."
        )
    ]


def test_parse_bibtex_reports_unknown_abbreviations_and_keeps_them():
    result = parse_bibtex(b"@article{k, title = {T}, journal = jnl}")

    assert [r.venue for r in result.records] == ["jnl"]
    assert result.problems == [
        Problem("entry 1 (k)", "Unknown abbreviation(s) jnl; kept as written.")
    ]


def test_parse_bibtex_says_when_there_are_no_entries():
    result = parse_bibtex(b"% only a comment\n")

    assert (result.records, result.problems) == (
        [],
        [Problem("file", "No BibTeX entries (@article{…}) were found.")],
    )


def test_parse_bibtex_gives_titles_as_a_reader_would_read_them():
    result = parse_bibtex(read("tex-titles.bib"))

    assert [(r.external_id, r.title) for r in result.records] == [
        ("cu2o", "Photocatalytic water splitting on Cu₂O films at 25 °C"),
        ("micro", "A 5 μm resolution map of H₂O and CO₂ uptake at 10⁻³ M Na⁺"),
        ("latex", "Typesetting theses with LaTeX and BibTeX"),
        ("slash", "Input/output of open data: see https://data.example.org/a_b%20c"),
        ("quotes", "The “embedded” librarian and the ‘liaison’ model"),
        ("maths", "When p<0.05 and q > 1: significance in library studies"),
        ("subtitle", "Walking the long way round: Informal presence in research labs"),
        ("addon", "Blog post on outreach"),
        ("stray", "Counting questions at the desk"),
        ("afterstray", "Greek letters: α-helices, β-sheets and ΔG"),
        ("number", "⟨100⟩"),
    ]
    assert result.problems == []


def test_parse_bibtex_keeps_an_abbreviations_full_stop_and_drops_a_sentences():
    data = (
        b"@article{a, title = {Letters of Martin Luther King Jr.}, year = 2001}\n"
        b"@article{b, title = {Reference work in the U.S.}, year = 2002}\n"
        b"@article{c, title = {A study of questions.}, year = 2003}\n"
    )

    assert [r.title for r in parse_bibtex(data).records] == [
        "Letters of Martin Luther King Jr.",
        "Reference work in the U.S.",
        "A study of questions",
    ]


def test_parse_bibtex_skips_stray_commas_but_never_one_inside_a_value():
    data = (
        b"@article{a,, title = {One, , two}, ,\n , year = 2001,}\n"
        b'@article{b, title = "Three, , four", , year = 2002}\n'
    )

    result = parse_bibtex(data)

    assert [(r.title, r.published_on) for r in result.records] == [
        ("One, , two", date(2001, 1, 1)),
        ("Three, , four", date(2002, 1, 1)),
    ]
    assert result.problems == []


def test_a_chapter_takes_neither_its_books_subtitle_nor_its_addon():
    data = (
        b"@book{book, title = {The book}, subtitle = {Its subtitle}, titleaddon = {Addon},"
        b" year = 2010}\n"
        b"@incollection{ch, title = {The chapter}, crossref = {book}}\n"
    )

    chapter = parse_bibtex(data).records[1]

    assert (chapter.title, chapter.venue, chapter.published_on) == (
        "The chapter",
        "The book",
        date(2010, 1, 1),
    )
