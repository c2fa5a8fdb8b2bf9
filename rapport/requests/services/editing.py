"""Opening a request (directly or from a touchpoint), editing it, linking touchpoints to it."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
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
from rapport.people.models import Person
from rapport.people.queries import people_for
from rapport.requests.models import Request, Status, StatusChange
from rapport.requests.queries import access_request
from rapport.requests.services.fields import (
    AUDITED,
    assign,
    check_linkable,
    check_owner,
    clean,
    follow_up_on,
    local_today,
    require_people,
    summary,
)
from rapport.requests.services.ownership import reassign_request
from rapport.touchpoints.models import Touchpoint
from rapport.touchpoints.queries import access_touchpoint


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
    require_librarian(by, to="change requests")
    people = list(dict.fromkeys(people))
    owner = owner or by
    check_owner(owner)
    now = now or timezone.now()
    req = Request(owner=owner, created_by=by, status=Status.NEW, status_changed_at=now)
    assign(req, fields)
    clean(req, local_today(now), dates=("due_on", "deadline"))
    require_people(people)
    req.save()
    req.people.set(people)
    linked = list(touchpoints)
    for tp in linked:
        check_linkable(tp)
    req.touchpoints.set(linked)
    StatusChange.objects.create(request=req, to_status=Status.NEW, at=now, by=by)
    record(
        actor=by,
        action="create",
        obj=req,
        summary=summary(req),
        changes={
            **snapshot(req, AUDITED),
            "people": [p.pk for p in people],
            "touchpoints": [tp.pk for tp in linked],
        },
    )
    return req


@transaction.atomic
def update_request(
    *,
    by: User,
    request: Request,
    people: Iterable[Person] | None = None,
    owner: User | None = None,
    expected_version: Expected = None,
    **fields: Any,
) -> Request:
    """Change the interview fields (and who asked, and the owner), on the request as committed
    now; only the values that differ are written (rapport/concurrency.py), and a new follow-up
    interval moves a pending follow-up with it. With `expected_version`, an edit made on an
    older version is refused with `Changed`."""
    require_librarian(by, to="change requests")
    if "status" in fields:
        raise Invalid(
            "Change the status with its own action, so the step is recorded.",
            {"status": ["Use the status actions."]},
        )
    row = access_request(by, request.pk, for_write=True)
    check_version(row, expected_version)
    before = values_of(row, AUDITED)
    assign(row, fields)
    clean(row, local_today(None), dates=[d for d in ("due_on", "deadline") if d in fields])
    row.follow_up_on = follow_up_on(row)
    linked: dict[str, list[Any]] = {}
    if people is not None:
        people = list(dict.fromkeys(people))
        require_people(people)
        old = sorted(row.people.values_list("pk", flat=True))
        new = sorted(p.pk for p in people)
        if old != new:
            row.people.set(people)
            linked["people"] = [old, new]
    changes = save_changes(row, before, linked=linked)
    if changes:
        record(actor=by, action="update", obj=row, summary=summary(row), changes=changes)
    if owner is not None:
        reassign_request(by=by, request=row, owner=owner)
    return brought_up_to_date(request, row)


@transaction.atomic
def attach_touchpoint(*, by: User, request: Request, touchpoint: Touchpoint) -> Request:
    """Link a touchpoint the user may read to a request they may change; twice is once."""
    request = access_request(by, request.pk, for_write=True)
    touchpoint = access_touchpoint(by, touchpoint.pk)
    check_linkable(touchpoint)
    if not request.touchpoints.filter(pk=touchpoint.pk).exists():
        request.touchpoints.add(touchpoint)
        record(
            actor=by,
            action="attach",
            obj=request,
            summary=summary(request),
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
    require_librarian(by, to="change requests")
    touchpoint = access_touchpoint(by, touchpoint.pk)
    check_linkable(touchpoint)
    if people is None:
        ids = touchpoint.people.values("pk")
        people = people_for(by, include_archived=True).filter(pk__in=ids).order_by("pk")
    fields.setdefault("need", touchpoint.question or touchpoint.topic)
    fields.setdefault("title", touchpoint.topic)
    fields.setdefault("group", touchpoint.group)
    return open_request(by=by, people=people, touchpoints=[touchpoint], now=now, **fields)
