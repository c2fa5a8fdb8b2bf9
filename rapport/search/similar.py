"""Similar past questions: when a question arrives, the touchpoints most like it, with their
answers and who handled them, so knowledge already earned is used again.

Likeness is lexical: the question's significant words (no stop words, longest first), any of
them, in the earlier touchpoints' topic and question, ranked by bm25 (SQLite) or ts_rank
(PostgreSQL). A word found in at least COMMON of touchpoints, and in at least SAMPLE of them,
is left out ("search", "article" in a large library): it says little about likeness, and
ranking its every match costs (bm25 reads them all to weigh the word). SQLite measures a
word's share among recent touchpoints with a bounded walk of its matches; PostgreSQL reads it
from the planner's statistics. A small library keeps every word. Only what the viewer may
read is shown, and confidential touchpoints never, not even the viewer's own: a suggestion can
be seen over a shoulder or pasted into a reply.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils.safestring import SafeString

from rapport.accounts.models import User
from rapport.search import text
from rapport.search.documents import DOCUMENTS, TOUCHPOINT
from rapport.search.postgres import known_shares
from rapport.search.queries import (
    Filters,
    Reach,
    compiled_candidates,
    rank,
    recent_reach,
    scoped_rows,
    snippets_for,
)
from rapport.touchpoints.models import Touchpoint

COLUMNS = ("topic", "question")
SPARE = 10
#: Share of recent touchpoints above which a word is too common to say two questions are alike.
COMMON = 0.05
#: Newest matches read to estimate a word's share.
SAMPLE = 1000
#: Words kept when every word is common: the rarest few.
KEEP_COMMON = 2


@dataclass
class Similar:
    touchpoint: Touchpoint
    score: float
    snippet: SafeString


def question_text(touchpoint: Touchpoint) -> str:
    return f"{touchpoint.topic} {touchpoint.question}"


def informative(terms: list[str]) -> list[str]:
    """The words worth matching on, in the order given: those not too common, or when all of
    them are, the rarest few."""
    if not terms:
        return terms
    doc = DOCUMENTS[TOUCHPOINT]
    if connection.vendor == "sqlite":
        reach = recent_reach(doc, terms, COLUMNS, SAMPLE)
        shares = [SAMPLE / r if r else None for r in reach]
    elif connection.vendor == "postgresql":
        shares, _ = known_shares(doc, terms, SAMPLE)
    else:
        return terms
    kept = [t for t, share in zip(terms, shares, strict=True) if share is None or share < COMMON]
    if kept:
        return kept
    rarest = sorted(range(len(terms)), key=lambda n: shares[n] or 0.0)[:KEEP_COMMON]
    return [terms[n] for n in sorted(rarest)]


def similar_questions(
    user: User,
    text_: str,
    *,
    exclude: Iterable[Touchpoint | int] = (),
    limit: int = 5,
) -> list[Similar]:
    """The past touchpoints most like `text_`, best first, among those `user` may read, less
    those in `exclude` (the touchpoint asked about, or a request's own touchpoints: they are
    the question itself, not a past one)."""
    if user.is_manager or limit < 1:
        return []
    doc = DOCUMENTS[TOUCHPOINT]
    terms = informative(text.significant(text_))
    if not terms:
        return []
    match = text.fts5_any(terms, COLUMNS)
    reach = Reach.of(user)
    candidates = compiled_candidates(TOUCHPOINT, reach, Filters(), shared_only=True)
    excluded = {getattr(tp, "pk", tp) for tp in exclude}
    ranked = [
        (pk, score)
        for pk, score in rank(doc, terms, candidates, limit + SPARE + len(excluded), match=match)
        if pk not in excluded
    ]
    ids = [pk for pk, _ in ranked]
    if not ids:
        return []
    found = {tp.pk: tp for tp in scoped_rows(TOUCHPOINT, reach, ids).filter(confidential=False)}
    snippets = snippets_for(doc, match, " ".join(terms), ids, any_term=True)
    return [
        Similar(found[pk], score, text.marked(snippets.get(pk, "")))
        for pk, score in ranked
        if pk in found
    ][:limit]
