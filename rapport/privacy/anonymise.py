"""The steps retention and erasure share: strip a record's text (touchpoints, requests), detach
people from touchpoints into anonymous participations and their tally, and scrub the copies of
the text kept elsewhere (audit entries, webhook delivery bodies).

Every step writes with plain UPDATE/INSERT/DELETE statements, so the search index follows by
itself: SQLite's triggers re-index a row whose text changed and drop a deleted one, and
PostgreSQL's stored `search_vector` columns are computed from the new text.
"""

import datetime as dt
import json
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.concurrency import next_version
from rapport.people.models import Person
from rapport.privacy.models import AnonymousParticipation, Stripped, Tally
from rapport.relationships.state import NOT_REAL, PARTNERSHIP_TAG
from rapport.requests.models import Deliverable, Request, StatusChange
from rapport.touchpoints.models import Initiator, Kind, Participation, Touchpoint
from rapport.webhooks.models import Delivery

REMOVED = "[removed]"
#: Audit entries copy a record's fields into `changes`; these keys hold text or people.
AUDIT_TEXT_KEYS = {
    "touchpoint": {"topic", "question", "answer", "outcome", "capture_line", "details", "people"},
    "request": {
        "title",
        "need",
        "purpose",
        "project",
        "grant",
        "course",
        "scope",
        "preferred_format",
        "outcome",
        "story",
        "people",
        "note",
    },
    "deliverable": {"title", "url", "file", "description"},
}
REQUEST_TEXT = ("need", "purpose", "project", "grant", "course", "scope", "preferred_format")
KIND_LABELS = dict(Kind.choices)


def touchpoint_label(kind: str, why: str) -> str:
    """What a stripped touchpoint's topic says instead: its kind and why the text went."""
    return f"{KIND_LABELS.get(kind, 'Touchpoint')} (text removed {why})"


def request_label(why: str) -> str:
    return f"Request (text removed {why})"


def not_stripped(object_type: str, reason: str) -> Q:
    """Rows of `object_type` not yet stripped for `reason` (for a queryset of that type)."""
    done = Stripped.objects.filter(object_type=object_type, object_id=OuterRef("pk"), reason=reason)
    return ~Q(Exists(done))


def stripped_ids(object_type: str, reason: str) -> QuerySet[Any]:
    return Stripped.objects.filter(object_type=object_type, reason=reason).values("object_id")


def _mark(object_type: str, ids: Iterable[int], reason: str, now: dt.datetime) -> None:
    Stripped.objects.bulk_create(
        [Stripped(object_type=object_type, object_id=pk, reason=reason, at=now) for pk in ids],
        ignore_conflicts=True,
    )


def strip_touchpoints(
    rows: list[tuple[int, str]], *, why: str, reason: str, now: dt.datetime
) -> int:
    """Remove the text of these touchpoints ((id, kind) pairs): topic replaced by a label,
    question, answer, outcome, the capture line and imported details emptied. Tags, kind,
    channel, origin, effort, minutes, group and author stay: they are what the figures count."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for pk, kind in rows:
        by_kind[kind].append(pk)
    for kind, ids in by_kind.items():
        label = touchpoint_label(kind, why)
        # A new version: an edit form opened before the text went must not put it back.
        Touchpoint.objects.filter(pk__in=ids).update(
            topic=label,
            question="",
            answer="",
            outcome="",
            capture_line="",
            details=None,
            version=next_version(),
        )
        scrub_audit("touchpoint", ids, label)
    _mark("touchpoint", [pk for pk, _ in rows], reason, now)
    return len(rows)


def strip_requests(ids: list[int], *, why: str, reason: str, now: dt.datetime) -> list[str]:
    """Remove the text of these requests, their status notes and deliverables, and the people
    they name. Returns the names of the deliverables' files, for the caller to delete once the
    transaction has committed."""
    label = request_label(why)
    Request.objects.filter(pk__in=ids).update(
        title=label, outcome="", story="", version=next_version(), **dict.fromkeys(REQUEST_TEXT, "")
    )
    Request.people.through.objects.filter(request_id__in=ids).delete()
    StatusChange.objects.filter(request_id__in=ids).exclude(note="").update(note="")
    deliverables = Deliverable.objects.filter(request_id__in=ids)
    files = list(deliverables.exclude(file="").values_list("file", flat=True))
    deliverable_ids = list(deliverables.values_list("pk", flat=True))
    deliverables.update(title="Deliverable", url="", description="", file="")
    scrub_audit("request", ids, label)
    scrub_audit("deliverable", deliverable_ids, "Deliverable")
    _mark("request", ids, reason, now)
    return files


def scrub_audit(object_type: str, ids: Iterable[Any], summary: str) -> int:
    """Replace the text and people that audit entries about these objects copied (the values
    before and after a change, and the summary naming them). Who did what and when stays."""
    keys = AUDIT_TEXT_KEYS.get(object_type, set()) | {"full_name"}
    entries = AuditEntry.objects.filter(
        object_type=object_type, object_id__in=[str(i) for i in ids]
    )
    changed = []
    for entry in entries.only("pk", "changes", "summary", "action"):
        if entry.action == "view":  # says who opened it and where, never what it said
            continue
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        entry.changes = {k: (REMOVED if k in keys else v) for k, v in changes.items()}
        entry.summary = summary[:200]
        changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["changes", "summary"], batch_size=500)
    return len(changed)


# Detaching people


@dataclass(frozen=True)
class Part:
    """One participation with what its person's tally needs of the touchpoint."""

    pk: int
    person_id: int
    touchpoint_id: int
    occurred_at: dt.datetime
    kind: str
    origin: str
    initiated_by: str
    read_level: int | None
    minutes: int | None
    tags: list[str]


PART_FIELDS = (
    "pk",
    "person_id",
    "touchpoint_id",
    "occurred_at",
    "touchpoint__kind",
    "touchpoint__origin",
    "touchpoint__initiated_by",
    "touchpoint__read_level",
    "touchpoint__minutes",
    "touchpoint__tags",
)


def parts(qs: QuerySet[Participation]) -> list[Part]:
    return [Part(*row) for row in qs.values_list(*PART_FIELDS).order_by("person_id", "pk")]


def month_of(at: dt.datetime) -> dt.date:
    """The calendar month (in the library's time zone) a time falls in, as its first day."""
    return timezone.localtime(at).date().replace(day=1)


def detach(chosen: list[Part], *, keep_tally: bool = True) -> int:
    """Replace these participations by anonymous ones and add them to their people's tallies.

    The caller hands over whole person-months (every participation of a person in a calendar
    month), so one random `someone` stands for the person in that month and the distinct
    people counted per month stay exact. `new` says whether the month was the person's first
    contact (`Person.first_contact_at`, which counts their tally too), so the split between new
    and repeat people stays exact. `keep_tally=False` (erasure) leaves no tally."""
    if not chosen:
        return 0
    person_ids = sorted({p.person_id for p in chosen})
    first = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "first_contact_at"))
    someone: dict[tuple[int, dt.date], int] = {}
    rows = []
    for part in chosen:
        key = (part.person_id, month_of(part.occurred_at))
        if key not in someone:
            someone[key] = secrets.randbits(62)
        first_at = first.get(part.person_id)
        rows.append(
            AnonymousParticipation(
                touchpoint_id=part.touchpoint_id,
                occurred_at=part.occurred_at,
                someone=someone[key],
                new=first_at is not None and month_of(first_at) == key[1],
            )
        )
    AnonymousParticipation.objects.bulk_create(rows, batch_size=1000)
    ids = [p.pk for p in chosen]
    for start in range(0, len(ids), 900):
        Participation.objects.filter(pk__in=ids[start : start + 900]).delete()
    if keep_tally:
        _add_to_tallies(chosen)
    return len(chosen)


def _add_to_tallies(chosen: list[Part]) -> None:
    by_person: dict[int, list[Part]] = defaultdict(list)
    for part in chosen:
        by_person[part.person_id].append(part)
    existing = Tally.objects.in_bulk(list(by_person))
    tallies = []
    for pid, items in by_person.items():
        t = existing.get(pid) or Tally(person_id=pid)
        times = [p.occurred_at for p in items]
        real = [p.occurred_at for p in items if p.origin not in NOT_REAL]
        t.first_contact_at = min([*times, *filter(None, [t.first_contact_at])])
        t.last_contact_at = max([*times, *filter(None, [t.last_contact_at])])
        if real or t.last_real_contact_at:
            t.last_real_contact_at = max([*real, *filter(None, [t.last_real_contact_at])])
        t.touchpoint_count += len(items)
        t.minutes += sum(p.minutes or 0 for p in items)
        t.read_sum += sum(p.read_level or 0 for p in items)
        t.read_count += sum(1 for p in items if p.read_level is not None)
        t.kinds = sorted(set(t.kinds) | {p.kind for p in items})
        t.initiated_by_them += sum(1 for p in items if p.initiated_by == Initiator.THEM)
        t.partnership += sum(1 for p in items if PARTNERSHIP_TAG in (p.tags or []))
        tallies.append(t)
    fields = [f.name for f in Tally._meta.fields if f.name != "person"]
    Tally.objects.bulk_create(
        tallies, update_conflicts=True, unique_fields=["person"], update_fields=fields
    )


# Webhook deliveries keep the body they were sent with: names, e-mail addresses and topics.


def scrub_deliveries(
    *,
    person_id: int | None = None,
    touchpoint_ids: set[int] | None = None,
    touchpoint_labels: dict[int, str] | None = None,
    request_ids: set[int] | None = None,
    request_labels: dict[int, str] | None = None,
    deliveries: QuerySet[Delivery] | None = None,
) -> int:
    """Rewrite the stored bodies that name this person (their entry in `people` keeps only an
    empty id), or that carry these touchpoints' or requests' topic, title and people. A
    pending delivery is sent with the new body (each attempt signs what is stored)."""
    if deliveries is None:
        deliveries = Delivery.objects.all()
    touchpoint_ids = touchpoint_ids or set()
    request_ids = request_ids or set()
    changed = []
    for delivery in deliveries.only("pk", "body").iterator(chunk_size=500):
        try:
            document = json.loads(delivery.body)
        except ValueError:
            continue
        if _scrub_document(
            document,
            person_id,
            touchpoint_ids,
            touchpoint_labels or {},
            request_ids,
            request_labels or {},
        ):
            delivery.body = json.dumps(document, ensure_ascii=False)
            changed.append(delivery)
    Delivery.objects.bulk_update(changed, ["body"], batch_size=500)
    return len(changed)


def scrub_stripped_deliveries(deliveries: QuerySet[Delivery], reason: str) -> int:
    """Rewrite the bodies in `deliveries` that carry a touchpoint or a request stripped for
    `reason`: the topic or title becomes the stripped record's label, the people go. A chunk
    of bodies at a time, each chunk's records looked up by id."""
    changed = 0
    batch: list[tuple[Delivery, dict[str, Any]]] = []

    def flush() -> int:
        ids: dict[str, set[int]] = {"touchpoint": set(), "request": set()}
        for _, document in batch:
            for key, found in ids.items():
                record = document.get("data", {}).get(key)
                if isinstance(record, dict) and isinstance(record.get("id"), int):
                    found.add(record["id"])
        labels = {
            "touchpoint": dict(
                Touchpoint.objects.filter(
                    pk__in=ids["touchpoint"] & _stripped_among("touchpoint", ids, reason)
                ).values_list("pk", "topic")
            ),
            "request": dict(
                Request.objects.filter(
                    pk__in=ids["request"] & _stripped_among("request", ids, reason)
                ).values_list("pk", "title")
            ),
        }
        rewritten = []
        for delivery, document in batch:
            if _scrub_document(
                document,
                None,
                set(labels["touchpoint"]),
                labels["touchpoint"],
                set(labels["request"]),
                labels["request"],
            ):
                delivery.body = json.dumps(document, ensure_ascii=False)
                rewritten.append(delivery)
        Delivery.objects.bulk_update(rewritten, ["body"])
        batch.clear()
        return len(rewritten)

    for delivery in deliveries.only("pk", "body").iterator(chunk_size=500):
        try:
            document = json.loads(delivery.body)
        except ValueError:
            continue
        if isinstance(document, dict) and isinstance(document.get("data"), dict):
            batch.append((delivery, document))
        if len(batch) == 500:
            changed += flush()
    if batch:
        changed += flush()
    return changed


def _stripped_among(object_type: str, ids: dict[str, set[int]], reason: str) -> set[int]:
    return set(
        Stripped.objects.filter(
            object_type=object_type, reason=reason, object_id__in=ids[object_type]
        ).values_list("object_id", flat=True)
    )


def _scrub_document(
    document: dict[str, Any],
    person_id: int | None,
    touchpoint_ids: set[int],
    touchpoint_labels: dict[int, str],
    request_ids: set[int],
    request_labels: dict[int, str],
) -> bool:
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        return False
    changed = False
    for key, ids, labels, text in (
        ("touchpoint", touchpoint_ids, touchpoint_labels, "topic"),
        ("request", request_ids, request_labels, "title"),
    ):
        record = data.get(key)
        if not isinstance(record, dict):
            continue
        if record.get("id") in ids:
            label = labels.get(record["id"], "")
            if record.get(text) != label or record.get("people"):
                record[text] = label
                record["people"] = []
                if key == "request":
                    record["deliverables"] = []
                changed = True
        elif person_id is not None and isinstance(record.get("people"), list):
            people = record["people"]
            kept = [p for p in people if not (isinstance(p, dict) and p.get("id") == person_id)]
            if len(kept) != len(people):
                record["people"] = [*kept, {"id": None}]
                changed = True
    return changed
