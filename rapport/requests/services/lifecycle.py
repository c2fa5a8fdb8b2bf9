"""A request's way through its statuses: each move along `TRANSITIONS`, kept as a
`StatusChange`; delivery (with the follow-up it schedules), the follow-up itself, the outcome."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian
from rapport.audit.services import diff, record, snapshot
from rapport.errors import Invalid
from rapport.requests.models import Request, Status, StatusChange
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


def _locked(request: Request) -> Request:
    """Re-read the status under a row lock, so two tabs cannot both move the same request."""
    current = Request.objects.select_for_update().get(pk=request.pk)
    request.status = current.status
    request.status_changed_at = current.status_changed_at
    return request


def _move(
    by: User, request: Request, status: str, note: str, now: dt.datetime | None
) -> dict[str, Any]:
    """Move to `status` if allowed; returns the audited changes. Raises Invalid otherwise."""
    if status not in _LABELS:
        raise Invalid(
            f"“{status}” is not a status; use one of {', '.join(_LABELS)}.",
            {"status": ["Unknown status."]},
        )
    _locked(request)
    if status not in TRANSITIONS[request.status]:
        names = [_LABELS[s].lower() for s in TRANSITIONS[request.status]]
        allowed = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        raise Invalid(
            f"{_article(_LABELS[request.status])} {_LABELS[request.status].lower()} request "
            f"cannot become "
            f"{_LABELS[status].lower()}; it can become {allowed}.",
            {"status": ["Not allowed from the current status."]},
        )
    if len(note) > MAX_TEXT:
        raise Invalid(f"Keep the note under {MAX_TEXT:,} characters.", {"note": ["Too long."]})
    now = now or timezone.now()
    before = snapshot(request, AUDITED)
    old = request.status
    request.status = status
    request.status_changed_at = now
    if status == Status.DELIVERED:
        request.follow_up_on = follow_up_on(request)
    elif status == Status.FOLLOWED_UP:
        request.followed_up_at = now
    request.save()
    StatusChange.objects.create(
        request=request, from_status=old, to_status=status, at=now, by=by, note=note.strip()
    )
    return diff(before, snapshot(request, AUDITED))


@transaction.atomic
def change_status(
    *, by: User, request: Request, status: str, note: str = "", now: dt.datetime | None = None
) -> Request:
    """Move a request one step along its lifecycle (see TRANSITIONS), with an optional note."""
    require_librarian(by, to="change requests")
    changes = _move(by, request, status, note, now)
    record(actor=by, action="status", obj=request, summary=summary(request), changes=changes)
    if status == Status.DELIVERED:
        emit("request.delivered", lambda: payloads.request_delivered(request))
    return request


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
    require_librarian(by, to="change requests")
    changes = _move(by, request, Status.DELIVERED, note, now)
    if deliverable:
        write_deliverable(by, request, now=now, **deliverable)
    record(actor=by, action="deliver", obj=request, summary=summary(request), changes=changes)
    emit("request.delivered", lambda: payloads.request_delivered(request))
    return request


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
    changes = _move(by, request, Status.FOLLOWED_UP, note, now)
    if outcome.strip() and outcome.strip() != request.outcome:
        changes["outcome"] = [request.outcome, outcome.strip()]
        request.outcome = outcome.strip()
        clean(request, local_today(now))
        request.save(update_fields=["outcome", "updated_at"])
    if log_as:
        tp = create_touchpoint(
            by=by,
            people=list(request.people.all()),
            now=now,
            occurred_at=now,
            kind=log_as,
            channel=FOLLOW_UP_KINDS[log_as],
            initiated_by="us",
            group=request.group,
            topic=f"Follow-up: {request.title}"[:300],
            question=note.strip() or f"Follow-up on “{request.title}”",
            outcome=request.outcome[:300],
        )
        request.touchpoints.add(tp)
        changes["touchpoints"] = [None, tp.pk]
    record(actor=by, action="follow_up", obj=request, summary=summary(request), changes=changes)
    return request


@transaction.atomic
def set_outcome(
    *,
    by: User,
    request: Request,
    outcome: str | None = None,
    story: str | None = None,
    story_tags: list[str] | None = None,
    now: dt.datetime | None = None,
) -> Request:
    """Record what came of the work and the story of what it made possible, with tags."""
    require_librarian(by, to="change requests")
    before = snapshot(request, OUTCOME_FIELDS)
    if outcome is not None:
        request.outcome = outcome.strip()
    if story is not None:
        request.story = story.strip()
    if story_tags is not None:
        request.story_tags = story_tags
    clean(request, local_today(now))
    changes = diff(before, snapshot(request, OUTCOME_FIELDS))
    if "story" in changes:
        request.story_at = (now or timezone.now()) if request.story else None
    if changes:
        request.save()
        record(actor=by, action="outcome", obj=request, summary=summary(request), changes=changes)
    return request
