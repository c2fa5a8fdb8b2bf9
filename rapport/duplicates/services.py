"""Writes for duplicates: scans that store candidate pairs, and "not a duplicate" marks.
Merging and undoing a merge are in `merging.py`.

A scan reads every active person once, finds pairs with `finding.find` and replaces the stored
candidates in one transaction, so the list never shows half a scan. It runs in the background
(`tasks.py`) when started from the web, or in the foreground from `rapport find-duplicates`;
either way its progress is written to its `Scan` row as it goes.
"""

import datetime as dt
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_detail
from rapport.audit.services import record
from rapport.duplicates import finding
from rapport.duplicates.models import Candidate, NotDuplicate, Scan
from rapport.duplicates.queries import person_columns
from rapport.errors import Invalid, NotFound
from rapport.people.models import Person
from rapport.people.queries import people_for

READ_CHUNK = 5_000
STORE_BATCH = 2_000
#: Write progress at most this often (seconds).
PROGRESS_EVERY = 0.5


def start_scan(*, by: User | None, queue: bool = True) -> Scan:
    """A new search for duplicates across the library, queued for `rapport worker` (or, with
    queue=False, for the caller to run now with `run_scan`). While a queued search has not
    finished (for up to an hour), asking again returns that one: one search at a time."""
    if by is not None:
        require_detail(by, what="people or their duplicates")
    if queue:
        since = timezone.now() - dt.timedelta(hours=1)
        waiting = Scan.objects.filter(
            status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING], created_at__gte=since
        ).first()
        if waiting is not None:
            return waiting
    with transaction.atomic():
        scan = Scan.objects.create(requested_by=by if getattr(by, "pk", None) else None)
        record(actor=by, action="start", obj=scan, summary="Search for duplicate people")
        if queue:
            transaction.on_commit(lambda: _enqueue(scan.pk))
    return scan


def _enqueue(scan_id: int) -> None:
    from rapport.duplicates.tasks import find_duplicates

    find_duplicates.enqueue(scan_id)


def people_rows() -> list[finding.PersonRow]:
    """Every active person as the scan needs them, read in chunks."""
    columns = ("pk", "full_name", "email", "other_emails", "orcid", "directory_id", "department")
    rows = (
        Person.objects.filter(archived_at__isnull=True)
        .order_by()
        .values_list(*columns)
        .iterator(chunk_size=READ_CHUNK)
    )
    return [finding.row_of(*row) for row in rows]


def run_scan(scan_id: int, report: Callable[[Scan], None] | None = None) -> Scan:
    """Do one queued scan (again, if it already ran: the result replaces the last one)."""
    scan = Scan.objects.get(pk=scan_id)
    last = 0.0

    def save(force: bool = False, **values: object) -> None:
        nonlocal last
        for name, value in values.items():
            setattr(scan, name, value)
        now = time.monotonic()
        if force or now - last >= PROGRESS_EVERY:
            last = now
            Scan.objects.filter(pk=scan.pk).update(**{f: getattr(scan, f) for f in PROGRESS})
            if report:
                report(scan)

    save(True, status=Scan.Status.RUNNING, started_at=timezone.now(), step="Reading people")
    try:
        rows = people_rows()
        save(True, people=len(rows), step="Comparing people who share a key")
        skip = set(NotDuplicate.objects.values_list("person_a_id", "person_b_id"))
        found = finding.find(
            rows, skip=skip, progress=lambda done, total: save(done=done, total=total)
        )
        save(True, done=scan.total, step="Storing candidates")
        store(found)
    except Exception as exc:
        save(True, status=Scan.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now())
        raise
    save(
        True,
        status=Scan.Status.DONE,
        pairs_found=len(found),
        step="",
        finished_at=timezone.now(),
    )
    return scan


PROGRESS = ["status", "step", "people", "total", "done", "pairs_found", "error"]
PROGRESS += ["started_at", "finished_at"]


@transaction.atomic
def store(found: list[finding.Found]) -> None:
    """Replace the stored candidates with these pairs."""
    Candidate.objects.all().delete()
    for start in range(0, len(found), STORE_BATCH):
        Candidate.objects.bulk_create(
            Candidate(person_a_id=p.a, person_b_id=p.b, score=p.score, evidence=p.evidence)
            for p in found[start : start + STORE_BATCH]
        )


def _visible_pair(by: User, a: Person, b: Person) -> tuple[int, int]:
    require_detail(by, what="people or their duplicates")
    if a.pk == b.pk:
        raise Invalid("That is one person twice; choose two different people.")
    visible = set(
        people_for(by, include_archived=True)
        .filter(pk__in=[a.pk, b.pk])
        .values_list("pk", flat=True)
    )
    for person in (a, b):
        if person.pk not in visible:
            raise NotFound(f"There is no person {person.pk} that you can see.")
    low, high = sorted([a.pk, b.pk])
    return low, high


@transaction.atomic
def mark_not_duplicate(*, by: User, a: Person, b: Person) -> NotDuplicate:
    """Remember that these are two different people: the pair is never proposed again."""
    low, high = _visible_pair(by, a, b)
    mark, created = NotDuplicate.objects.get_or_create(
        person_a_id=low, person_b_id=high, defaults={"by": by}
    )
    Candidate.objects.filter(person_a_id=low, person_b_id=high).delete()
    if created:
        record(
            actor=by,
            action="not_duplicate",
            obj=mark,
            summary=f"{a.full_name} and {b.full_name} are different people",
            changes={"people": [low, high]},
        )
    return mark


@transaction.atomic
def undo_not_duplicate(*, by: User, mark: NotDuplicate) -> Candidate | None:
    """Forget a "not a duplicate" mark; the pair is weighed again now and proposed again if
    the evidence still says so."""
    a, b = mark.person_a, mark.person_b
    low, high = _visible_pair(by, a, b)
    pair = finding.weigh(*(finding.row_of(*row) for row in person_columns([low, high])))
    NotDuplicate.objects.filter(pk=mark.pk).delete()
    record(
        actor=by,
        action="undo_not_duplicate",
        obj=mark,
        summary=f"{a.full_name} and {b.full_name} may be one person after all",
        changes={"people": [low, high]},
    )
    if pair.score < finding.MIN_SCORE or a.archived_at or b.archived_at:
        return None
    candidate, _ = Candidate.objects.update_or_create(
        person_a_id=low, person_b_id=high, defaults={"score": pair.score, "evidence": pair.evidence}
    )
    return candidate
