"""A request's way through its statuses: each move along `TRANSITIONS`, kept as a
`StatusChange`; delivery (with the follow-up it schedules), the follow-up itself, the outcome."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian
from rapport.audit.services import record
from rapport.concurrency import (
    Expected,
    brought_up_to_date,
    check_version,
    save_changes,
    values_of,
)
from rapport.errors import Invalid
from rapport.requests.models import Request, Status, StatusChange
from rapport.requests.queries import access_request
from rapport.requests.services.deliverables import write_deliverable
from rapport.requests.services.fields import (
    AUDITED,
    MAX_TEXT,
    OUTCOME_FIELDS,
    clean,
    follow_up_on,
    local_today,
    summary,
)
from rapport.touchpoints.services import create_touchpoint
from rapport.webhooks import payloads
from rapport.webhooks.events import emit

# Where a request may go from each status. Closing or declining is possible from every open
# status; a closed or declined request can be reopened (back to in progress).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.IN_PROGRESS, Status.DELIVERED, Status.CLOSED, Status.DECLINED),
    Status.IN_PROGRESS: (Status.DELIVERED, Status.CLOSED, Status.DECLINED),
    Status.DELIVERED: (Status.FOLLOWED_UP, Status.CLOSED, Status.DECLINED),
    Status.FOLLOWED_UP: (Status.CLOSED, Status.DECLINED),
    Status.CLOSED: (Status.IN_PROGRESS,),
    Status.DECLINED: (Status.IN_PROGRESS,),
}
FOLLOW_UP_KINDS = {"email": "email", "meeting": "in_person"}  # touchpoint kind -> channel

_LABELS = dict(Status.choices)


def _article(word: str) -> str:
    return "An" if word[0].lower() in "aeiou" else "A"


def _move(by: User, row: Request, status: str, note: str, now: dt.datetime) -> None:
    """Move `row` (locked, fresh) to `status` if allowed, and keep the step; the caller saves
    the row. Raises Invalid otherwise."""
    if status not in _LABELS:
        raise Invalid(
            f"“{status}” is not a status; use one of {', '.join(_LABELS)}.",
            {"status": ["Unknown status."]},
        )
    if status not in TRANSITIONS[row.status]:
        names = [_LABELS[s].lower() for s in TRANSITIONS[row.status]]
        allowed = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        raise Invalid(
            f"{_article(_LABELS[row.status])} {_LABELS[row.status].lower()} request "
            f"cannot become "
            f"{_LABELS[status].lower()}; it can become {allowed}.",
            {"status": ["Not allowed from the current status."]},
        )
    if len(note) > MAX_TEXT:
        raise Invalid(f"Keep the note under {MAX_TEXT:,} characters.", {"note": ["Too long."]})
    old = row.status
    row.status = status
    row.status_changed_at = now
    if status == Status.DELIVERED:
        row.follow_up_on = follow_up_on(row)
    elif status == Status.FOLLOWED_UP:
        row.followed_up_at = now
    StatusChange.objects.create(
        request=row, from_status=old, to_status=status, at=now, by=by, note=note.strip()
    )


#: Columns a status move writes beside the audited ones.
MOVED = ["status_changed_at", "followed_up_at"]


@transaction.atomic
def change_status(
    *, by: User, request: Request, status: str, note: str = "", now: dt.datetime | None = None
) -> Request:
    """Move a request one step along its lifecycle (see TRANSITIONS), with an optional note.
    The status is read under a row lock, so two tabs cannot both move the same request."""
    row = access_request(by, request.pk, for_write=True)
    before = values_of(row, AUDITED)
    _move(by, row, status, note, now or timezone.now())
    changes = save_changes(row, before, also=MOVED)
    record(actor=by, action="status", obj=row, summary=summary(row), changes=changes)
    if status == Status.DELIVERED:
        emit("request.delivered", lambda: payloads.request_delivered(row))
    return brought_up_to_date(request, row)


@transaction.atomic
def deliver_request(
    *,
    by: User,
    request: Request,
    note: str = "",
    deliverable: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Request:
    """Mark it delivered (with what was handed over, if given) and schedule the follow-up
    check-in `follow_up_days` from today."""
    row = access_request(by, request.pk, for_write=True)
    before = values_of(row, AUDITED)
    _move(by, row, Status.DELIVERED, note, now or timezone.now())
    changes = save_changes(row, before, also=MOVED)
    if deliverable:
        write_deliverable(by, row, now=now, **deliverable)
    record(actor=by, action="deliver", obj=row, summary=summary(row), changes=changes)
    emit("request.delivered", lambda: payloads.request_delivered(row))
    return brought_up_to_date(request, row)


@transaction.atomic
def record_follow_up(
    *,
    by: User,
    request: Request,
    note: str = "",
    outcome: str = "",
    log_as: str = "",
    now: dt.datetime | None = None,
) -> Request:
    """Record the check-in after delivery ("was it useful, what next?"). With `log_as` set to
    email or meeting, the check-in is also logged as a touchpoint with the people who asked."""
    require_librarian(by, to="change requests")
    if log_as and log_as not in FOLLOW_UP_KINDS:
        raise Invalid(
            f"Log the follow-up as {' or '.join(FOLLOW_UP_KINDS)}, not “{log_as}”.",
            {"log_as": ["Unknown kind."]},
        )
    now = now or timezone.now()
    row = access_request(by, request.pk, for_write=True)
    before = values_of(row, AUDITED)
    _move(by, row, Status.FOLLOWED_UP, note, now)
    if outcome.strip():
        row.outcome = outcome.strip()
        clean(row, local_today(now))
    changes = save_changes(row, before, also=MOVED)
    if log_as:
        tp = create_touchpoint(
            by=by,
            people=list(row.people.all()),
            now=now,
            occurred_at=now,
            kind=log_as,
            channel=FOLLOW_UP_KINDS[log_as],
            initiated_by="us",
            group=row.group,
            topic=f"Follow-up: {row.title}"[:300],
            question=note.strip() or f"Follow-up on “{row.title}”",
            outcome=row.outcome[:300],
        )
        row.touchpoints.add(tp)
        changes["touchpoints"] = [None, tp.pk]
    record(actor=by, action="follow_up", obj=row, summary=summary(row), changes=changes)
    return brought_up_to_date(request, row)


@transaction.atomic
def set_outcome(
    *,
    by: User,
    request: Request,
    outcome: str | None = None,
    story: str | None = None,
    story_tags: list[str] | None = None,
    now: dt.datetime | None = None,
    expected_version: Expected = None,
) -> Request:
    """Record what came of the work and the story of what it made possible, with tags, on the
    request as committed now; `expected_version` as for `update_request`."""
    row = access_request(by, request.pk, for_write=True)
    check_version(row, expected_version)
    before = values_of(row, OUTCOME_FIELDS)
    if outcome is not None:
        row.outcome = outcome.strip()
    if story is not None:
        row.story = story.strip()
    if story_tags is not None:
        row.story_tags = story_tags
    clean(row, local_today(now))
    story_changed = row.story != before["story"]
    if story_changed:
        row.story_at = (now or timezone.now()) if row.story else None
    changes = save_changes(row, before, also=["story_at"] if story_changed else [])
    if changes:
        record(actor=by, action="outcome", obj=row, summary=summary(row), changes=changes)
    return brought_up_to_date(request, row)
