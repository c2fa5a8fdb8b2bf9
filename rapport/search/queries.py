"""Full-text search over what a user may see: people, touchpoints, requests and items.

For each kind the search runs in three small steps, a fixed number of queries whatever the
data's size:

1. rank: the text index finds the matches among the user's *candidates* and ranks them (bm25
   on SQLite, ts_rank on PostgreSQL). Candidates are the rows the filters keep, narrowed for a
   librarian to the few thousand their scope can reach, so a common word costs a pass over its
   matches and no more.
2. snippets for the best few, hits marked for HTML.
3. the objects, fetched through the app's own access-scoped query. That query is the
   authority: a row the candidates let through but the scope refuses is dropped, so the
   candidates can only ever make search faster, never let anyone see more.

The candidates' SQL and the scope's condition are built once per user and kept
(`compiled_candidates`, `scoped_rows`; docs/search.md says what the keys hold).

Managers see no question text, notes or confidential entries: they may search people (whom
their scope shows them — no one, today) and items. Confidential touchpoints are found by their
author only, as everywhere else.
"""

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import BooleanField, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from rapport.accounts.models import User
from rapport.awareness.models import Item
from rapport.awareness.queries import items_for
from rapport.people.models import Membership, Person
from rapport.people.queries import (
    library_wide,
    people_for,
    scope_person_ids,
    served_group_ids,
)
from rapport.requests.models import Request
from rapport.requests.queries import request_reach, requests_for
from rapport.search import postgres, text
from rapport.search.documents import (
    DOCUMENTS,
    ITEM,
    KINDS,
    LABELS,
    PERSON,
    PG_CONFIG,
    REQUEST,
    TOUCHPOINT,
    Document,
)
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.touchpoints.queries import touchpoints_for
from rapport.weblinks import web_address

MAX_LIMIT = 100
SNIPPET_WORDS = 16
# SQLite ranks the newest WINDOW matches among the candidates: every match of a rare word, the
# recent part of a common one's (see docs/search.md).
WINDOW = 100
# Ranked rows fetched beyond the limit: the scope check may still drop a few (see step 3).
SPARE = 10

NO_TERMS = "Type a word or two to search for."

T = TypeVar("T")
#: Each user's SQL, kept by what it is made from (`compiled_candidates`, `scoped_rows`).
COMPILED_KEPT = 512
_MISSING = object()
MANAGER_KINDS = (PERSON, ITEM)


@dataclass(frozen=True)
class Filters:
    """What the search form and the API can narrow by. A filter that does not apply to a kind
    leaves that kind out (people have no date, items no group or tag)."""

    kinds: tuple[str, ...] = KINDS
    group: int | None = None
    touchpoint_kind: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    tag: str = ""

    def applies_to(self, kind: str) -> bool:
        if kind not in self.kinds:
            return False
        if self.group and kind == ITEM:
            return False
        if self.touchpoint_kind and kind != TOUCHPOINT:
            return False
        if (self.date_from or self.date_to) and kind == PERSON:
            return False
        return not (self.tag and kind not in (TOUCHPOINT, REQUEST))


@dataclass
class Hit:
    kind: str
    object: Any
    score: float
    snippet: SafeString

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def title(self) -> str:
        obj = self.object
        if self.kind == PERSON:
            return obj.full_name
        if self.kind == TOUCHPOINT:
            return obj.topic or obj.get_kind_display()
        return obj.title

    @property
    def url(self) -> str:
        return url_for(self.kind, self.object)


def url_for(kind: str, obj: Any) -> str:
    """The object's page in Rapport; an item, until it has one, links to its source."""
    names = {
        PERSON: "people:person_detail",
        TOUCHPOINT: "touchpoints:detail",
        REQUEST: "requests:detail",
        ITEM: "awareness:item_detail",
    }
    try:
        return reverse(names[kind], args=[obj.pk])
    except NoReverseMatch:
        return web_address(getattr(obj, "link", ""))  # a stored link: http(s) only


def allowed_kinds(user: User) -> tuple[str, ...]:
    return MANAGER_KINDS if user.is_manager else KINDS


def search(
    user: User,
    q: str,
    *,
    kinds: Iterable[str] | None = None,
    group: int | None = None,
    touchpoint_kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    tag: str | None = None,
    limit: int = 20,
) -> list[Hit]:
    """The best `limit` hits for `q` over what `user` may open, best first. An empty query
    (or one of punctuation only) finds nothing; `text.terms(q)` tells the caller so."""
    terms = text.terms(q)
    if not terms or limit < 1:
        return []
    limit = min(limit, MAX_LIMIT)
    wanted = tuple(k for k in (kinds or KINDS) if k in allowed_kinds(user))
    filters = Filters(
        kinds=wanted,
        group=group,
        touchpoint_kind=touchpoint_kind or "",
        date_from=date_from,
        date_to=date_to,
        tag=(tag or "").strip().lstrip("#").lower(),
    )
    # Rank every kind first (cheap), then fetch snippets and objects for the best only.
    reach = Reach.of(user)
    ranked = [
        (score, kind, pk)
        for kind in KINDS
        if filters.applies_to(kind)
        for pk, score in rank(
            DOCUMENTS[kind], terms, compiled_candidates(kind, reach, filters), limit + SPARE
        )
    ]
    ranked.sort(key=lambda r: (-r[0], r[1], -r[2]))
    best = ranked[: limit + SPARE]
    shown: dict[tuple[str, int], Hit] = {}
    for kind in KINDS:
        ids = [pk for _, k, pk in best if k == kind]
        if not ids:
            continue
        doc = DOCUMENTS[kind]
        snippets = snippets_for(doc, text.fts5_all(terms), " ".join(terms), ids)
        # The scoped query has the last word: a candidate it refuses is not shown.
        for obj in scoped_rows(kind, reach, ids):
            shown[kind, obj.pk] = Hit(kind, obj, 0.0, text.marked(snippets.get(obj.pk, "")))
    hits = []
    for score, kind, pk in best:
        if (kind, pk) in shown:
            hit = shown[kind, pk]
            hit.score = score
            hits.append(hit)
    return hits[:limit]


# --- candidates: the filters, and for a librarian the reach of their scope ----------------


def _dates(qs: QuerySet[Any], field: str, filters: Filters) -> QuerySet[Any]:
    if filters.date_from:
        qs = qs.filter(**{f"{field}__gte": filters.date_from})
    if filters.date_to:
        qs = qs.filter(**{f"{field}__lte": filters.date_to})
    return qs


def _datetimes(qs: QuerySet[Any], field: str, filters: Filters) -> QuerySet[Any]:
    """Whole days, in the site's time zone, for a datetime field; as a range on the column
    itself, so an index on it serves (a __date lookup wraps the column in a function)."""
    if filters.date_from:
        qs = qs.filter(**{f"{field}__gte": _day_start(filters.date_from)})
    if filters.date_to:
        qs = qs.filter(**{f"{field}__lt": _day_start(filters.date_to + dt.timedelta(days=1))})
    return qs


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def tagged(qs: QuerySet[Any], field: str, tag: str) -> QuerySet[Any]:
    """Rows whose JSON list `field` holds `tag`. PostgreSQL has containment; SQLite keeps the
    list as JSON text, where a quoted, escaped element can only match a whole tag."""
    if not tag:
        return qs
    if connection.features.supports_json_field_contains:
        return qs.filter(**{f"{field}__contains": [tag]})
    return qs.alias(tags_text=Cast(field, TextField())).filter(tags_text__contains=json.dumps(tag))


def _sees_all(user: User) -> bool:
    return user.is_admin or library_wide()


@dataclass
class Reach:
    """What the user's scope is made of, read once per search and shared by the four kinds:
    whether they see everyone, and for a librarian their groups and their people's ids."""

    user: User
    sees_all: bool
    groups: list[int]
    people: QuerySet[Any]

    @classmethod
    def of(cls, user: User) -> "Reach":
        if _sees_all(user):
            return cls(user, True, [], Person.objects.none().values("pk"))
        return cls(user, False, served_group_ids(user), scope_person_ids(user))

    def key(self) -> tuple[Any, ...]:
        """Everything the candidates' SQL is made from, beside the filters: the same key, the
        same SQL (see `compiled_candidates`)."""
        user = self.user
        return (user.pk, user.role, user.is_superuser, self.sees_all, tuple(self.groups))


@dataclass
class Candidates:
    """Where to look: ids in any of `within` (None: any row) and not in `without` (None: no
    exclusion); `rows`, the same candidates as a condition on the kind's own rows (None: every
    row), which PostgreSQL tests on each match it lists rather than listing the whole reach.
    `rows` starts from `in_scope`, the scope's kept condition, so the scope is built once."""

    within: list[QuerySet[Any]] | None = None
    without: QuerySet[Any] | None = None
    #: A touchpoint kind checked on each match walked (one lookup by id), not on every
    #: candidate: the kind has no index, and a librarian's reach is many rows.
    kind: str = ""
    rows: QuerySet[Any] | None = None


def person_candidates(reach: Reach, filters: Filters) -> Candidates:
    qs, rows = Person.objects.all(), in_scope(PERSON, reach)
    if not reach.sees_all:
        qs = qs.filter(pk__in=reach.people)
    if filters.group:
        members = Membership.objects.filter(group_id=filters.group).values("person_id")
        qs, rows = qs.filter(pk__in=members), rows.filter(pk__in=members)
    elif reach.sees_all:
        return Candidates()  # everyone: the index alone
    return Candidates([qs.order_by().values("pk")], rows=rows)


def touchpoint_candidates(
    reach: Reach, filters: Filters, *, shared_only: bool = False
) -> Candidates:
    """The touchpoints the filters keep; for a librarian, only those within their reach: their
    own, their groups', and those about the people they may see, less others' confidential
    ones. It is `touchpoint_scope` reshaped as a union of index-only lookups (the scope itself,
    an OR over subqueries, reads the whole table) and a small partial index; the scope still
    has the last word. `shared_only` leaves out even the user's own confidential touchpoints."""
    user = reach.user
    confidential = Touchpoint.objects.filter(confidential=True).order_by()
    hidden = (confidential if shared_only else confidential.exclude(author=user)).values("pk")

    def filtered(qs: QuerySet[Touchpoint]) -> QuerySet[Touchpoint]:
        if filters.group:
            qs = qs.filter(group_id=filters.group)
        return tagged(_datetimes(qs, "occurred_at", filters), "tags", filters.tag)

    def narrowed(qs: QuerySet[Touchpoint]) -> QuerySet[Any]:
        return filtered(qs).order_by().values("pk")

    # The same candidates as a condition on each touchpoint: the scope, the filters, the kind.
    rows = filtered(in_scope(TOUCHPOINT, reach))
    if filters.touchpoint_kind:
        rows = rows.filter(kind=filters.touchpoint_kind)
    if shared_only:
        rows = rows.filter(confidential=False)
    everything = Touchpoint.objects.all()
    kind = filters.touchpoint_kind
    narrowing = filters.group or filters.date_from or filters.date_to or filters.tag
    if reach.sees_all:
        if narrowing:
            return Candidates([narrowed(everything)], hidden, kind, rows)
        return Candidates(None, hidden, kind, rows)
    mine = Participation.objects.filter(person_id__in=reach.people).order_by()
    about = mine.values("touchpoint_id")
    if narrowing:
        about = narrowed(everything.filter(pk__in=about))
    # Three lists, each read off an index alone.
    parts = [
        narrowed(everything.filter(author=user)),
        narrowed(everything.filter(group_id__in=reach.groups)),
        about,
    ]
    return Candidates(parts, hidden, kind, rows)


def request_candidates(reach: Reach, filters: Filters) -> Candidates:
    def filtered(qs: QuerySet[Request]) -> QuerySet[Request]:
        if filters.group:
            qs = qs.filter(group_id=filters.group)
        return tagged(_datetimes(qs, "created_at", filters), "story_tags", filters.tag)

    qs = filtered(Request.objects.all())
    narrowing = bool(qs.query.where)
    if reach.sees_all:
        return Candidates([qs.order_by().values("pk")], rows=qs) if narrowing else Candidates()
    scoped = filtered(in_scope(REQUEST, reach))
    if not narrowing:
        return Candidates(request_reach(reach.user, reach.groups, reach.people), rows=scoped)
    return Candidates([scoped.order_by().values("pk")], rows=scoped)


def item_candidates(reach: Reach, filters: Filters) -> Candidates:
    if not (filters.date_from or filters.date_to):
        return Candidates()  # items are for everyone who may search
    dated = _dates(Item.objects.all(), "published_on", filters)
    return Candidates([dated.order_by().values("pk")], rows=dated)


CANDIDATES: dict[str, Callable[[Reach, Filters], Candidates]] = {
    PERSON: person_candidates,
    TOUCHPOINT: touchpoint_candidates,
    REQUEST: request_candidates,
    ITEM: item_candidates,
}


#: What each kind may show a user: the app's own access-scoped queries, the authority.
SCOPED: dict[str, Callable[[User], QuerySet[Any]]] = {
    PERSON: lambda user: people_for(user, include_archived=True),
    TOUCHPOINT: touchpoints_for,
    REQUEST: requests_for,  # its condition only: managers never search requests
    ITEM: items_for,
}
#: A scope's condition as SQL ("" for every row), or None when it shows nothing.
Condition = tuple[str, tuple[Any, ...]] | None
_scopes: dict[tuple[Any, ...], Condition] = {}
#: The model of each kind, and what a hit shows beside it.
FETCHED: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    PERSON: (Person, ()),
    TOUCHPOINT: (Touchpoint, ("author", "group")),
    REQUEST: (Request, ("owner", "group")),
    ITEM: (Item, ()),
}


def scoped_rows(kind: str, reach: Reach, ids: list[int]) -> QuerySet[Any]:
    """The rows `ids` of a kind that `SCOPED[kind](reach.user)` lets the user see."""
    return in_scope(kind, reach).filter(pk__in=ids).select_related(*FETCHED[kind][1])


def in_scope(kind: str, reach: Reach) -> QuerySet[Any]:
    """Every row of a kind that `SCOPED[kind](reach.user)` lets the user see, as a condition
    built once per reach (as the candidates are) and kept: it is the same SQL each time, and
    the ORM takes 1.5-4 ms a kind to build it. The candidates' `rows` and the fetch of the
    best hits both start here."""
    condition = _scope_condition(kind, reach)
    model = FETCHED[kind][0]
    if condition is None:
        return model.objects.none()
    sql, params = condition
    if not sql:  # everything
        return model.objects.all()
    return model.objects.filter(RawSQL(sql, params, output_field=BooleanField()))


def _scope_condition(kind: str, reach: Reach) -> Condition:
    def build() -> Condition:
        scope = SCOPED[kind](reach.user).query
        try:
            sql, params = scope.get_compiler(connection=connection).compile(scope.where)
        except EmptyResultSet:  # nothing of this kind is theirs (a manager's people)
            return None
        except FullResultSet:  # all of it (items)
            return ("", ())
        return (sql, tuple(params))

    return _kept(_scopes, (connection.alias, connection.vendor, kind, reach.key()), build)


# --- the two databases --------------------------------------------------------------------


#: The candidates as SQL: SQLite's conditions (`_where`), PostgreSQL's (`_conditions`), or None
#: when nothing can match.
Compiled = tuple[str, list[Any], str, list[Any]] | postgres.Conditions | None
_compiled: dict[tuple[Any, ...], Compiled] = {}


def compiled_candidates(
    kind: str, reach: Reach, filters: Filters, *, shared_only: bool = False
) -> Compiled:
    """`compile_candidates` of a kind's candidates, kept by what they are made from (the
    database, the reach's key, the filters, the time zone their days are read in): the same
    inputs always make the same SQL, and building it with the ORM costs more than a rare
    word's ranking (2-5 ms a kind). A user's first search in a process builds it."""
    key = (
        connection.alias,
        connection.vendor,
        kind,
        shared_only,
        reach.key(),
        filters,
        timezone.get_current_timezone_name(),
    )

    def build() -> Compiled:
        if shared_only:
            candidates = touchpoint_candidates(reach, filters, shared_only=True)
        else:
            candidates = CANDIDATES[kind](reach, filters)
        return compile_candidates(DOCUMENTS[kind], candidates)

    return _kept(_compiled, key, build)


#: False inside `nothing_kept()`: the plain path, which builds every search's SQL afresh.
_keeping: ContextVar[bool] = ContextVar("keeping", default=True)


@contextlib.contextmanager
def nothing_kept() -> Iterator[None]:
    """Search the plain way inside this block: every kind's candidates and scope are built
    from the access-scoped queries at each search, and nothing is read from or added to what
    is kept. It is the reference the kept path must agree with (tests/search/
    test_kept_property.py); a key that missed one of the scope's inputs would show there."""
    token = _keeping.set(False)
    try:
        yield
    finally:
        _keeping.reset(token)


def _kept(cache: dict[tuple[Any, ...], T], key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """`cache[key]`, built by `build` when missing; the cache starts afresh when full."""
    if not _keeping.get():
        return build()
    kept = cache.get(key, _MISSING)
    if kept is not _MISSING:
        return cast(T, kept)
    value = build()
    if len(cache) >= COMPILED_KEPT:
        cache.clear()
    cache[key] = value
    return value


def forget_compiled() -> None:
    """Drop every user's kept SQL (`compiled_candidates`, `scoped_rows`): the next search of
    each builds it again, as the first in a process does."""
    _compiled.clear()
    _scopes.clear()


def compile_candidates(doc: Document, candidates: Candidates) -> Compiled:
    if connection.vendor == "sqlite":
        # See _rank_sqlite for the plus; the kind check names the FTS table's rowid in full.
        return _where("+rowid", candidates, row=f"{doc.fts}.rowid")
    if connection.vendor == "postgresql":
        return _conditions(candidates)
    return None


def rank(
    doc: Document,
    terms: list[str],
    where: Compiled,
    limit: int,
    *,
    match: str | None = None,
    newest_first: bool | None = None,
) -> list[tuple[int, float]]:
    """(id, score) of the best matches among the newest WINDOW matches of the candidates
    (`compiled_candidates`, `compile_candidates`), best first. Scores are higher for better
    matches on both databases. `match` overrides the FTS5 query (similar questions ask for any
    term, in some columns). `newest_first` chooses how PostgreSQL finds the matches
    (`postgres.rank`; None: from its statistics)."""
    if where is None:
        return []
    if isinstance(where, tuple):
        return _rank_sqlite(doc, match or text.fts5_all(terms), where, limit)
    return postgres.rank(
        doc,
        terms,
        where,
        limit,
        WINDOW,
        any_term=match is not None,
        newest_first=newest_first,
    )


def _conditions(candidates: Candidates) -> postgres.Conditions | None:
    """The candidates as SQL for PostgreSQL; None when nothing can match."""
    within: list[tuple[str, Sequence[Any]]] | None = None
    if candidates.within is not None:
        within = []
        for qs in candidates.within:
            try:
                within.append(qs.query.sql_with_params())
            except EmptyResultSet:  # an empty scope (a manager's people)
                continue
        if not within:
            return None
    hidden: tuple[str, Sequence[Any]] | None = None
    if candidates.without is not None:
        with contextlib.suppress(EmptyResultSet):  # nothing hidden
            hidden = candidates.without.query.sql_with_params()
    rows: tuple[str, Sequence[Any]] = ("", ())
    if candidates.rows is not None:
        query = candidates.rows.query
        try:
            sql, params = query.get_compiler(connection=connection).compile(query.where)
        except EmptyResultSet:
            return None
        except FullResultSet:
            pass
        else:
            rows = (sql, tuple(params))
    return postgres.Conditions(within, rows, candidates.kind, hidden)


def _where(
    column: str, candidates: Candidates, *, row: str = ""
) -> tuple[str, list[Any], str, list[Any]] | None:
    """SQL conditions on `column`: (within, its params, without, its params); None when
    nothing can match. The lists within are one compound, so each row costs one lookup."""
    within: list[str] = []
    params: list[Any] = []
    for qs in candidates.within or []:
        try:
            sql, more = qs.query.sql_with_params()
        except EmptyResultSet:  # an empty scope (a manager's people)
            continue
        within.append(sql)
        params += more
    if candidates.within is not None and not within:
        return None
    inside = f" AND {column} IN ({' UNION ALL '.join(within)})" if within else ""
    if candidates.kind:
        table = Touchpoint._meta.db_table
        inside += (
            f" AND EXISTS (SELECT 1 FROM {table} k WHERE k.id = {row or column} AND k.kind = %s)"
        )
        params.append(candidates.kind)
    outside, excluded = "", []
    if candidates.without is not None:
        try:
            sql, more = candidates.without.query.sql_with_params()
        except EmptyResultSet:
            pass
        else:
            # Checked row by row (a primary-key lookup each): NOT IN would first list every
            # excluded row, thousands of them, and on PostgreSQL it also kept the planner from
            # starting at the candidates.
            outside = f" AND NOT EXISTS (SELECT 1 FROM ({sql}) h WHERE h.pk = {row or column})"
            excluded = list(more)
    return inside, params, outside, excluded


def _rank_sqlite(
    doc: Document, match: str, where: tuple[str, list[Any], str, list[Any]], limit: int
) -> list[tuple[int, float]]:
    inside, params, outside, excluded = where
    weights = ", ".join(str(w) for w in doc.weights)
    # `+rowid`: without the plus SQLite hands each candidate to FTS5 as a separate lookup;
    # with it FTS5 walks the matches once, newest first, checking each against the candidates,
    # and stops after WINDOW of them: a common word costs a bounded walk, not all its matches.
    # The exclusions are checked on those WINDOW rows only, one lookup each. (`m.rowid` in
    # full: a bare rowid inside the check would name the excluded rows' own.)
    query = (
        f"SELECT m.rowid, m.score FROM (SELECT rowid, -bm25({doc.fts}, {weights}) AS score "
        f"FROM {doc.fts} WHERE {doc.fts} MATCH %s{inside} ORDER BY rowid DESC LIMIT %s) AS m "
        f"WHERE 1{outside.replace(f'{doc.fts}.rowid', 'm.rowid')} "
        "ORDER BY m.score DESC, m.rowid DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [match, *params, WINDOW, *excluded, limit])
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]


def recent_reach(
    doc: Document, terms: list[str], columns: tuple[str, ...], sample: int
) -> list[int | None]:
    """SQLite: for each term, how many of the newest rows its newest `sample` matches in
    `columns` span (None: it has fewer matches than that). A word whose matches crowd the
    newest rows is common; finding out costs a walk of `sample` matches at most, where bm25
    reads every match of a word to weigh it."""
    if not terms:
        return []
    table = doc.fts
    walks = " UNION ALL ".join(
        f"SELECT {n}, count(*), min(r) FROM (SELECT rowid AS r FROM {table} "
        f"WHERE {table} MATCH %s ORDER BY rowid DESC LIMIT %s)"
        for n in range(len(terms))
    )
    params: list[Any] = []
    for term in terms:
        params += [text.fts5_any([term], columns), sample]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {table} ORDER BY rowid DESC LIMIT 1")
        newest = (cursor.fetchone() or (0,))[0]
        cursor.execute(walks, params)
        rows = cursor.fetchall()
    reach: list[int | None] = [None] * len(terms)
    for n, found, oldest in rows:
        if found == sample:
            reach[n] = newest - oldest + 1
    return reach


def snippets_for(
    doc: Document, match: str, plain: str, ids: list[int], *, any_term: bool = False
) -> dict[int, str]:
    """id -> a short extract with each hit between text.START and text.STOP."""
    if not ids:
        return {}
    marks = [text.START, text.STOP]
    if connection.vendor == "sqlite":
        listed = ", ".join(str(int(pk)) for pk in ids)
        query = (
            f"SELECT rowid, snippet({doc.fts}, -1, %s, %s, '…', {SNIPPET_WORDS}) "
            f"FROM {doc.fts} WHERE {doc.fts} MATCH %s AND rowid IN ({listed})"
        )
        params: list[Any] = [*marks, match]
    elif connection.vendor == "postgresql":
        terms = text.terms(plain)
        options = (
            f'StartSel="{text.START}", StopSel="{text.STOP}", MaxWords=24, MinWords=8, '
            'MaxFragments=2, FragmentDelimiter=" … "'
        )
        query = (
            f"SELECT d.id, ts_headline('{PG_CONFIG}'::regconfig, {doc.pg_text('d')}, q, %s) "
            f"FROM {doc.table} d, {postgres.tsquery(any_term)} q WHERE d.id = ANY(%s)"
        )
        params = [options, postgres.query_text(terms, any_term), list(ids)]
    else:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {int(pk): snippet or "" for pk, snippet in cursor.fetchall()}
