"""Tolerant readers that turn bibliographic files and feeds into plain records.

Pure Python, no models: the awareness services store what these return as items (things to
tell people about) or publications (evidence of what a person works on).

    result = parse(data, filename="export.bib")      # any format, detected; never raises
    result.format, result.records, result.problems

Readers for one format: parse_bibtex, parse_ris, parse_orcid, parse_crossref, parse_feed.
Network: fetch_feed(url) and fetch_orcid(orcid_id) fetch through rapport.outbound (public
addresses only, unless allowed) and raise its FetchError with a plain message.
"""

from rapport.awareness.formats.bibtex import parse_bibtex
from rapport.awareness.formats.crossref import parse_crossref
from rapport.awareness.formats.detect import detect, parse
from rapport.awareness.formats.feeds import fetch_feed, parse_feed
from rapport.awareness.formats.orcid import fetch_orcid, normalise_orcid, parse_orcid
from rapport.awareness.formats.records import KINDS, ParseResult, Problem, Record, storable
from rapport.awareness.formats.ris import parse_ris
from rapport.awareness.formats.text import arxiv_id_from, normalise_doi, title_key
from rapport.outbound import FetchError

__all__ = [
    "KINDS",
    "FetchError",
    "ParseResult",
    "Problem",
    "Record",
    "arxiv_id_from",
    "detect",
    "fetch_feed",
    "fetch_orcid",
    "normalise_doi",
    "normalise_orcid",
    "parse",
    "parse_bibtex",
    "parse_crossref",
    "parse_feed",
    "parse_orcid",
    "parse_ris",
    "storable",
    "title_key",
]
