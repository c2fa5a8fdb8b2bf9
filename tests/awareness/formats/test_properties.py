"""Whatever bytes arrive, no reader raises: bad input becomes problems."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.awareness.formats import (
    KINDS,
    ParseResult,
    parse,
    parse_bibtex,
    parse_crossref,
    parse_feed,
    parse_orcid,
    parse_ris,
    title_key,
)

READERS = [parse_bibtex, parse_ris, parse_orcid, parse_crossref, parse_feed]

# Arbitrary bytes, and bytes that start like each format so the readers get past the first line.
PREFIXES = st.sampled_from(
    [
        b"",
        b"@article{k,\n title = {",
        b"TY  - JOUR\nTI  - ",
        b'{"group": [{"work-summary": [',
        b'{"message": {"items": [',
        b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>',
        b'<work:work xmlns:work="http://www.orcid.org/ns/work">',
        b"\xef\xbb\xbf",
        b"\xff\xfe",
    ]
)
DATA = st.builds(lambda prefix, rest: prefix + rest, PREFIXES, st.binary(max_size=400))


def assert_well_formed(result: ParseResult) -> None:
    for record in result.records:
        assert record.title.strip()
        assert record.kind in KINDS
        assert title_key(record.title) == title_key(title_key(record.title))
    for problem in result.problems:
        assert problem.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=DATA)
def test_no_reader_raises_on_arbitrary_bytes(data):
    for reader in READERS:
        assert_well_formed(reader(data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=DATA, filename=st.sampled_from(["", "a.bib", "a.ris", "a.json", "a.xml", "a.txt"]))
def test_parse_never_raises_and_names_a_known_format(data, filename):
    result = parse(data, filename=filename)

    assert result.format in {"bibtex", "ris", "orcid", "crossref", "feed", "unknown"}
    assert_well_formed(result)
    if result.format == "unknown":
        assert len(result.problems) == 1


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=200))
def test_no_reader_raises_on_arbitrary_text_in_utf8_or_utf16(text):
    for data in (text.encode("utf-8"), text.encode("utf-16")):
        for reader in READERS:
            assert_well_formed(reader(data))
