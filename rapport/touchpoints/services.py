"""Writes to touchpoints: capture from one line, the full form, edits and deletion.

Each write runs in one transaction, keeps the relationship state of the people involved
current (`relationships.services.refresh`), and records an audit entry.
"""

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian
from rapport.audit.services import record, snapshot
from rapport.concurrency import (
    Expected,
    brought_up_to_date,
    check_version,
    save_changes,
    values_of,
)
from rapport.errors import Invalid
from rapport.people.models import Group, Membership, Person
from rapport.people.names import UnknownPeople, resolve_mentions
from rapport.people.queries import usual_group
from rapport.people.services import create_person
from rapport.people.sharing import add_contacts
from rapport.relationships.services import refresh as refresh_relationships
from rapport.text import refuse_bad_text
from rapport.touchpoints.capture import Capture, parse_capture
from rapport.touchpoints.confirm import ASKS
from rapport.touchpoints.confirm import check as check_confirmed
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.touchpoints.queries import access_touchpoint
from rapport.webhooks import payloads
from rapport.webhooks.events import emit

MAX_LINE = 5_000
MAX_TEXT = 50_000
MAX_MINUTES = 24 * 60
FUTURE_SLACK = dt.timedelta(minutes=5)
#: The fields whose problems need saying where, as the form names them (`Invalid.first_of`).
LABELS = {
    "question": "Question",
    "answer": "Answer or notes",
    "group": "Group",
    "kind": "Kind",
    "channel": "Channel",
    "origin": "How it came about",
    "initiated_by": "Who reached out",
    "read_level": "Effort (READ scale)",
    "topic": "Topic",
    "outcome": "Outcome",
    "confidential": "Confidential",
}
NOT_LOGGED = "Nothing was logged: correct the line and log it again."
__all__ = [
    "USUAL",
    "NewPeopleGroup",
    "UnknownPeople",
    "capture",
    "create_touchpoint",
    "delete_touchpoint",
    "update_touchpoint",
]

TOUCHPOINT_FIELDS = [
    "occurred_at",
    "group",
    "kind",
    "channel",
    "origin",
    "initiated_by",
    "read_level",
    "minutes",
    "topic",
    "question",
    "answer",
    "outcome",
    "confidential",
    "tags",
]


def _infer_group(by: User, people: list[Person]) -> Group | None:
    """The one group, served by the author, that every person belongs to now, if there is one."""
    if not people:
        return None
    today = timezone.localdate()
    common: set[int] | None = None
    for person in people:
        ids = set(
            Membership.objects.filter(person=person, group__librarians=by, group__archived_at=None)
            .exclude(ended_on__lt=today)
            .values_list("group_id", flat=True)
        )
        common = ids if common is None else common & ids
    if common and len(common) == 1:
        return Group.objects.get(pk=common.pop())
    return None


def _topic(text: str) -> str:
    """A short headline for lists: the first sentence or 120 characters, cut at a word."""
    first = text.split("\n", 1)[0]
    if len(first) <= 120:
        return first
    return first[:120].rsplit(" ", 1)[0] + "…"


class _Usual:
    """The default group for people a capture creates: the librarian's usual one."""

    def __repr__(self) -> str:
        return "USUAL"


USUAL = _Usual()
# Where a capture puts the people it creates: a group, none, or the librarian's usual one.
NewPeopleGroup = Group | _Usual | None


def _find_or_create(by: User, name: str, group: Group | None) -> Person:
    """Create a mentioned person in `group`, unless a concurrent capture just did.

    SQLite's IMMEDIATE transactions already serialise writers; on PostgreSQL a transaction-scoped
    advisory lock on the name does, so two tabs logging the same new name create one person.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name.lower()])
    found, _, _ = resolve_mentions(by, [name])
    return found[0] if found else create_person(by=by, full_name=name, group=group)


@transaction.atomic
def capture(
    *,
    by: User,
    line: str,
    now: dt.datetime | None = None,
    create_missing: bool = False,
    new_people_group: NewPeopleGroup = USUAL,
    confirmed: Collection[str] = ASKS,
    **extra: Any,
) -> Touchpoint:
    """Log a touchpoint from one capture line (plus any fields the line cannot hold); with
    ``+request`` the line also opens a request, owned by `by` and linked to the touchpoint.
    The opened request is left on the touchpoint as ``opened_request``.

    With `create_missing`, names that match nobody become people, in `new_people_group` (by
    default the librarian's usual group, `usual_group`; None for none), so that the group's
    cadence rules bring them back when they are due.

    What the capture box asks before logging (no one named, the same line again within a
    minute, "tomorrow": `confirm.py`) is asked unless in `confirmed`, which holds all of it
    by default (the API and the command line say what they mean)."""
    now = now or timezone.localtime()
    # Requests are checked by the middleware; this is for the command line and other callers.
    refuse_bad_text({"line": line, **extra})
    if not line or not line.strip():
        raise Invalid(
            "Type what happened, e.g. “@Ana Ruiz asked for search strings ~20m”.",
            {"line": ["Empty."]},
        )
    if len(line) > MAX_LINE:
        raise Invalid(
            f"That line is {len(line):,} characters; keep it under {MAX_LINE:,} and "
            "put long notes in the full form.",
            {"line": ["Too long."]},
        )
    cap: Capture = parse_capture(line, now=now)
    if cap.problems:
        raise Invalid(" ".join([*cap.problems, NOT_LOGGED]), {"line": list(cap.problems)})
    people, unknown, ambiguous = resolve_mentions(by, cap.mentions)
    if ambiguous or (unknown and not create_missing):
        raise UnknownPeople(unknown, ambiguous)
    check_confirmed(by, line, cap, confirmed)
    if unknown:
        group = usual_group(by) if isinstance(new_people_group, _Usual) else new_people_group
        for name in unknown:
            people.append(_find_or_create(by, name, group))
    fields: dict[str, Any] = {
        "occurred_at": cap.occurred_at or now,
        "kind": cap.kind,
        "tags": list(cap.tags),
        "question": cap.text,
        "topic": _topic(cap.text),
    }
    for name in ("channel", "origin", "initiated_by", "read_level", "minutes"):
        value = getattr(cap, name)
        if value is not None:
            fields[name] = value
    fields.update({k: v for k, v in extra.items() if v not in (None, "")})
    if "group" not in fields:
        fields["group"] = _infer_group(by, people)
    tp = create_touchpoint(by=by, people=people, capture_line=line, now=now, **fields)
    opened = None
    if cap.request:
        # Imported here: requests build on touchpoints (they log follow-ups as touchpoints),
        # so a module-level import would be circular.
        from rapport.requests.services import open_request

        opened = open_request(
            by=by,
            people=people,
            need=cap.text,
            group=fields["group"],
            due_on=cap.due_on,
            touchpoints=[tp],
            now=now,
        )
    tp.opened_request = opened  # type: ignore[attr-defined]  # for callers that link to it
    return tp


def _when(moment: dt.datetime) -> str:
    try:
        return f"{timezone.localtime(moment):%a %d %b %Y %H:%M}"
    except (OverflowError, ValueError):  # beyond what the time zone database can convert
        return moment.isoformat(timespec="minutes")


def _clean(tp: Touchpoint, now: dt.datetime, *, constraints: bool = True) -> None:
    errors: dict[str, list[str]] = {}
    if tp.occurred_at is None:
        errors["occurred_at"] = ["When did it happen?"]
    elif tp.occurred_at > now + FUTURE_SLACK:
        errors["occurred_at"] = [
            f"{_when(tp.occurred_at)} is in the future; a touchpoint records something that "
            "already happened."
        ]
    elif tp.occurred_at.year < 1950:
        errors["occurred_at"] = ["That date is too far in the past."]
    if tp.minutes is not None and not 0 <= tp.minutes <= MAX_MINUTES:
        errors["minutes"] = [f"{tp.minutes} minutes is more than a day; log each day separately."]
    for name in ("question", "answer"):
        if len(getattr(tp, name)) > MAX_TEXT:
            errors[name] = [f"Keep this under {MAX_TEXT:,} characters."]
    if not isinstance(tp.tags, list) or not all(isinstance(t, str) for t in tp.tags):
        errors["tags"] = ["Tags must be a list of words."]
    else:
        tp.tags = list(dict.fromkeys(t.strip().lstrip("#").lower() for t in tp.tags if t.strip()))
    tp.topic = tp.topic.strip()[:300] or _topic(tp.question.strip())
    try:
        tp.full_clean(
            exclude=["author", "tags", "occurred_at", "minutes", *errors],
            validate_constraints=constraints,
        )
    except ValidationError as e:
        for name, messages in e.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise Invalid.first_of(errors, LABELS)


def _set_people(by: User, tp: Touchpoint, people: list[Person]) -> None:
    """The touchpoint's people; `by` becomes their contact as far as the sharing rule lets
    (people/sharing.py). Those withheld (colleagues have them) are left on the touchpoint as
    ``withheld``, for the capture's answer to say so."""
    Participation.objects.filter(touchpoint=tp).delete()
    Participation.objects.bulk_create(
        [Participation(touchpoint=tp, person=p, occurred_at=tp.occurred_at) for p in people]
    )
    tp.withheld = tuple(add_contacts(by=by, people=people))


@transaction.atomic
def create_touchpoint(
    *,
    by: User,
    people: list[Person],
    now: dt.datetime | None = None,
    **fields: Any,
) -> Touchpoint:
    """Log a touchpoint with these people (none for an anonymous one)."""
    require_librarian(by, to="log touchpoints")
    unknown = (
        set(fields) - set(TOUCHPOINT_FIELDS) - {"capture_line", "source_system", "external_id"}
    )
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    tp = Touchpoint(author=by, **fields)
    _clean(tp, now or timezone.now())
    tp.save()
    _set_people(by, tp, people)
    refresh_relationships(p.pk for p in people)
    record(
        actor=by,
        action="create",
        obj=tp,
        summary=tp.topic,
        changes={**snapshot(tp, TOUCHPOINT_FIELDS), "people": [p.pk for p in people]},
    )
    # Confidential touchpoints reach their author only, so no webhook announces them.
    if not tp.confidential:
        emit("touchpoint.created", lambda: payloads.touchpoint_created(tp, people))
    return tp


@transaction.atomic
def update_touchpoint(
    *,
    by: User,
    touchpoint: Touchpoint,
    people: list[Person] | None = None,
    expected_version: Expected = None,
    **fields: Any,
) -> Touchpoint:
    """Change the fields given (and the people, when given), on the touchpoint as committed
    now; only the values that differ are written (rapport/concurrency.py). With
    `expected_version`, an edit made on an older version is refused with `Changed`."""
    row = access_touchpoint(by, touchpoint.pk, for_write=True)
    unknown = set(fields) - set(TOUCHPOINT_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    check_version(row, expected_version)
    before = values_of(row, TOUCHPOINT_FIELDS)
    old_people = sorted(
        Participation.objects.filter(touchpoint=row).values_list("person_id", flat=True)
    )
    for name, value in fields.items():
        setattr(row, name, value)
    _clean(row, timezone.now())
    linked: dict[str, list[Any]] = {}
    if people is not None and sorted(p.pk for p in people) != old_people:
        _set_people(by, row, people)
        linked["people"] = [old_people, sorted(p.pk for p in people)]
    elif row.occurred_at != before["occurred_at"]:
        Participation.objects.filter(touchpoint=row).update(occurred_at=row.occurred_at)
    changes = save_changes(row, before, linked=linked)
    if changes:
        refresh_relationships([*old_people, *(p.pk for p in people or [])])
        record(actor=by, action="update", obj=row, summary=row.topic, changes=changes)
    return brought_up_to_date(touchpoint, row)


@transaction.atomic
def delete_touchpoint(*, by: User, touchpoint: Touchpoint) -> None:
    row = access_touchpoint(by, touchpoint.pk, for_write=True)
    person_ids = list(
        Participation.objects.filter(touchpoint=row).values_list("person_id", flat=True)
    )
    record(
        actor=by,
        action="delete",
        obj=row,
        summary=row.topic,
        changes={**snapshot(row, TOUCHPOINT_FIELDS), "people": person_ids},
    )
    row.delete()
    refresh_relationships(person_ids)
