"""Logging many touchpoints in one go (a calendar's meetings, a daily meeting held for years).

Each touchpoint is checked and stored as `services.create_touchpoint` stores one: the same
checks, people, contacts, relationship state, audit entry and webhook. What does not depend
on the row is done once for all of them: one query for the ids already used, inserts in
batches, contacts added once, and each person's state recomputed once at the end. Recomputing
it per touchpoint re-read all of the person's touchpoints every time, so a daily meeting
logged for ten years (3,714 occurrences) took minutes.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian
from rapport.audit.models import AuditEntry
from rapport.audit.services import snapshot
from rapport.errors import Invalid
from rapport.people.models import Person
from rapport.people.sharing import add_contacts
from rapport.relationships.services import REFRESH_CHUNK
from rapport.relationships.services import refresh as refresh_relationships
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.touchpoints.services import TOUCHPOINT_FIELDS
from rapport.touchpoints.services import _clean as check_touchpoint
from rapport.webhooks import payloads
from rapport.webhooks.events import emit_each

BATCH = 500  # rows per insert, well within every database's parameter limit
EXTRA_FIELDS = {"capture_line", "source_system", "external_id"}


@dataclass
class NewTouchpoint:
    """One touchpoint to log: its people and its fields (as `create_touchpoint` takes them)."""

    people: list[Person]
    fields: dict[str, Any]


@dataclass
class Logged:
    """What became of each entry, by its position: the row stored, or why not."""

    touchpoints: dict[int, Touchpoint] = field(default_factory=dict)
    already: list[int] = field(default_factory=list)  # its source's id was logged before
    refused: dict[int, str] = field(default_factory=dict)  # the message, for a librarian


def _used_ids(rows: list[Touchpoint]) -> set[tuple[str, str]]:
    """The (source, external id) pairs of these rows that some touchpoint has already."""
    wanted: dict[str, list[str]] = {}
    for tp in rows:
        if tp.external_id:
            wanted.setdefault(tp.source_system, []).append(tp.external_id)
    used: set[tuple[str, str]] = set()
    for source, ids in wanted.items():
        for start in range(0, len(ids), BATCH):
            found = (
                # The empty-id exclusion is the partial unique index's condition, so it is used.
                Touchpoint.objects.filter(
                    source_system=source, external_id__in=ids[start : start + BATCH]
                )
                .exclude(external_id="")
                .order_by()
                .values_list("external_id", flat=True)
            )
            used.update((source, ext) for ext in found)
    return used


def _insert(batch: list[tuple[int, Touchpoint]], result: Logged) -> None:
    """Insert a batch; one by one if that fails (another import logged one of them meanwhile)
    or if the database cannot hand back the ids of a bulk insert."""
    if connection.features.can_return_rows_from_bulk_insert:
        try:
            with transaction.atomic():
                Touchpoint.objects.bulk_create([tp for _, tp in batch])
        except IntegrityError:
            pass
        else:
            result.touchpoints.update(batch)
            return
    for index, tp in batch:
        tp.pk = None
        try:
            with transaction.atomic():
                tp.save(force_insert=True)
        except IntegrityError:
            result.already.append(index)
        else:
            result.touchpoints[index] = tp


@transaction.atomic
def create_touchpoints(
    *, by: User, entries: Sequence[NewTouchpoint], now: dt.datetime | None = None
) -> Logged:
    """Log these touchpoints; one that fails its checks is refused with the reason, one whose
    source's id is taken (logged before, or twice in `entries`) is left out, the rest stored."""
    require_librarian(by, to="log touchpoints")
    now = now or timezone.now()
    result = Logged()
    checked: list[tuple[int, Touchpoint]] = []
    for index, entry in enumerate(entries):
        unknown = set(entry.fields) - set(TOUCHPOINT_FIELDS) - EXTRA_FIELDS
        if unknown:
            raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
        tp = Touchpoint(author=by, **entry.fields)
        try:
            # The unique id is checked below for all rows at once, not by a query per row.
            check_touchpoint(tp, now, constraints=False)
        except Invalid as err:
            result.refused[index] = err.message
            continue
        checked.append((index, tp))
    used = _used_ids([tp for _, tp in checked])
    fresh: list[tuple[int, Touchpoint]] = []
    for index, tp in checked:
        key = (tp.source_system, tp.external_id)
        if tp.external_id and key in used:
            result.already.append(index)
            continue
        if tp.external_id:
            used.add(key)
        fresh.append((index, tp))
    for start in range(0, len(fresh), BATCH):
        _insert(fresh[start : start + BATCH], result)
    _link(by, entries, result)
    return result


def _link(by: User, entries: Sequence[NewTouchpoint], result: Logged) -> None:
    """Participations, contacts, state, audit and webhooks of the rows stored."""
    stored = sorted(result.touchpoints.items())
    Participation.objects.bulk_create(
        [
            Participation(touchpoint=tp, person=person, occurred_at=tp.occurred_at)
            for index, tp in stored
            for person in dict.fromkeys(entries[index].people)
        ],
        batch_size=BATCH,
    )
    everyone = [p for index, _ in stored for p in entries[index].people]
    withheld = set(add_contacts(by=by, people=everyone))
    for index, tp in stored:
        tp.withheld = tuple(p for p in entries[index].people if p in withheld)
    ids = sorted({p.pk for p in everyone})
    for start in range(0, len(ids), REFRESH_CHUNK):
        refresh_relationships(ids[start : start + REFRESH_CHUNK])
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=by,
                action="create",
                object_type="touchpoint",
                object_id=str(tp.pk),
                summary=tp.topic[:200],
                changes={
                    **snapshot(tp, TOUCHPOINT_FIELDS),
                    "people": [p.pk for p in entries[index].people],
                },
            )
            for index, tp in stored
        ],
        batch_size=BATCH,
    )
    # Confidential touchpoints reach their author only, so no webhook announces them.
    emit_each(
        "touchpoint.created",
        (
            partial(payloads.touchpoint_created, tp, entries[index].people)
            for index, tp in stored
            if not tp.confidential
        ),
    )
