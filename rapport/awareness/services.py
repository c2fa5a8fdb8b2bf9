"""Writes for current awareness: items in, publications and interests, the librarian's review
of matches, and matching runs. Each write runs in one transaction and leaves an audit entry."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian
from rapport.audit.models import AuditEntry
from rapport.audit.services import record
from rapport.awareness import formats
from rapport.awareness.models import (
    Interest,
    InterestState,
    Item,
    ItemKind,
    Match,
    MatchRun,
    MatchStatus,
    Publication,
    SourceKind,
    Subscription,
)
from rapport.awareness.profiles import normalise_term
from rapport.awareness.queries import access_match
from rapport.concurrency import brought_up_to_date
from rapport.errors import Invalid
from rapport.people.models import Person
from rapport.people.queries import access_person
from rapport.text import refuse_bad_text
from rapport.weblinks import address_problem, clean_web_address, web_address

#: Formats whose records become items or publications, by the name the readers give them.
SOURCE_OF_FORMAT = {
    "bibtex": SourceKind.BIBTEX,
    "ris": SourceKind.RIS,
    "orcid": SourceKind.ORCID,
    "crossref": SourceKind.CROSSREF,
    "feed": SourceKind.FEED,
}


@dataclass
class Ingested:
    """What an import did: counts for the librarian, ids for the matcher."""

    format: str = ""
    created: int = 0
    duplicates: int = 0
    problems: list[formats.Problem] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)

    @property
    def summary(self) -> str:
        parts = [f"{self.created:,} added"]
        if self.duplicates:
            parts.append(f"{self.duplicates:,} already there")
        if self.problems:
            n = len(self.problems)
            parts.append(f"{n:,} problem{'' if n == 1 else 's'}")
        return ", ".join(parts)


def _parsed(data: bytes, filename: str, accepted: set[str], what: str, fmt: str | None = None):
    """A file read by the format readers, or Invalid saying why it could not be."""
    parsed = formats.parse(data, filename=filename, format=fmt)
    if parsed.format not in accepted:
        message = parsed.problems[0].message if parsed.problems else "Unknown format."
        full = f"Could not read {what}{filename or 'the file'}: {message}"
        raise Invalid(full, {"file": [full]})
    return parsed


def _audit_many(by: User | None, action: str, object_type: str, ids: Iterable[int], summary: str):
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=by if getattr(by, "pk", None) else None,
            action=action,
            object_type=object_type,
            object_id=str(pk),
            summary=summary[:200],
        )
        for pk in ids
    )


def _checked_links(
    records: Sequence[formats.Record], problems: list[formats.Problem], what: str
) -> list[formats.Record]:
    """The records, each with its link only when it is a web address (rapport/weblinks.py).
    A bad link never costs the record: it is left out and reported, as is a link the reader
    already refused (`Record.refused_link`)."""
    checked = []
    for rec in records:
        bad = [link for link in (rec.refused_link, rec.link) if address_problem(link)]
        if rec.link != web_address(rec.link):
            rec = replace(rec, link=web_address(rec.link))  # trimmed, or left out
        for link in bad:
            where = f"“{rec.title.strip()[:60] or 'untitled'}”"
            message = f"{address_problem(link)} The {what} was kept without this link."
            problems.append(formats.Problem(where, message))
        checked.append(rec)
    return checked


def _item_from(record_: formats.Record, source_kind: str, source: str, by: User | None) -> Item:
    kind = record_.kind if record_.kind in ItemKind.values else ItemKind.ARTICLE
    return Item(
        kind=kind,
        title=record_.title[:500],
        abstract=record_.abstract,
        authors=list(record_.authors)[:100],
        venue=record_.venue[:300],
        published_on=record_.published_on,
        link=record_.link,
        doi=formats.normalise_doi(record_.doi)[:200],
        arxiv_id=record_.arxiv_id[:50],
        title_key=formats.title_key(record_.title),
        source_kind=source_kind,
        source=source[:500],
        added_by=by if getattr(by, "pk", None) else None,
    )


def ingest_records(
    *,
    by: User | None,
    records: Sequence[formats.Record],
    source_kind: str,
    source: str = "",
    problems: Sequence[formats.Problem] = (),
    fmt: str = "",
    match: bool = True,
) -> Ingested:
    """Store new items, skipping any already known by DOI, arXiv id or normalised title, and
    queue them for matching once the transaction commits."""
    records, said = formats.storable(records, problems)
    result = Ingested(format=fmt, problems=said)
    titled = _checked_links([r for r in records if r.title.strip()], result.problems, "item")
    candidates = [_item_from(r, source_kind, source, by) for r in titled]
    dois = {i.doi for i in candidates if i.doi}
    arxiv = {i.arxiv_id for i in candidates if i.arxiv_id}
    keys = {i.title_key for i in candidates if i.title_key}
    seen_doi = set(Item.objects.filter(doi__in=dois).values_list("doi", flat=True))
    seen_arxiv = set(Item.objects.filter(arxiv_id__in=arxiv).values_list("arxiv_id", flat=True))
    seen_key = set(Item.objects.filter(title_key__in=keys).values_list("title_key", flat=True))
    fresh: list[Item] = []
    for item in candidates:
        if (
            (item.doi and item.doi in seen_doi)
            or (item.arxiv_id and item.arxiv_id in seen_arxiv)
            or (item.title_key and item.title_key in seen_key)
        ):
            result.duplicates += 1
            continue
        seen_doi.add(item.doi)
        seen_arxiv.add(item.arxiv_id)
        seen_key.add(item.title_key)
        fresh.append(item)
    with transaction.atomic():
        created = Item.objects.bulk_create(fresh)
        if not all(i.pk for i in created):  # backends that do not return ids from bulk inserts
            created = list(Item.objects.filter(title_key__in=[i.title_key for i in fresh]))
        result.ids = [i.pk for i in created]
        result.created = len(created)
        _audit_many(by, "item.created", "item", result.ids, f"from {source or source_kind}")
        if match and result.ids:
            start_matching(by=by, scope="items", item_ids=result.ids)
    return result


def import_items(
    *, by: User, data: bytes, filename: str = "", fmt: str | None = None, match: bool = True
) -> Ingested:
    """Items from a file: a feed, Crossref JSON, BibTeX or RIS."""
    require_librarian(by, to="change alerts")
    parsed = _parsed(data, filename, set(SOURCE_OF_FORMAT), "", fmt)
    return ingest_records(
        by=by,
        records=parsed.records,
        source_kind=SOURCE_OF_FORMAT[parsed.format],
        source=filename,
        problems=parsed.problems,
        fmt=parsed.format,
        match=match,
    )


def import_feed(*, by: User, url: str, match: bool = True) -> Ingested:
    """Items from a feed fetched by URL (a journal's table of contents, an arXiv listing)."""
    require_librarian(by, to="change alerts")
    url = clean_web_address(url, field="url", label="feed address", required=True)
    try:
        parsed = formats.fetch_feed(url)
    except formats.FetchError as exc:
        raise Invalid(str(exc), {"url": [str(exc)]}) from None
    return ingest_records(
        by=by,
        records=parsed.records,
        source_kind=SourceKind.FEED,
        source=url,
        problems=parsed.problems,
        fmt=parsed.format,
        match=match,
    )


def add_item(*, by: User, title: str, **fields: Any) -> Item:
    """One item entered by hand; a link that is not a web address is refused, not dropped."""
    require_librarian(by, to="change alerts")
    refuse_bad_text({"title": title, **fields})
    if not title.strip():
        raise Invalid("An item needs a title.", {"title": ["Required."]})
    fields["link"] = clean_web_address(fields.get("link", ""), field="link")
    rec = formats.Record(title=title.strip(), **fields)
    result = ingest_records(by=by, records=[rec], source_kind=SourceKind.MANUAL, fmt="manual")
    if not result.ids:
        raise Invalid(
            "That item is already there (same DOI, arXiv id or title).", {"title": ["Duplicate."]}
        )
    return Item.objects.get(pk=result.ids[0])


# Publications: evidence of what a person works on.


def add_publications(
    *,
    by: User | None,
    person: Person,
    records: Sequence[formats.Record],
    source_kind: str,
    problems: Sequence[formats.Problem] = (),
    fmt: str = "",
) -> Ingested:
    """Store a person's publications, skipping ones they already have (same title)."""
    records, said = formats.storable(records, problems)
    result = Ingested(format=fmt, problems=said)
    have = set(person.publications.values_list("title_key", flat=True))
    fresh = []
    for rec in _checked_links(records, result.problems, "publication"):
        key = formats.title_key(rec.title)
        if not key or key in have:
            result.duplicates += 1
            continue
        have.add(key)
        fresh.append(
            Publication(
                person=person,
                title=rec.title[:500],
                abstract=rec.abstract,
                authors=list(rec.authors)[:100],
                venue=rec.venue[:300],
                published_on=rec.published_on,
                keywords=list(rec.keywords)[:50],
                link=rec.link,
                doi=formats.normalise_doi(rec.doi)[:200],
                title_key=key,
                source_kind=source_kind,
            )
        )
    with transaction.atomic():
        created = Publication.objects.bulk_create(fresh)
        result.created = len(created)
        result.ids = [p.pk for p in created if p.pk]
        if created:
            record(
                actor=by,
                action="publications.added",
                obj=person,
                summary=f"{len(created)} publication(s) from {fmt or source_kind}",
            )
            start_matching(by=by, scope="person", person=person)
    return result


def import_publications(*, by: User, person: Person, data: bytes, filename: str = "") -> Ingested:
    """A person's publications from a file: ORCID record, BibTeX, RIS or Crossref JSON."""
    require_librarian(by, to="change alerts")
    person = _reached(by, person)
    parsed = _parsed(data, filename, set(SOURCE_OF_FORMAT) - {"feed"}, "publications from ")
    return add_publications(
        by=by,
        person=person,
        records=parsed.records,
        source_kind=SOURCE_OF_FORMAT[parsed.format],
        problems=parsed.problems,
        fmt=parsed.format,
    )


def fetch_publications(*, by: User, person: Person, orcid: str = "") -> Ingested:
    """A person's works from their public ORCID record, when the network allows."""
    require_librarian(by, to="change alerts")
    person = _reached(by, person)
    orcid = (orcid or person.orcid).strip()
    if not orcid:
        raise Invalid("This person has no ORCID iD.", {"orcid": ["Required."]})
    try:
        parsed = formats.fetch_orcid(orcid)
    except formats.FetchError as exc:
        raise Invalid(str(exc), {"orcid": [str(exc)]}) from None
    return add_publications(
        by=by,
        person=person,
        records=parsed.records,
        source_kind=SourceKind.ORCID,
        problems=parsed.problems,
        fmt="orcid",
    )


# Interests stated, pinned or removed by hand.


def _reached(by: User | None, person: Person) -> Person:
    """The person as `by` may change them (None: the person on their own alert page, whose
    secret link was the check)."""
    return person if by is None else access_person(by, person.pk, for_write=True)


def set_interest(
    *, by: User | None, person: Person, term: str, state: str, by_person: bool = False
) -> Interest:
    """State, pin or remove a topic in a person's profile (`by` is None on their own page)."""
    require_librarian(by, to="change alerts")
    person = _reached(by, person)
    clean = normalise_term(term)
    if not clean:
        raise Invalid("Type a topic, e.g. “scoping reviews”.", {"term": ["Empty."]})
    if state not in InterestState.values:
        raise Invalid(f"Unknown state {state!r}.", {"state": ["Unknown."]})
    with transaction.atomic():
        interest, _ = Interest.objects.update_or_create(
            person=person, term=clean, defaults={"state": state, "by_person": by_person}
        )
        record(
            actor=by,
            action=f"interest.{state}",
            obj=person,
            summary=f"{clean} ({'by the person' if by_person else 'by a librarian'})",
        )
        start_matching(by=by, scope="person", person=person)
    return interest


def clear_interest(*, by: User | None, person: Person, term: str) -> None:
    """Forget a correction: the term is learned (or not) from evidence again."""
    require_librarian(by, to="change alerts")
    person = _reached(by, person)
    clean = normalise_term(term)
    with transaction.atomic():
        deleted, _ = Interest.objects.filter(person=person, term=clean).delete()
        if deleted:
            record(actor=by, action="interest.cleared", obj=person, summary=clean)
            start_matching(by=by, scope="person", person=person)


# The librarian's review of suggested matches.


def decide_match(
    *, by: User, match: Match, approve: bool, note: str = "", now: dt.datetime | None = None
) -> Match:
    """Approve a suggestion (with an optional personal note) or reject it."""
    with transaction.atomic():
        row = access_match(by, match.pk, for_write=True)  # as it is now, locked
        if row.status == MatchStatus.SENT:
            raise Invalid("This item was already sent.", {"status": ["Already sent."]})
        before = row.status
        row.status = MatchStatus.APPROVED if approve else MatchStatus.REJECTED
        row.note = note.strip()[:2000] if approve else row.note
        row.decided_by = by
        row.decided_at = now or timezone.now()
        row.save(update_fields=["status", "note", "decided_by", "decided_at"])
        record(
            actor=by,
            action="match.approved" if approve else "match.rejected",
            obj=row,
            summary=f"item {row.item_id} for person {row.person_id}",
            changes={"status": [before, row.status]},
        )
    return brought_up_to_date(match, row)


BULK_DECISIONS = 200  # one press decides at most this many suggestions


def decide_matches(
    *, by: User, match_ids: Sequence[int], approve: bool, now: dt.datetime | None = None
) -> list[Match]:
    """Approve or reject several suggestions at once (the review queue's selection), in one
    transaction: each is decided as `decide_match` decides one (and audited), and if any
    cannot be (sent meanwhile, out of reach) none is."""
    require_librarian(by, to="change alerts")
    ids = list(dict.fromkeys(match_ids))
    if not ids:
        raise Invalid("Choose at least one suggestion (tick its box) first.")
    if len(ids) > BULK_DECISIONS:
        raise Invalid(f"Choose at most {BULK_DECISIONS} suggestions at a time.")
    now = now or timezone.now()
    with transaction.atomic():
        return [
            decide_match(by=by, match=access_match(by, pk), approve=approve, now=now) for pk in ids
        ]


def set_auto_send(*, by: User, person: Person, on: bool) -> Subscription:
    """Send this person's matches without review (or go back to reviewing them)."""
    require_librarian(by, to="change alerts")
    person = _reached(by, person)
    with transaction.atomic():
        sub, _ = Subscription.objects.get_or_create(person=person)
        if sub.auto_send != on:
            sub.auto_send = on
            sub.save(update_fields=["auto_send"])
            record(actor=by, action="subscription.auto_send", obj=person, summary=f"{on}")
    return sub


# Matching runs, worked in the background by `rapport worker`.


def start_matching(
    *,
    by: User | None,
    scope: str,
    item_ids: Sequence[int] = (),
    person: Person | None = None,
    mode: str | None = None,
) -> MatchRun:
    """Queue a matching run; the task is enqueued once the surrounding transaction commits."""
    from rapport.awareness import tasks  # tasks import matching, which imports these services

    require_librarian(by, to="change alerts")

    if scope not in {"items", "person", "all"}:
        raise Invalid(f"Unknown matching scope {scope!r}.", {"scope": ["Unknown."]})
    run = MatchRun.objects.create(
        scope=scope,
        item_ids=list(item_ids),
        person=person,
        mode=mode or settings.RAPPORT_MATCH_MODE,
        requested_by=by if getattr(by, "pk", None) else None,
    )
    transaction.on_commit(lambda: tasks.enqueue_run(run.pk))
    return run
