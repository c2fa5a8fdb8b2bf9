"""The retention schedule: which records are past their kind's period, what a run would do
(the dry run) and the run itself, in chunks, each its own transaction.

A run has three passes. Touchpoints past their kind's period lose their text. Then people are
detached from stripped touchpoints a person-month at a time: all of a person's touchpoints in
one calendar month go together, once every one of them has been stripped, so one anonymous
`someone` stands for them that month and the people counted per month stay exact (someone who
also took part that month in a touchpoint kept longer stays named on the stripped ones, whose
text is gone, until that one goes too). Last, requests and alert notes past their period lose
their text, requests their people, and stored webhook bodies the stripped text.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from rapport.awareness.models import Match
from rapport.privacy import anonymise
from rapport.privacy.models import ALERT_NOTES, RECORDS, REQUESTS, RetentionRule, Stripped
from rapport.relationships.services import refresh
from rapport.requests.models import Request, Status
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.webhooks.models import Delivery

CHUNK = 500  # touchpoints or requests per transaction
PEOPLE_CHUNK = 200  # people whose person-months are weighed per transaction
RETENTION = Stripped.Reason.RETENTION
#: Requests still being worked on keep their text whatever their age.
DONE_STATUSES = (Status.DELIVERED, Status.FOLLOWED_UP, Status.CLOSED, Status.DECLINED)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (following - dt.timedelta(days=1)).day))


def rules() -> dict[str, int]:
    """Months per record for the records that have a period; the rest are kept forever."""
    rows = RetentionRule.objects.filter(months__isnull=False).values_list("record", "months")
    return {record: months for record, months in rows if months is not None}


def cutoffs(now: dt.datetime | None = None) -> dict[str, dt.datetime]:
    """For each record with a period: records from before this time are past it (local
    midnight, `months` before today)."""
    today = timezone.localdate(now or timezone.now())
    return {
        record: timezone.make_aware(dt.datetime.combine(months_before(today, m), dt.time.min))
        for record, m in rules().items()
    }


def _why(months: int) -> str:
    return f"after {months} month{'s' if months != 1 else ''}"


def _touchpoint_kinds(found: dict[str, dt.datetime]) -> dict[str, dt.datetime]:
    return {k.split(".", 1)[1]: v for k, v in found.items() if k.startswith("touchpoint.")}


def due_touchpoints(found: dict[str, dt.datetime]) -> QuerySet[Touchpoint]:
    """Touchpoints past their kind's period and not yet stripped by the schedule."""
    kinds = _touchpoint_kinds(found)
    if not kinds:
        return Touchpoint.objects.none()
    past = Q()
    for kind, cutoff in kinds.items():
        past |= Q(kind=kind, occurred_at__lt=cutoff)
    return Touchpoint.objects.filter(past).filter(anonymise.not_stripped("touchpoint", RETENTION))


def due_requests(found: dict[str, dt.datetime]) -> QuerySet[Request]:
    """Requests done (delivered, followed up, closed, declined) for longer than their period."""
    if REQUESTS not in found:
        return Request.objects.none()
    return Request.objects.filter(
        status__in=DONE_STATUSES, status_changed_at__lt=found[REQUESTS]
    ).filter(anonymise.not_stripped("request", RETENTION))


def due_notes(found: dict[str, dt.datetime]) -> QuerySet[Match]:
    """Matches whose personal note is older than its period (from the decision, else the
    match)."""
    notes = Match.objects.annotate(when=Coalesce("decided_at", "created_at")).filter(note__gt="")
    if ALERT_NOTES not in found:
        return notes.none()
    return notes.filter(when__lt=found[ALERT_NOTES])


# Person-months


def _detachable(found: dict[str, dt.datetime], person_ids: list[int]) -> list[anonymise.Part]:
    """The participations of these people that may be detached: their whole person-months in
    which every touchpoint is stripped by the schedule (or, for a dry run, past its period)."""
    kinds = _touchpoint_kinds(found)
    gone = Q(touchpoint_id__in=anonymise.stripped_ids("touchpoint", RETENTION))
    for kind, cutoff in kinds.items():
        gone |= Q(touchpoint__kind=kind, occurred_at__lt=cutoff)
    horizon = max([*kinds.values(), _latest_stripped()], default=None)
    if horizon is None:
        return []
    # Everything up to the end of the latest cutoff's month: a month is weighed whole.
    end = anonymise.month_of(horizon)
    end_at = timezone.make_aware(
        dt.datetime.combine(dt.date(end.year + end.month // 12, end.month % 12 + 1, 1), dt.time())
    )
    qs = Participation.objects.filter(person_id__in=person_ids, occurred_at__lt=end_at)
    goes = set(qs.filter(gone).values_list("pk", flat=True))
    months: dict[tuple[int, dt.date], list[anonymise.Part]] = defaultdict(list)
    for part in anonymise.parts(qs):
        months[(part.person_id, anonymise.month_of(part.occurred_at))].append(part)
    return [part for group in months.values() if all(p.pk in goes for p in group) for part in group]


def _latest_stripped() -> dt.datetime:
    """The newest stripped touchpoint's time (a period lengthened since keeps it stripped)."""
    latest = Touchpoint.objects.filter(
        pk__in=anonymise.stripped_ids("touchpoint", RETENTION)
    ).aggregate(latest=Max("occurred_at"))["latest"]
    return latest or dt.datetime.min.replace(tzinfo=dt.UTC)


def _people_to_weigh(found: dict[str, dt.datetime]) -> Iterator[list[int]]:
    """People named on a stripped (or due) touchpoint, a chunk at a time, by id."""
    kinds = _touchpoint_kinds(found)
    gone = Q(touchpoint_id__in=anonymise.stripped_ids("touchpoint", RETENTION))
    for kind, cutoff in kinds.items():
        gone |= Q(touchpoint__kind=kind, occurred_at__lt=cutoff)
    ids = list(
        Participation.objects.filter(gone).values_list("person_id", flat=True).distinct().order_by()
    )
    ids.sort()
    for start in range(0, len(ids), PEOPLE_CHUNK):
        yield ids[start : start + PEOPLE_CHUNK]


# The plan and the run


@dataclass
class Figures:
    """Per record: how many go and the oldest one's date."""

    counts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, record: str, what: str, n: int, oldest: dt.datetime | None = None) -> None:
        if not n:
            return
        row = self.counts.setdefault(record, {})
        row[what] = row.get(what, 0) + n
        if oldest is not None:
            mine = row.get("oldest")
            day = timezone.localtime(oldest).date().isoformat()
            row["oldest"] = min(mine, day) if mine else day

    @property
    def total(self) -> int:
        return sum(v for row in self.counts.values() for k, v in row.items() if k != "oldest")


def plan(now: dt.datetime | None = None) -> Figures:
    """What a run now would strip and detach, per record, with the oldest date: the dry run.
    Reads only."""
    found = cutoffs(now)
    figures = Figures()
    for kind, n, oldest in (
        due_touchpoints(found)
        .values_list("kind")
        .annotate(n=Count("pk"), oldest=Min("occurred_at"))
        .order_by()
    ):
        figures.add(f"touchpoint.{kind}", "stripped", n, oldest)
    for chunk in _people_to_weigh(found):
        for part in _detachable(found, chunk):
            figures.add(f"touchpoint.{part.kind}", "detached", 1)
    row = due_requests(found).aggregate(n=Count("pk"), oldest=Min("status_changed_at"))
    figures.add(REQUESTS, "stripped", row["n"], row["oldest"])
    row = due_notes(found).aggregate(n=Count("pk"), oldest=Min("when"))
    figures.add(ALERT_NOTES, "stripped", row["n"], row["oldest"])
    return figures


def run(
    now: dt.datetime | None = None, progress: Callable[[str, int], None] | None = None
) -> Figures:
    """Strip and detach what is past its period, a chunk per transaction (a run stopped half
    way leaves whole chunks done, and the next run goes on from there). Returns the counts."""
    now = now or timezone.now()
    found = cutoffs(now)
    months = rules()
    figures = Figures()

    def report(step: str, n: int) -> None:
        if progress:
            progress(step, n)

    due = due_touchpoints(found).order_by("pk").values_list("pk", "kind", "occurred_at")
    while chunk := list(due[:CHUNK]):
        with transaction.atomic():
            by_kind: dict[str, list[tuple[int, str]]] = defaultdict(list)
            for pk, kind, occurred_at in chunk:
                by_kind[kind].append((pk, kind))
                figures.add(f"touchpoint.{kind}", "stripped", 1, occurred_at)
            for kind, rows in by_kind.items():
                why = _why(months[f"touchpoint.{kind}"])
                anonymise.strip_touchpoints(rows, why=why, reason=RETENTION, now=now)
        report("touchpoints stripped", len(chunk))

    for people in _people_to_weigh(found):
        with transaction.atomic():
            chosen = _detachable(found, people)
            anonymise.detach(chosen)
            refresh({p.person_id for p in chosen})
        for part in chosen:
            figures.add(f"touchpoint.{part.kind}", "detached", 1)
        report("people detached", len(chosen))

    requests = due_requests(found).order_by("pk").values_list("pk", "status_changed_at")
    while chunk_r := list(requests[:CHUNK]):
        with transaction.atomic():
            files = anonymise.strip_requests(
                [pk for pk, _ in chunk_r], why=_why(months[REQUESTS]), reason=RETENTION, now=now
            )
            transaction.on_commit(lambda files=files: _delete_files(files))  # type: ignore[misc]
        for _, at in chunk_r:
            figures.add(REQUESTS, "stripped", 1, at)
        report("requests stripped", len(chunk_r))

    notes = due_notes(found).order_by("pk").values_list("pk", "when")  # type: ignore[misc]
    while chunk_n := list(notes[:CHUNK]):
        with transaction.atomic():
            Match.objects.filter(pk__in=[pk for pk, _ in chunk_n]).update(note="")
        for _, at in chunk_n:
            figures.add(ALERT_NOTES, "stripped", 1, at)
        report("alert notes stripped", len(chunk_n))

    with transaction.atomic():
        _scrub_webhook_bodies()
    return figures


def _scrub_webhook_bodies() -> int:
    """Bodies of touchpoint and request events whose record the schedule stripped."""
    events = Delivery.objects.filter(event__in=["touchpoint.created", "request.delivered"])
    return anonymise.scrub_stripped_deliveries(events, RETENTION)


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def record_labels() -> dict[str, str]:
    return dict(RECORDS)
