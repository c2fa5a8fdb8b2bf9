"""Interest profiles: what each person works on, learned from evidence and corrected by hand.

Evidence comes from four sources, each with a configurable weight
(`RAPPORT_INTEREST_WEIGHTS`): the questions the person asked (the question text of the
touchpoints they started, confidential ones never: never the librarian's own words, their
topics, tags, answers, outreach or deliverables, which the person would see as their
"interests" on their public page), their publications, interests stated by a librarian or
by the person, and alerts they marked useful. Recent evidence weighs more: a weight halves every
`RAPPORT_INTEREST_HALF_LIFE_DAYS`. Stated interests do not fade.

The profile is shown as terms with the evidence behind each, and it is handed to the matching
engine as weighted documents, one per piece of evidence, so a person with many interests is
not reduced to one average. Removed terms are struck out of every document; pinned terms are
always shown and always matched.
"""

import datetime as dt
import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from rapport.awareness.models import Interest, InterestState, Match, Publication
from rapport.people.models import Person
from rapport.touchpoints.models import Initiator, Kind, Origin, Participation

if TYPE_CHECKING:
    from rapport.awareness.engine import Profile

#: How many pieces of evidence of each kind a profile reads, newest first.
MAX_TOUCHPOINTS = 200
MAX_PUBLICATIONS = 100
MAX_FEEDBACK = 50
SHOWN_TERMS = 12
#: People per round trip when profiles are built in bulk.
CHUNK = 1000

#: Words that say nothing about a field of study, on top of the usual English stop words.
_GENERIC_WORDS = (
    "asked ask asks asking help helped helping need needs needed want wants looking look "
    "find finding found question questions quick thanks thank please via also using use used "
    "new one two get got make made way best good work working works paper papers article "
    "articles study studies research based approach results result analysis method methods "
    # The library's own service words: nearly everyone asks about them, so they say nothing
    # about what a person works on.
    "search searches searching searched training session sessions library libraries access "
    "sources source reference references citation citations database databases literature "
    "copy copies journal journals book books request requests email e-mail sent delivered "
    "wants asked consultation meeting annotated bibliography"
)
GENERIC = frozenset(_GENERIC_WORDS.split())


@functools.cache
def stop_words() -> frozenset[str]:
    """English stop words and the generic ones above. scikit-learn is imported here, on first
    use, not when the module loads: every web process imports this module through its URLs,
    and scikit-learn takes most of a second to import."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS | GENERIC)


WORD = re.compile(r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]", re.UNICODE)

SOURCE_NOUNS = {
    "touchpoint": ("question", "questions"),
    "publication": ("paper", "papers"),
    "stated": ("stated interest", "stated interests"),
    "feedback": ("useful alert", "useful alerts"),
}


@dataclass(frozen=True)
class Evidence:
    source: str
    ref: str
    label: str
    when: dt.date | None
    weight: float
    text: str = field(default="", repr=False, compare=False)
    keywords: tuple[str, ...] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True)
class Term:
    term: str
    weight: float
    pinned: bool
    counts: dict[str, int]
    evidence: tuple[Evidence, ...]

    def because(self) -> str:
        """Where the term comes from, in words: "from 3 questions, 2 papers"."""
        parts = []
        for source in ("touchpoint", "publication", "stated", "feedback"):
            n = self.counts.get(source, 0)
            if n:
                one, many = SOURCE_NOUNS[source]
                parts.append(one if source == "stated" else f"{n} {one if n == 1 else many}")
        if not parts:
            return "pinned by hand"
        return "from " + ", ".join(parts)


@dataclass(frozen=True)
class InterestProfile:
    person_id: int
    terms: tuple[Term, ...]
    removed: tuple[str, ...]
    evidence: tuple[Evidence, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.evidence

    def documents(self) -> "Profile":
        """The profile as the matching engine reads it."""
        from rapport.awareness.engine import Document, Profile

        return Profile(
            id=str(self.person_id),
            documents=tuple(
                Document(text=strike(e.text, self.removed), weight=e.weight, ref=e.ref)
                for e in self.evidence
                if strike(e.text, self.removed).strip()
            ),
        )


def normalise_term(term: str) -> str:
    """A term as stored and shown: lower case words separated by single spaces."""
    return " ".join(w.lower() for w in WORD.findall(term.replace("-", " ")))[:100]


def strike(text: str, removed: Iterable[str]) -> str:
    """The text without any removed term, so a removed topic no longer matches."""
    for term in removed:
        pattern = r"\b" + r"[\s_-]+".join(re.escape(w) for w in term.split()) + r"\b"
        text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    return text


def _weights() -> dict[str, float]:
    return dict(settings.RAPPORT_INTEREST_WEIGHTS)


def decay(when: dt.date | None, today: dt.date) -> float:
    """1 for evidence from today, 0.5 after one half-life, and so on; undated counts as old."""
    half_life = max(1, settings.RAPPORT_INTEREST_HALF_LIFE_DAYS)
    if when is None:
        return 0.25
    age = max(0, (today - when).days)
    return float(0.5 ** (age / half_life))


def _candidates(e: Evidence) -> set[str]:
    """The terms one piece of evidence speaks for: its keywords and tags, and the words and
    two-word phrases of its text that are not stop words."""
    stop = stop_words()
    found = {t for t in map(normalise_term, e.keywords) if t and t not in stop}
    words = [w.lower() for w in WORD.findall(e.text)]
    run: list[str] = []
    for word in [*words, ""]:
        if word and word not in stop and len(word) > 2:
            run.append(word)
            continue
        found.update(run)
        found.update(f"{a} {b}" for a, b in itertools.pairwise(run))
        run = []
    return found


def _terms(evidence: list[Evidence], interests: list[Interest]) -> tuple[Term, ...]:
    removed = {i.term for i in interests if i.state == InterestState.REMOVED}
    pinned = {i.term for i in interests if i.state == InterestState.PINNED}
    score: dict[str, float] = defaultdict(float)
    backing: dict[str, list[Evidence]] = defaultdict(list)
    strong: set[str] = set()
    for e in evidence:
        for term in _candidates(e):
            score[term] += e.weight
            backing[term].append(e)
        strong.update(t for t in map(normalise_term, e.keywords) if t not in stop_words())
    # A term needs two pieces of evidence, unless a tag, keyword or the person says so.
    eligible = [
        t
        for t in score
        if t not in removed and (len(backing[t]) >= 2 or t in strong or t in pinned)
    ]
    # Phrases read better than their words: prefer them when they carry the same weight.
    eligible.sort(key=lambda t: (-score[t] * (1.3 if " " in t else 1.0), t))
    chosen: list[str] = sorted(pinned)
    for term in eligible:
        if len(chosen) >= SHOWN_TERMS + len(pinned):
            break
        if term in chosen:
            continue
        words = set(term.split())
        if any(words <= set(c.split()) and score[c] >= 0.6 * score[term] for c in chosen):
            continue
        chosen.append(term)
    terms = []
    for term in chosen:
        ev = backing.get(term, [])
        counts: dict[str, int] = defaultdict(int)
        for e in ev:
            counts[e.source] += 1
        terms.append(
            Term(
                term=term,
                weight=round(score.get(term, 0.0), 3),
                pinned=term in pinned,
                counts=dict(counts),
                evidence=tuple(sorted(ev, key=lambda e: -e.weight)[:5]),
            )
        )
    return tuple(terms)


def _touchpoint_evidence(rows: Iterable[dict], weight: float, today: dt.date) -> Iterator[Evidence]:
    """The question text of each touchpoint: what the person asked, in the words logged."""
    for row in rows:
        when = timezone.localtime(row["occurred_at"]).date()
        text = row["question"].strip()
        if not text:
            continue
        yield Evidence(
            source="touchpoint",
            ref=f"touchpoint:{row['id']}",
            label=text[:120],
            when=when,
            weight=weight * decay(when, today),
            text=text,
        )


def _publication_evidence(
    pubs: Iterable[Publication], weight: float, today: dt.date
) -> Iterator[Evidence]:
    for pub in pubs:
        yield Evidence(
            source="publication",
            ref=f"publication:{pub.pk}",
            label=pub.title[:120],
            when=pub.published_on,
            weight=weight * decay(pub.published_on, today),
            text=" ".join(p for p in (pub.title, pub.abstract, " ".join(pub.keywords)) if p),
            keywords=tuple(pub.keywords),
        )


def _interest_evidence(interests: Iterable[Interest], weight: float) -> Iterator[Evidence]:
    for interest in interests:
        if interest.state == InterestState.REMOVED:
            continue
        yield Evidence(
            source="stated",
            ref=f"interest:{interest.pk}",
            label=interest.term,
            when=None,
            weight=weight,
            text=interest.term,
            keywords=(interest.term,),
        )


def _feedback_evidence(
    matches: Iterable[Match], weight: float, today: dt.date
) -> Iterator[Evidence]:
    for match in matches:
        when = timezone.localtime(match.decided_at or match.created_at).date()
        item = match.item
        yield Evidence(
            source="feedback",
            ref=f"match:{match.pk}",
            label=item.title[:120],
            when=when,
            weight=weight * decay(when, today),
            text=f"{item.title} {item.abstract}",
        )


def _assemble(
    person_id: int,
    touchpoints: list[dict],
    pubs: list[Publication],
    interests: list[Interest],
    useful: list[Match],
    today: dt.date,
) -> InterestProfile:
    w = _weights()
    evidence = [
        *_interest_evidence(interests, w["stated"]),
        *_publication_evidence(pubs, w["publication"], today),
        *_touchpoint_evidence(touchpoints, w["touchpoint"], today),
        *_feedback_evidence(useful, w["feedback"], today),
    ]
    evidence = [e for e in evidence if e.weight > 0]
    removed = tuple(sorted(i.term for i in interests if i.state == InterestState.REMOVED))
    return InterestProfile(
        person_id=person_id,
        terms=_terms(evidence, interests),
        removed=removed,
        evidence=tuple(evidence),
    )


TOUCHPOINT_FIELDS = ("id", "occurred_at", "question")
#: Touchpoints whose text is the librarian's rather than a question the person asked: what we
#: taught, sent or met about, and anything we started (outreach, campaigns, alerts).
NOT_THEIR_WORDS_KINDS = (Kind.DELIVERABLE, Kind.INSTRUCTION, Kind.MEETING)
NOT_THEIR_WORDS_ORIGINS = (Origin.ALERT, Origin.CAMPAIGN)


def profile_for(person: Person, *, now: dt.datetime | None = None) -> InterestProfile:
    """One person's profile, with the evidence behind every term."""
    return next(iter(profiles_for([person.pk], now=now).values()))


def profiles_for(
    person_ids: Iterable[int], *, now: dt.datetime | None = None
) -> dict[int, InterestProfile]:
    """Profiles for many people, a chunk of people per round trip (the matcher's path)."""
    today = timezone.localdate(now or timezone.now())
    ids = list(person_ids)
    result: dict[int, InterestProfile] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        touch: dict[int, list[dict]] = defaultdict(list)
        rows = (
            # Confidential touchpoints never; answers to alerts neither: their topic is the
            # item's title, and what the answer teaches is read from Match.feedback. Only the
            # questions they asked: the librarian's own notes are not the person's interests.
            Participation.objects.filter(
                person_id__in=chunk,
                touchpoint__confidential=False,
                touchpoint__initiated_by=Initiator.THEM,
            )
            .exclude(touchpoint__origin__in=NOT_THEIR_WORDS_ORIGINS)
            .exclude(touchpoint__kind__in=NOT_THEIR_WORDS_KINDS)
            .order_by("person_id", "-occurred_at")
            .values("person_id", *(f"touchpoint__{f}" for f in TOUCHPOINT_FIELDS))
        )
        for row in rows:
            bucket = touch[row["person_id"]]
            if len(bucket) < MAX_TOUCHPOINTS:
                bucket.append({f: row[f"touchpoint__{f}"] for f in TOUCHPOINT_FIELDS})
        pubs: dict[int, list[Publication]] = defaultdict(list)
        for pub in Publication.objects.filter(person_id__in=chunk).order_by(
            "person_id", "-published_on", "-id"
        ):
            if len(pubs[pub.person_id]) < MAX_PUBLICATIONS:
                pubs[pub.person_id].append(pub)
        interests: dict[int, list[Interest]] = defaultdict(list)
        for interest in Interest.objects.filter(person_id__in=chunk):
            interests[interest.person_id].append(interest)
        useful: dict[int, list[Match]] = defaultdict(list)
        for match in (
            Match.objects.filter(person_id__in=chunk, feedback="useful")
            .select_related("item")
            .order_by("person_id", "-decided_at", "-id")
        ):
            if len(useful[match.person_id]) < MAX_FEEDBACK:
                useful[match.person_id].append(match)
        for pk in chunk:
            result[pk] = _assemble(pk, touch[pk], pubs[pk], interests[pk], useful[pk], today)
    return result
