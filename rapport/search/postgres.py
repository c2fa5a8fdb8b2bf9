"""Ranking on PostgreSQL: which matches to rank, and the fastest way to reach them.

As on SQLite, a search ranks the newest WINDOW matches among its candidates with `ts_rank`.
There are three ways to find them, and which is fastest depends on how common the words are:

- **matches first** (a rare word): the GIN index lists every row holding the words, the newest
  WINDOW of those the candidates keep are ranked. Costs one pass over the word's matches.
- **candidates first** (a common word, and a list of candidates such as a librarian's reach):
  the candidates, newest first, each checked against the words by its stored vector, one
  primary-key lookup each, until WINDOW match. Costs WINDOW / share lookups, never more than
  there are candidates; listing a common word's matches would cost hundreds of thousands.
- **newest rows first** (every row a candidate, a word the statistics list): the matches
  among the newest rows, the GIN index and the primary key intersected before any row is
  read. The span of rows is sized to hold WINDOW matches twice over; when it holds fewer
  (the words were rarer together than apart), a wider span is sized from what it held, and
  at last every row.

The planner cannot choose well between the first two: it does not know how many candidates a
reach holds (a union's distinct count; it guesses 200, for six thousand). So Rapport chooses
from the words' shares in the planner's own statistics (`known_shares`) and the number of
candidates, counted now and then (`candidates_size`), and writes each query in a shape the
planner can only run one way.
"""

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from rapport.search.documents import PG_CONFIG, Document

#: A random primary-key lookup costs about as much as this many rows of a bitmap heap scan:
#: with E matches among N rows, listing them costs E rows, walking newest first about
#: LOOKUP_COST * WINDOW * N / E; matches first is the cheaper while E * E < LOOKUP_COST *
#: WINDOW * N (measured on tier M: 4.6 µs a lookup, 1.5 µs a listed row).
LOOKUP_COST = 3
#: How many times WINDOW matches the newest-rows span is sized to hold.
SPAN_MARGIN = 2
#: Spans tried, each sized from what the last held, before every row is.
SPAN_TRIES = 3
#: How much a span grows when it held no match at all (nothing to size the next one from).
SPAN_GROWTH_EMPTY = 16


@dataclass
class Conditions:
    """The candidates as SQL, two ways. `within`, queries of ids (None: every row), with `kind`,
    a touchpoint kind each row must have, and `hidden`, a query of ids never to rank (column
    `pk`): the candidates listed, for walking them newest first. `rows`, the same candidates as
    a condition on the kind's table, named in full ("": every row): tested on each match
    listed, which costs far less than listing a librarian's whole reach to keep a few."""

    within: list[tuple[str, Sequence[Any]]] | None
    rows: tuple[str, Sequence[Any]]
    kind: str = ""
    hidden: tuple[str, Sequence[Any]] | None = None


def tsquery(any_term: bool) -> str:
    if any_term:
        return f"to_tsquery('{PG_CONFIG}'::regconfig, %s)"
    return f"websearch_to_tsquery('{PG_CONFIG}'::regconfig, %s)"


def query_text(terms: list[str], any_term: bool) -> str:
    if any_term:  # to_tsquery syntax: each term quoted as a lexeme, joined by |
        return " | ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms)
    return " ".join(terms)  # websearch syntax: plain words, all required


#: How long the planner's word statistics of a table are kept before they are read again.
STATISTICS_SECONDS = 300
_statistics: dict[tuple[str, str], tuple[float, float, dict[str, float]]] = {}
#: Each word's stem, as PostgreSQL's text search configuration makes it (None: a stop word).
_stems: dict[str, str | None] = {}
STEMS_KEPT = 10_000


def known_shares(doc: Document, terms: list[str], least: int) -> tuple[list[float | None], float]:
    """For each term, the share of rows that hold it, from the planner's own statistics of
    `search_vector` (its most common words, kept by ANALYZE); None for a word that is not among
    them or is in fewer than `least` rows; 1.0 for a stop word (as if in every row). With the
    table's row count as the planner knows it.

    The statistics and the row count (a thousand words, a millisecond to read) are kept for
    STATISTICS_SECONDS, as ANALYZE renews them only now and then (`forget_statistics` drops
    them at once); the words' stems are kept too, so a search usually asks nothing here."""
    if not terms:
        return [], 0.0
    with connection.cursor() as cursor:
        stems = _stems_of(cursor, terms)
        rows, freqs = _word_statistics(cursor, doc.table)
    shares: list[float | None] = []
    for stem in stems:
        if not stem:  # a stop word, which PostgreSQL leaves out of the query: it narrows nothing
            shares.append(1.0)
            continue
        share = freqs.get(stem)
        shares.append(share if share is not None and share * rows >= least else None)
    return shares, rows


def _stems_of(cursor: Any, terms: list[str]) -> list[str | None]:
    missing = [t for t in dict.fromkeys(terms) if t not in _stems]
    if missing:
        cursor.execute(
            f"SELECT array(SELECT (SELECT lexeme FROM unnest(to_tsvector('{PG_CONFIG}'::regconfig, "
            "w)) LIMIT 1) FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, n) ORDER BY n)",
            [missing],
        )
        if len(_stems) + len(missing) > STEMS_KEPT:
            _stems.clear()
        _stems.update(zip(missing, cursor.fetchone()[0], strict=True))
    return [_stems[t] for t in terms]


def _word_statistics(cursor: Any, table: str) -> tuple[float, dict[str, float]]:
    key = (str(connection.settings_dict["NAME"]), table)
    now = time.monotonic()
    kept = _statistics.get(key)
    if kept and now - kept[0] < STATISTICS_SECONDS:
        return kept[1], kept[2]
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
    rows = max(float(cursor.fetchone()[0] or 0.0), 0.0)
    cursor.execute(
        "SELECT m.e, m.f FROM pg_stats s, "
        "unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS m(e, f) "
        "WHERE s.schemaname = current_schema() AND s.tablename = %s "
        "AND s.attname = 'search_vector' AND m.e IS NOT NULL",
        [table],
    )
    freqs = {str(e): float(f) for e, f in cursor.fetchall()}
    _statistics[key] = (now, rows, freqs)
    return rows, freqs


def forget_statistics() -> None:
    """Read the planner's word statistics and row counts, and count the candidates, afresh at
    the next search (after an ANALYZE)."""
    _statistics.clear()
    _sizes.clear()


def expected_matches(shares: list[float | None], rows: float, any_term: bool) -> float:
    """How many rows the words are expected in: a word the statistics do not list counts as
    absent (it is rarer than every word they list); all words, as if independent; any word, at
    most the sum."""
    known = [s or 0.0 for s in shares]
    if not known:
        return 0.0
    share = min(1.0, sum(known)) if any_term else math.prod(known)
    return share * rows


def common(matches: float, rows: float, window: int, candidates: int | None = None) -> bool:
    """Whether walking newest first beats listing every match (see LOOKUP_COST). The walk
    looks up `window` matches' worth of rows, `window * rows / matches`, and never more than
    there are `candidates` (None: not known)."""
    if matches <= 0:
        return False
    walk = window * rows / matches
    if candidates is not None:
        walk = min(walk, candidates)
    return LOOKUP_COST * walk <= matches


#: How many candidates each list of them holds, as last counted: it steers the way to the
#: matches, never which rows are ranked, so a count a few minutes old costs time at worst.
_sizes: dict[tuple[Any, ...], tuple[float, int]] = {}
SIZES_KEPT = 2048


def candidates_size(where: Conditions) -> int | None:
    """How many distinct candidates `where` holds (None: every row), counted once every
    STATISTICS_SECONDS. A librarian's requests are a couple of hundred where the planner's
    statistics know only the table's thirty thousand: walked, a common word costs that many
    lookups at most, where listing its matches reads thousands of rows."""
    if where.within is None:
        return None
    key = (
        str(connection.settings_dict["NAME"]),
        tuple((sql, tuple(params)) for sql, params in where.within),
    )
    now = time.monotonic()
    kept = _sizes.get(key)
    if kept and now - kept[0] < STATISTICS_SECONDS:
        return kept[1]
    union = " UNION ".join(sql for sql, _ in where.within)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM ({union}) AS u", [p for _, more in where.within for p in more]
        )
        size = int(cursor.fetchone()[0])
    if len(_sizes) >= SIZES_KEPT:
        _sizes.clear()
    _sizes[key] = (now, size)
    return size


def rank(
    doc: Document,
    terms: list[str],
    where: Conditions,
    limit: int,
    window: int,
    *,
    any_term: bool,
    newest_first: bool | None = None,
) -> list[tuple[int, float]]:
    """(id, score) of the best `limit` among the newest `window` matches of the candidates,
    best first. `newest_first` None: chosen from the statistics."""
    shares, rows = known_shares(doc, terms, 0)
    matches = expected_matches(shares, rows, any_term)
    if newest_first is None:
        # With every row a candidate, the newest rows hold the matches of any word the
        # statistics list: the span is sized from its share, however small.
        if where.within is None:
            newest_first = matches > 0
        else:
            newest_first = common(matches, rows, window) or (
                matches > 0 and common(matches, rows, window, candidates_size(where))
            )
    q = query_text(terms, any_term)
    if not newest_first:
        return _run(*_matches_first(doc, where, window, any_term, q), limit, any_term, q)
    if where.within is not None:
        return _run(*_candidates_first(doc, where, window, any_term, q), limit, any_term, q)
    # Words the statistics do not know (a forced walk): every row.
    span = math.ceil(SPAN_MARGIN * window * rows / matches) if matches else None
    for _ in range(SPAN_TRIES):
        found, walked = _ranked(
            *_newest_rows(doc, where, window, any_term, q, span), limit, any_term, q
        )
        if walked >= window or span is None:
            return found
        # Rarer together than apart: a span sized by what this one held, or every row.
        grown = span * SPAN_MARGIN * window / walked if walked else span * SPAN_GROWTH_EMPTY
        span = math.ceil(grown) if grown < rows else None
    return _run(*_newest_rows(doc, where, window, any_term, q, None), limit, any_term, q)


def _checks(where: Conditions, row: str) -> tuple[str, list[Any]]:
    """The kind and the hidden rows, checked on each candidate walked (one lookup each)."""
    sql, params = "", []
    if where.kind:
        sql += f" AND {row}.kind = %s"
        params.append(where.kind)
    if where.hidden is not None:
        hidden, more = where.hidden
        sql += f" AND NOT EXISTS (SELECT 1 FROM ({hidden}) h WHERE h.pk = {row}.id)"
        params += more
    return sql, params


def _tested(where: Conditions) -> tuple[str, list[Any]]:
    """The candidates' condition on a row of the kind's table, unaliased (`rows`)."""
    sql, params = where.rows
    return (f" AND ({sql})", list(params)) if sql else ("", [])


def _matches_first(
    doc: Document, where: Conditions, window: int, any_term: bool, q: str
) -> tuple[str, list[Any]]:
    # The matches are a fence: the planner must list them (each tested against the candidates'
    # condition) before it sorts, rather than walk the primary key newest first.
    tested, params = _tested(where)
    sql = (
        f"WITH d AS MATERIALIZED (SELECT id, search_vector FROM {doc.table} "
        f"WHERE search_vector @@ {tsquery(any_term)}{tested}) "
        "SELECT d.id, d.search_vector AS v FROM d ORDER BY d.id DESC LIMIT %s"
    )
    return sql, [q, *params, window]


def _candidates_first(
    doc: Document, where: Conditions, window: int, any_term: bool, q: str
) -> tuple[str, list[Any]]:
    # The candidates sorted, then the lookup, a subquery (OFFSET 0) run once per candidate in
    # that order until WINDOW match: the planner can neither turn it into a scan of the word's
    # matches nor sort after the lookups.
    assert where.within is not None
    checks, params = _checks(where, "d")
    # The lists overlap (a librarian's own touchpoints are mostly about their people too):
    # sorted whole, then each id kept once as it streams past, which costs less than hashing
    # them distinct and sorting that (UNION), about 3 ms of a common word's 20 at tier M.
    union = " UNION ALL ".join(sql for sql, _ in where.within)
    within = [p for _, more in where.within for p in more]
    candidates = f"SELECT DISTINCT ON (id) id FROM ({union}) AS u(id) ORDER BY id DESC OFFSET 0"
    sql = (
        f"SELECT r.id, m.v FROM ({candidates}) r "
        "CROSS JOIN LATERAL "
        f"(SELECT d.search_vector AS v FROM {doc.table} d WHERE d.id = r.id "
        f"AND d.search_vector @@ {tsquery(any_term)}{checks} OFFSET 0) m "
        "ORDER BY r.id DESC LIMIT %s"
    )
    return sql, [*within, q, *params, window]


def _newest_rows(
    doc: Document, where: Conditions, window: int, any_term: bool, q: str, span: int | None
) -> tuple[str, list[Any]]:
    tested, params = _tested(where)
    table = doc.table
    newest, spanned = "", []
    if span is not None:
        newest, spanned = f" AND {table}.id > (SELECT max(id) FROM {table}) - %s", [span]
    sql = (
        f"SELECT {table}.id, {table}.search_vector AS v FROM {table} "
        f"WHERE {table}.search_vector @@ {tsquery(any_term)}{newest}{tested} "
        f"ORDER BY {table}.id DESC LIMIT %s"
    )
    return sql, [q, *spanned, *params, window]


def _run(
    walk: str, params: list[Any], limit: int, any_term: bool, q: str
) -> list[tuple[int, float]]:
    return _ranked(walk, params, limit, any_term, q)[0]


def _ranked(
    walk: str, params: list[Any], limit: int, any_term: bool, q: str
) -> tuple[list[tuple[int, float]], int]:
    """The best `limit` of the rows `walk` found, and how many it found."""
    query = (
        f"SELECT w.id, ts_rank(w.v, {tsquery(any_term)}) AS score, count(*) OVER () "
        f"FROM ({walk}) w ORDER BY score DESC, w.id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [q, *params, limit])
        rows = cursor.fetchall()
    return [(int(pk), float(score)) for pk, score, _ in rows], int(rows[0][2]) if rows else 0
