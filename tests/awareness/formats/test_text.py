"""Identifiers, keys, dates, names and byte decoding shared by every reader."""

from datetime import date

import pytest

from rapport.awareness.formats import arxiv_id_from, normalise_doi, title_key
from rapport.awareness.formats.text import (
    clean_title,
    date_from_text,
    day_from_text,
    decode_bytes,
    make_date,
    readable_name,
    strip_markup,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.1000/ABC.123", "10.1000/abc.123"),
        ("https://doi.org/10.1000/ABC", "10.1000/abc"),
        ("http://dx.doi.org/10.1000/abc", "10.1000/abc"),
        ("doi:10.1000/abc", "10.1000/abc"),
        ("DOI: 10.1000/abc", "10.1000/abc"),
        ("info:doi/10.1000/abc", "10.1000/abc"),
        ("https://doi.org/10.1000%2Fabc", "10.1000/abc"),
        ("  10.1000/abc  ", "10.1000/abc"),
        ("https://doi.org/10.1/KNOWN", "10.1/known"),
        ("10.1000.10/123", "10.1000.10/123"),
        ("work:doi", ""),
        ("123456", ""),
        ("", ""),
    ],
)
def test_normalise_doi_strips_resolvers_and_rejects_non_dois(value, expected):
    assert normalise_doi(value) == expected


def test_title_key_drops_case_accents_punctuation_and_extra_space():
    assert title_key("  Über  die Bücher: A Study!  ") == "uber die bucher a study"
    assert title_key("Café—Society") == title_key("cafe society")


def test_title_key_keeps_the_symbols_of_a_title_without_letters():
    assert [title_key(t) for t in ("⟨100⟩", "(100)", "∅", " 2019 ", "—")] == [
        "⟨100⟩",
        "(100)",
        "∅",
        "2019",
        "—",
    ]


def test_title_key_is_at_most_300_characters():
    assert len(title_key("word " * 200)) == 300


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2104.12255", "2104.12255"),
        ("2104.12255v3", "2104.12255"),
        ("arXiv:2104.12255v1", "2104.12255"),
        ("http://arxiv.org/abs/2104.12255v1", "2104.12255"),
        ("https://arxiv.org/pdf/2104.12255v2.pdf", "2104.12255"),
        ("oai:arXiv.org:2501.01234v1", "2501.01234"),
        ("10.48550/arXiv.2104.12255", "2104.12255"),
        ("quant-ph/0201082v1", "quant-ph/0201082"),
        ("http://arxiv.org/abs/math.GT/0309136v2", "math.GT/0309136"),
        ("https://example.org/abs/2104.12255", ""),
        ("123456", ""),
        ("", ""),
    ],
)
def test_arxiv_id_from_ids_urls_and_dois(value, expected):
    assert arxiv_id_from(value) == expected


def test_make_date_fills_a_partial_date_with_the_first():
    assert make_date("2020") == date(2020, 1, 1)
    assert make_date("2020", "05") == date(2020, 5, 1)
    assert make_date("2020", "may", "17") == date(2020, 5, 17)


def test_make_date_drops_an_impossible_day_or_month_but_keeps_the_year():
    assert make_date(2021, 2, 30) == date(2021, 2, 1)
    assert make_date(2021, 13, 40) == date(2021, 1, 1)
    assert make_date("n.d.") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2014//", date(2014, 1, 1)),
        ("2016/01/", date(2016, 1, 1)),
        ("2001/09/01/", date(2001, 9, 1)),
        ("2019-06-14", date(2019, 6, 14)),
        ("17 May 2020", date(2020, 5, 17)),
        ("May 17, 2020", date(2020, 5, 17)),
        ("Spring 2020", date(2020, 1, 1)),
        ("no date", None),
    ],
)
def test_date_from_text_reads_the_ways_exports_write_dates(value, expected):
    assert date_from_text(value) == expected


def test_readable_name_puts_the_given_name_first():
    assert readable_name("Okafor, Ngozi") == "Ngozi Okafor"
    assert readable_name("Shi,Yu ") == "Yu Shi"
    assert readable_name("Doe, Jr., John") == "John Doe Jr."
    assert readable_name("Ngozi Okafor") == "Ngozi Okafor"


def test_strip_markup_keeps_paragraphs_and_drops_the_abstract_heading():
    jats = "<jats:title>Abstract</jats:title><jats:p>One &amp; two.</jats:p><jats:p>Three.</jats:p>"
    assert strip_markup(jats) == "One & two.\n\nThree."


def test_strip_markup_drops_scripts_and_styles_with_their_content():
    html = "<style>p {color: red}</style><p>Kept</p><script>alert(1)</script>"
    assert strip_markup(html) == "Kept"


def test_decode_bytes_reads_utf16_with_and_without_a_bom():
    text = "@article{k, title={Über}}"
    assert decode_bytes(text.encode("utf-16")).text == text
    assert decode_bytes(text.encode("utf-16-le")).text == text
    assert decode_bytes(text.encode("utf-16-be")).text == text


def test_decode_bytes_strips_a_utf8_bom():
    decoded = decode_bytes("\ufeffTY  - JOUR".encode())
    assert (decoded.text, decoded.encoding, decoded.problems) == ("TY  - JOUR", "utf-8", [])


def test_decode_bytes_falls_back_to_windows_1252_silently_when_nothing_is_lost():
    decoded = decode_bytes("Café “quoted”".encode("cp1252"))
    assert (decoded.text, decoded.encoding, decoded.problems) == ("Café “quoted”", "cp1252", [])


def test_decode_bytes_reports_bytes_windows_1252_cannot_read():
    decoded = decode_bytes(b"caf\xe9 \x81")
    assert decoded.text == "café \ufffd"
    assert [p.message for p in decoded.problems] == [
        "The file is not in UTF-8; it was read as Windows-1252 and some characters could not "
        "be read (they show as \ufffd)."
    ]


def test_decode_bytes_uses_a_declared_encoding_when_utf8_fails():
    data = '<?xml version="1.0" encoding="koi8-r"?><t>Привет</t>'.encode("koi8-r")
    assert decode_bytes(data).text == '<?xml version="1.0" encoding="koi8-r"?><t>Привет</t>'


def test_day_from_text_reads_only_whole_days():
    cases = {
        "Tue, 04 Mar 2025 10:00:00 GMT": date(2025, 3, 4),
        "2025-03-04T10:00:00+01:00": date(2025, 3, 4),
        "March 4, 2025": date(2025, 3, 4),
        "lundi 3 mars 2025": date(2025, 3, 3),
        "Dienstag, 04. März 2025": date(2025, 3, 4),
        "2025年3月4日": date(2025, 3, 4),
        "2025": None,
        "2025-03": None,
        "Spring 2025": None,
        "martes, 4 de marzo de 2025": None,
        "04/03/2025": None,
        "2025-02-30": None,
        "": None,
    }

    assert {text: day_from_text(text) for text in cases} == cases


def test_clean_title_keeps_the_full_stop_of_an_abbreviation_only():
    assert [
        clean_title(t)
        for t in (
            "Letters of Martin Luther King Jr.",
            "Libraries in the U.S.",
            "Smith & Co.",
            "Notes by J. R. R. Tolkien, ed. C. Tolkien.",
            "A sentence.",
            "Wait for it...",
        )
    ] == [
        "Letters of Martin Luther King Jr.",
        "Libraries in the U.S.",
        "Smith & Co.",
        "Notes by J. R. R. Tolkien, ed. C. Tolkien",
        "A sentence",
        "Wait for it...",
    ]
