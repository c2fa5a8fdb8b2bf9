"""Writes to requests: open, edit, move through the lifecycle, deliver, follow up, reassign.

Each runs in one transaction and records an audit entry. The caller fetched the request (and
the people, group and touchpoints it names) through the scoped queries; these functions decide
what may change. Status moves only along `TRANSITIONS`, each move kept as a `StatusChange`.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import Role, User
from rapport.audit.services import diff, record, snapshot
from rapport.errors import Forbidden, Invalid
from rapport.people.models import Person
from rapport.people.queries import people_for
from rapport.requests.models import OPEN_STATUSES, Deliverable, Request, Status, StatusChange
from rapport.touchpoints.models import Touchpoint
from rapport.touchpoints.services import create_touchpoint
from rapport.webhooks import payloads
from rapport.webhooks.events import emit

MAX_TEXT = 20_000
MAX_PAST_DAYS = 365
MAX_FUTURE_DAYS = 5 * 365
MIN_FOLLOW_UP_DAYS, MAX_FOLLOW_UP_DAYS = 1, 365
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_TAGS = 20

# Fields a librarian sets in the form or the API; owner changes through reassign_request.
REQUEST_FIELDS = [
    "title",
    "need",
    "purpose",
    "project",
    "grant",
    "course",
    "deadline",
    "scope",
    "preferred_format",
    "due_on",
    "group",
    "follow_up_days",
]
AUDITED = [*REQUEST_FIELDS, "owner", "status", "follow_up_on", "outcome", "story", "story_tags"]
OUTCOME_FIELDS = ["outcome", "story", "story_tags"]

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


def _require_librarian(by: User) -> None:
    if by.is_manager:
        raise Forbidden("Managers see aggregate figures only and cannot change requests.")


def _check_owner(owner: User) -> None:
    may_own = owner.is_superuser or owner.role in (Role.LIBRARIAN, Role.ADMIN)
    if not (owner.is_active and may_own):
        raise Invalid(
            f"{owner.username} cannot own a request: an owner is an active librarian or "
            "administrator, not a manager.",
            {"owner": ["Choose an active librarian."]},
        )


def headline(text: str) -> str:
    """A short title from the need: its first line, cut at a word before 120 characters."""
    first = " ".join(text.strip().split("\n", 1)[0].split())
    if len(first) <= 120:
        return first
    return first[:120].rsplit(" ", 1)[0] + "…"


def _local_today(now: dt.datetime | None) -> dt.date:
    """Today in the library's zone: a follow-up date is a calendar date, so DST cannot shift
    it by an hour into the day before."""
    return timezone.localdate(now or timezone.now())


def _check_date(errors: dict[str, list[str]], name: str, value: Any, today: dt.date) -> None:
    if value is None:
        return
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[name] = ["Give a date."]
    elif value < today - dt.timedelta(days=MAX_PAST_DAYS):
        errors[name] = [f"{value:%-d %b %Y} is more than a year ago; give the date still ahead."]
    elif value > today + dt.timedelta(days=MAX_FUTURE_DAYS):
        errors[name] = [f"{value:%-d %b %Y} is more than five years ahead."]


def _clean_tags(tags: Any, errors: dict[str, list[str]]) -> list[str]:
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        errors["story_tags"] = ["Tags must be a list of words."]
        return []
    cleaned = list(dict.fromkeys(t.strip().lstrip("#").lower() for t in tags if t.strip()))
    if len(cleaned) > MAX_TAGS:
        errors["story_tags"] = [f"At most {MAX_TAGS} tags."]
    elif any(len(t) > 50 for t in cleaned):
        errors["story_tags"] = ["Keep each tag under 50 characters."]
    return cleaned


def _clean(req: Request, today: dt.date, dates: Iterable[str] = ()) -> None:
    """Normalise and check a request; only the date fields in `dates` (the ones being set) are
    checked against today, so editing an old request does not trip on its old due date."""
    errors: dict[str, list[str]] = {}
    req.need = (req.need or "").strip()
    if not req.need:
        errors["need"] = ["What do they need? Write it in their words."]
    req.title = " ".join((req.title or "").split()) or headline(req.need)
    for name in ("need", "purpose", "scope", "outcome", "story"):
        if len(getattr(req, name)) > MAX_TEXT:
            errors[name] = [f"Keep this under {MAX_TEXT:,} characters."]
    days = req.follow_up_days
    if not isinstance(days, int) or not MIN_FOLLOW_UP_DAYS <= days <= MAX_FOLLOW_UP_DAYS:
        errors["follow_up_days"] = [
            f"Follow up after {MIN_FOLLOW_UP_DAYS} to {MAX_FOLLOW_UP_DAYS} days, not {days}."
        ]
    for name in dates:
        _check_date(errors, name, getattr(req, name), today)
    req.story_tags = _clean_tags(req.story_tags, errors)
    exclude = ["owner", "created_by", "status_changed_at", "story_tags", "follow_up_days"]
    if not req.title:
        exclude.append("title")  # no need, so no title from it: the need's message says it
    try:
        req.full_clean(exclude=[*exclude, *errors], validate_constraints=False)
    except ValidationError as e:
        for name, messages in e.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        name, messages = next(iter(errors.items()))
        raise Invalid(f"{name.replace('_', ' ')}: {messages[0]}", errors)


def _assign(req: Request, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(REQUEST_FIELDS)
    if unknown:
        raise Invalid(
            f"Unknown field(s): {', '.join(sorted(unknown))}.",
            {f: ["Unknown field."] for f in sorted(unknown)},
        )
    for name, value in fields.items():
        if value is None and name not in ("deadline", "due_on", "group"):
            if name == "follow_up_days":
                continue
            value = ""
        setattr(req, name, value)


def _require_people(people: list[Person]) -> None:
    if not people:
        raise Invalid(
            "A request needs at least one person who asked.",
            {"people": ["Name at least one person."]},
        )


def _follow_up_on(req: Request) -> dt.date | None:
    """Delivered: the delivery date plus the request's follow-up interval."""
    if req.status != Status.DELIVERED:
        return req.follow_up_on
    delivered = timezone.localdate(req.status_changed_at)
    return delivered + dt.timedelta(days=req.follow_up_days)


def _article(word: str) -> str:
    return "An" if word[0].lower() in "aeiou" else "A"


def _summary(req: Request) -> str:
    return f"#{req.pk} {req.title}"


@transaction.atomic
def open_request(
    *,
    by: User,
    people: Iterable[Person],
    owner: User | None = None,
    touchpoints: Iterable[Touchpoint] = (),
    now: dt.datetime | None = None,
    **fields: Any,
) -> Request:
    """Record a new request; its owner is `by` unless another librarian is named."""
    _require_librarian(by)
    people = list(dict.fromkeys(people))
    owner = owner or by
    _check_owner(owner)
    now = now or timezone.now()
    req = Request(owner=owner, created_by=by, status=Status.NEW, status_changed_at=now)
    _assign(req, fields)
    _clean(req, _local_today(now), dates=("due_on", "deadline"))
    _require_people(people)
    req.save()
    req.people.set(people)
    linked = list(touchpoints)
    for tp in linked:
        _check_linkable(tp)
    req.touchpoints.set(linked)
    StatusChange.objects.create(request=req, to_status=Status.NEW, at=now, by=by)
    record(
        actor=by,
        action="create",
        obj=req,
        summary=_summary(req),
        changes={
            **snapshot(req, AUDITED),
            "people": [p.pk for p in people],
            "touchpoints": [tp.pk for tp in linked],
        },
    )
    return req


@transaction.atomic
def update_request(
    *, by: User, request: Request, people: Iterable[Person] | None = None, **fields: Any
) -> Request:
    """Change the interview fields (and who asked); a new follow-up interval moves a pending
    follow-up with it."""
    _require_librarian(by)
    if "status" in fields:
        raise Invalid(
            "Change the status with its own action, so the step is recorded.",
            {"status": ["Use the status actions."]},
        )
    before = snapshot(request, AUDITED)
    _assign(request, fields)
    _clean(request, _local_today(None), dates=[d for d in ("due_on", "deadline") if d in fields])
    request.follow_up_on = _follow_up_on(request)
    changes = diff(before, snapshot(request, AUDITED))
    if people is not None:
        people = list(dict.fromkeys(people))
        _require_people(people)
        old = sorted(request.people.values_list("pk", flat=True))
        new = sorted(p.pk for p in people)
        if old != new:
            request.people.set(people)
            changes["people"] = [old, new]
    request.save()
    if changes:
        record(actor=by, action="update", obj=request, summary=_summary(request), changes=changes)
    return request


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
        request.follow_up_on = _follow_up_on(request)
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
    _require_librarian(by)
    changes = _move(by, request, status, note, now)
    record(actor=by, action="status", obj=request, summary=_summary(request), changes=changes)
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
    _require_librarian(by)
    changes = _move(by, request, Status.DELIVERED, note, now)
    if deliverable:
        _add_deliverable(by, request, now=now, **deliverable)
    record(actor=by, action="deliver", obj=request, summary=_summary(request), changes=changes)
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
    _require_librarian(by)
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
        _clean(request, _local_today(now))
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
    record(actor=by, action="follow_up", obj=request, summary=_summary(request), changes=changes)
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
    _require_librarian(by)
    before = snapshot(request, OUTCOME_FIELDS)
    if outcome is not None:
        request.outcome = outcome.strip()
    if story is not None:
        request.story = story.strip()
    if story_tags is not None:
        request.story_tags = story_tags
    _clean(request, _local_today(now))
    changes = diff(before, snapshot(request, OUTCOME_FIELDS))
    if "story" in changes:
        request.story_at = (now or timezone.now()) if request.story else None
    if changes:
        request.save()
        record(actor=by, action="outcome", obj=request, summary=_summary(request), changes=changes)
    return request


def _add_deliverable(
    by: User,
    request: Request,
    *,
    title: str = "",
    url: str = "",
    file: UploadedFile | None = None,
    description: str = "",
    now: dt.datetime | None = None,
) -> Deliverable:
    if request.status == Status.DECLINED:
        raise Invalid("A declined request has nothing to deliver; reopen it first.")
    url, description = (url or "").strip(), (description or "").strip()
    errors: dict[str, list[str]] = {}
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = [f"“{url[:100]}” is not a web address (https://…)."]
    if file is not None and file.size and file.size > MAX_FILE_BYTES:
        errors["file"] = [f"Files up to {MAX_FILE_BYTES // 1024 // 1024} MB; link larger ones."]
    title = " ".join((title or "").split())
    title = (
        title
        or ((file.name or "").rsplit("/", 1)[-1] if file else "")
        or url
        or headline(description)
    )
    if not title and not errors:
        errors["title"] = ["Give a title, a link, a file or a description."]
    if len(title) > 200:
        errors["title"] = ["Keep the title under 200 characters."]
    if len(description) > MAX_TEXT:
        errors["description"] = [f"Keep this under {MAX_TEXT:,} characters."]
    if errors:
        name, messages = next(iter(errors.items()))
        raise Invalid(f"{name.replace('_', ' ')}: {messages[0]}", errors)
    deliverable = Deliverable(
        request=request,
        title=title,
        url=url,
        description=description,
        delivered_at=now or timezone.now(),
        by=by,
    )
    if file is not None:
        deliverable.file.save((file.name or "file").rsplit("/", 1)[-1], file, save=False)
    deliverable.save()
    record(
        actor=by,
        action="create",
        obj=deliverable,
        summary=f"{title} for #{request.pk}",
        changes={
            "request": request.pk,
            "title": title,
            "url": url,
            "file": deliverable.file.name or "",
            "description": description,
        },
    )
    return deliverable


@transaction.atomic
def add_deliverable(
    *,
    by: User,
    request: Request,
    title: str = "",
    url: str = "",
    file: UploadedFile | None = None,
    description: str = "",
    now: dt.datetime | None = None,
) -> Deliverable:
    """Attach what was handed over: a link, a file (kept under MEDIA_ROOT), a description."""
    _require_librarian(by)
    return _add_deliverable(
        by, request, title=title, url=url, file=file, description=description, now=now
    )


def _check_linkable(touchpoint: Touchpoint) -> None:
    if touchpoint.confidential:
        raise Invalid(
            "A confidential touchpoint stays with its author; it cannot join a request other "
            "librarians may see.",
            {"touchpoint": ["Confidential."]},
        )


@transaction.atomic
def attach_touchpoint(*, by: User, request: Request, touchpoint: Touchpoint) -> Request:
    """Link a touchpoint (fetched through get_touchpoint_for) to the request; twice is once."""
    _require_librarian(by)
    _check_linkable(touchpoint)
    if not request.touchpoints.filter(pk=touchpoint.pk).exists():
        request.touchpoints.add(touchpoint)
        record(
            actor=by,
            action="attach",
            obj=request,
            summary=_summary(request),
            changes={"touchpoints": [None, touchpoint.pk]},
        )
    return request


@transaction.atomic
def convert_touchpoint(
    *,
    by: User,
    touchpoint: Touchpoint,
    people: Iterable[Person] | None = None,
    now: dt.datetime | None = None,
    **fields: Any,
) -> Request:
    """Open a request from a touchpoint: its question, the participants `by` may see, its
    group; the touchpoint is linked. `people` and `fields` override what it gives."""
    _require_librarian(by)
    _check_linkable(touchpoint)
    if people is None:
        ids = touchpoint.people.values("pk")
        people = people_for(by, include_archived=True).filter(pk__in=ids).order_by("pk")
    fields.setdefault("need", touchpoint.question or touchpoint.topic)
    fields.setdefault("title", touchpoint.topic)
    fields.setdefault("group", touchpoint.group)
    return open_request(by=by, people=people, touchpoints=[touchpoint], now=now, **fields)


@transaction.atomic
def reassign_request(*, by: User, request: Request, owner: User) -> Request:
    """Hand a request to another librarian (away, leaving, or better placed)."""
    _require_librarian(by)
    _check_owner(owner)
    if owner.pk != request.owner_id:
        old = request.owner_id
        request.owner = owner
        request.save(update_fields=["owner", "updated_at"])
        record(
            actor=by,
            action="reassign",
            obj=request,
            summary=_summary(request),
            changes={"owner": [old, owner.pk]},
        )
    return request


@transaction.atomic
def reassign_all(*, by: User, from_user: User, to_user: User) -> list[Request]:
    """Move every open request of `from_user` (pending follow-ups included) to `to_user`, so
    nothing is left with a librarian who leaves. Administrators only."""
    if not by.is_admin:
        raise Forbidden("Only an administrator can move all of a librarian's requests.")
    if from_user.pk == to_user.pk:
        raise Invalid(
            "Choose a different librarian to take the requests over.",
            {"to_user": ["The same librarian."]},
        )
    _check_owner(to_user)
    moving = list(
        Request.objects.select_for_update()
        .filter(owner=from_user, status__in=OPEN_STATUSES)
        .order_by("pk")
    )
    for req in moving:
        req.owner = to_user
        req.save(update_fields=["owner", "updated_at"])
        record(
            actor=by,
            action="reassign",
            obj=req,
            summary=_summary(req),
            changes={"owner": [from_user.pk, to_user.pk]},
        )
    return moving
