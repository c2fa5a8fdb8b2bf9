"""Impact stories over a period: what the library's work made possible, for every role.

A story is the one piece of a request written to be told (docs/access.md): managers read the
stories, with their tags, group, librarian and date, but nothing else of the request (no title,
need, outcome or people), and not the story of a request linked to a confidential touchpoint.
Librarians and administrators read the stories of the requests they may see, with the
request's title and outcome and a link to it. Rows are plain values, so a page cannot reach
more of a request than its reader may see.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce

from rapport.accounts.models import User
from rapport.people.models import Group
from rapport.reports.figures import Period, years_holding
from rapport.requests.models import Request, Status, StatusChange
from rapport.requests.queries import request_scope, with_story_tag


@dataclass(frozen=True)
class Story:
    told_at: dt.datetime
    story: str
    tags: list[str]
    group: str
    librarian: str
    # Shown to those who may see the request only (None for managers).
    request_pk: int | None = None
    title: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class Tally:
    """The period in figures: the requests delivered in it (moved to delivered within it) and
    the stories told in it."""

    delivered: int
    stories: int


def _scope(user: User) -> QuerySet[Request]:
    if user.is_manager:
        # Every story, but none whose request is linked to a confidential touchpoint.
        return Request.objects.exclude(touchpoints__confidential=True)
    return Request.objects.filter(request_scope(user))


def years_with_stories(user: User) -> list[int]:
    """The academic years in which stories the user may read were told, newest first: three
    queries (the first and the last story, then an EXISTS per year)."""
    told = (
        _scope(user)
        .exclude(story="")
        .annotate(told=Coalesce("story_at", "status_changed_at"))
        .values_list("told", flat=True)
    )
    first, last = told.order_by("told").first(), told.order_by("-told").first()
    return years_holding(user, first, last, lambda year: [_told(user, year, None, "")])


def _told(user: User, period: Period, group: Group | None, tag: str) -> QuerySet[Request]:
    """The requests whose story was last told in the period (when it last changed, else when
    the request last changed status, for a story stored before that was kept), newest first.
    `group` came from access_group."""
    qs = (
        _scope(user)
        .exclude(story="")
        .alias(told=Coalesce("story_at", "status_changed_at"))
        .filter(told__gte=period.start_at, told__lt=period.end_at)
    )
    if group is not None:
        qs = qs.filter(group=group)
    return with_story_tag(qs, tag).order_by("-told", "-id")


#: What a story row reads: everyone's fields, then those of a reader who may see the request.
TOLD = ("told_at", "story", "story_tags", "group__name", "owner__username")
OWNER = ("owner__first_name", "owner__last_name")
REQUEST = ("pk", "title", "outcome")


def stories(
    user: User, period: Period, *, group: Group | None = None, tag: str = ""
) -> QuerySet[Any]:
    """The period's stories as rows of values for `to_story` (the pager slices the query).
    A manager's rows never read the request's title or outcome."""
    fields = TOLD + OWNER + (() if user.is_manager else REQUEST)
    return (
        _told(user, period, group, tag)
        .annotate(told_at=Coalesce("story_at", "status_changed_at"))
        .values_list(*fields)
    )


def to_story(row: tuple) -> Story:
    """A row of `stories` as a `Story`."""
    told_at, story, tags, group, username, first, last, *request = row
    librarian = f"{first} {last}".strip() or username
    return Story(told_at, story, list(tags or []), group or "", librarian, *request)


def tally(user: User, period: Period, *, group: Group | None = None, tag: str = "") -> Tally:
    """Requests delivered in the period (one query) and stories told in it (one query)."""
    # A count reveals nothing of what was said: a manager's covers every request.
    scope = Request.objects.all() if user.is_manager else _scope(user)
    delivered = StatusChange.objects.filter(
        request__in=scope.values("pk"),
        to_status=Status.DELIVERED,
        at__gte=period.start_at,
        at__lt=period.end_at,
    )
    if group is not None:
        delivered = delivered.filter(request__group=group)
    counted = delivered.aggregate(n=Count("request_id", distinct=True))["n"]
    return Tally(delivered=counted, stories=_told(user, period, group, tag).count())
