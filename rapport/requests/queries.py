"""Access-scoped reads of requests. Every page, route, brief and the Today page read here.

A librarian sees the requests they own or opened, those of the groups they serve, and those
asked by people in their scope; an administrator (or library-wide sharing) sees all. Managers
see requests only as counts, elsewhere: asking here for rows is Forbidden.
"""

import datetime as dt
import json

from django.db import connection
from django.db.models import F, Q, QuerySet, TextField
from django.db.models.functions import Cast

from rapport.access import scoped_row
from rapport.accounts.models import Role, User
from rapport.accounts.roles import require_detail, require_librarian
from rapport.people.models import Group, Person
from rapport.people.queries import library_wide, scope_person_ids, served_group_ids
from rapport.requests.models import OPEN_STATUSES, Request, Status, StatusChange
from rapport.touchpoints.models import Touchpoint
from rapport.touchpoints.queries import touchpoints_for


def request_owners() -> QuerySet[User]:
    """Who may own a request: active librarians and administrators."""
    return User.objects.filter(
        Q(role__in=[Role.LIBRARIAN, Role.ADMIN]) | Q(is_superuser=True), is_active=True
    ).order_by("username")


def _prefetched(qs: QuerySet[Request]) -> QuerySet[Request]:
    """What a list row shows (owner, group, people) in a fixed number of queries."""
    return qs.select_related("owner", "group").prefetch_related("people")


def request_scope(user: User) -> Q:
    """The requests a librarian may see; callers have refused managers already."""
    if user.is_admin or library_wide():
        return Q()
    asked = Request.people.through.objects.filter(person_id__in=scope_person_ids(user)).values(
        "request_id"
    )
    return (
        Q(owner=user)
        | Q(created_by=user)
        | Q(group_id__in=served_group_ids(user))
        | Q(pk__in=asked)
    )


def request_reach(user: User, groups: list[int], people: QuerySet) -> list[QuerySet]:
    """`request_scope` for a librarian as lists of ids, one per way in, each read off an index:
    for search, where PostgreSQL would read every request to test the OR of `request_scope`.
    `groups` and `people` are `served_group_ids(user)` and `scope_person_ids(user)`, read once
    by the caller."""
    ids = Request.objects.order_by().values("pk")
    asked = Request.people.through.objects.filter(person_id__in=people)
    return [
        ids.filter(owner=user),
        ids.filter(created_by=user),
        ids.filter(group_id__in=groups),
        asked.order_by().values("request_id"),
    ]


def requests_for(user: User) -> QuerySet[Request]:
    """Every request the user may see, with owner, group and people ready to show."""
    require_detail(user, what="requests")
    return _prefetched(Request.objects.filter(request_scope(user)))


def access_request(user: User, pk: int | str, *, for_write: bool = False) -> Request:
    """A request the user may see; for a write, one a librarian may change (any they see)."""
    require_detail(user, what="requests")
    if for_write:
        require_librarian(user, to="change requests")
    return scoped_row(
        Request.objects.filter(request_scope(user)),
        pk,
        for_write=for_write,
        missing=f"There is no request {pk} that you can see.",
        shown=_prefetched,
    )


def search_requests(
    user: User,
    *,
    status: str = "open",
    owner: int | None = None,
    group: int | None = None,
    person: int | None = None,
) -> QuerySet[Request]:
    """The requests list: `status` is one status, "open" (not closed or declined) or "" (all).
    Open requests come due first, then the newest; any other choice lists the newest first
    (a list of closed work is read from the latest back)."""
    qs = requests_for(user)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if owner:
        qs = qs.filter(owner_id=owner)
    if group:
        qs = qs.filter(group_id=group)
    if person:
        ids = Request.people.through.objects.filter(person_id=person).values("request_id")
        qs = qs.filter(pk__in=ids)
    if status == "open":
        return qs.order_by(F("due_on").asc(nulls_last=True), "-created_at", "-id")
    return qs.order_by("-created_at", "-id")


def follow_ups_due(user: User, today: dt.date) -> QuerySet[Request]:
    """The user's delivered requests whose follow-up check-in is due today or overdue."""
    return _prefetched(
        Request.objects.filter(owner=user, status=Status.DELIVERED, follow_up_on__lte=today)
    ).order_by("follow_up_on", "id")


def requests_due(user: User, today: dt.date, within_days: int = 7) -> QuerySet[Request]:
    """The user's new and in-progress requests due within `within_days` (or overdue)."""
    return _prefetched(
        Request.objects.filter(
            owner=user,
            status__in=[Status.NEW, Status.IN_PROGRESS],
            due_on__isnull=False,
            due_on__lte=today + dt.timedelta(days=within_days),
        )
    ).order_by("due_on", "id")


def _open_first_due(qs: QuerySet[Request]) -> QuerySet[Request]:
    return qs.filter(status__in=OPEN_STATUSES).order_by(
        F("due_on").asc(nulls_last=True), "-created_at", "-id"
    )


def open_requests_for_person(user: User, person: Person) -> QuerySet[Request]:
    """A person's open requests (for their page and brief); `person` came from access_person.

    Every request a visible person asked is visible (request_scope includes the requests of
    people in scope), so this needs no scope subquery: one simple query on the person page."""
    require_detail(user, what="requests")
    ids = Request.people.through.objects.filter(person=person).values("request_id")
    return _open_first_due(_prefetched(Request.objects.filter(pk__in=ids)))


def open_requests_for_group(user: User, group: Group) -> QuerySet[Request]:
    """A group's open requests (for its brief); `group` came from access_group."""
    return _open_first_due(requests_for(user).filter(group=group))


def with_story_tag(qs: QuerySet[Request], tag: str) -> QuerySet[Request]:
    """Requests whose story carries this tag. PostgreSQL has JSON containment; SQLite stores
    the list as JSON text, where a quoted, escaped element can only match a whole tag."""
    tag = tag.strip().lstrip("#").lower()
    if not tag:
        return qs
    if connection.features.supports_json_field_contains:
        return qs.filter(story_tags__contains=[tag])
    return qs.alias(tags_text=Cast("story_tags", TextField())).filter(
        tags_text__contains=json.dumps(tag)
    )


def stories_for(user: User, *, tag: str = "") -> QuerySet[Request]:
    """Requests with an impact story, newest story first (for reports)."""
    qs = requests_for(user).exclude(story="")
    return with_story_tag(qs, tag).order_by(F("story_at").desc(nulls_last=True), "-id")


def status_changes_for(request: Request) -> QuerySet[StatusChange]:
    """A request's status timeline, oldest first; `request` came from access_request."""
    return request.status_changes.select_related("by").order_by("at", "id")


def linked_touchpoints(user: User, request: Request) -> QuerySet[Touchpoint]:
    """The touchpoints linked to a request that this user may read, newest first."""
    return (
        touchpoints_for(user)
        .filter(requests=request)
        .select_related("author", "group")
        .prefetch_related("people")
        .order_by("-occurred_at", "-id")
    )
