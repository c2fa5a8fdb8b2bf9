"""/groups: the units librarians are embedded in. Managers get names, kinds and counts only."""

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema

from rapport.accounts.models import User
from rapport.api.auth import ApiRequest
from rapport.api.pagination import paginate
from rapport.api.queries import with_group_counts
from rapport.api.schemas import (
    InputSchema,
    Page,
    Paging,
    PatchSchema,
    PathId,
    UserRef,
    patch_field,
    problems,
)
from rapport.people.models import GroupKind
from rapport.people.queries import access_group, groups_for
from rapport.people.services import create_group, update_group

router = Router(tags=["groups"])


class GroupSummaryOut(Schema):
    """What a manager sees: aggregates, nothing about individual people."""

    id: int
    name: str
    kind: GroupKind
    member_count: int = Field(description="Current members, archived people left out.")
    touchpoint_count: int = Field(
        description="Touchpoints logged against the group that you could read."
    )


class GroupOut(GroupSummaryOut):
    description: str
    librarians: list[UserRef] = Field(description="The librarians who serve the group.")
    created_at: dt.datetime
    archived_at: dt.datetime | None


class GroupIn(InputSchema):
    name: str
    kind: GroupKind
    description: str = ""


class GroupPatch(PatchSchema):
    name: str = patch_field()
    kind: GroupKind = patch_field()
    description: str = patch_field()


class GroupFilters(Paging):
    kind: GroupKind | None = None
    include_archived: bool = False


class GroupPage(Page):
    items: list[GroupOut | GroupSummaryOut]


def _out(user: User, group: Any) -> GroupOut | GroupSummaryOut:
    """Validating into the role's schema here keeps what a manager receives decided in one
    place, whatever the response union would accept."""
    schema = GroupOut if user.sees_detail else GroupSummaryOut
    return schema.model_validate(group)


def _one(user: User, pk: int) -> Any:
    """A group with the counts its JSON shows."""
    access_group(user, pk)
    qs = groups_for(user, include_archived=True).filter(pk=pk).prefetch_related("librarians")
    return with_group_counts(user, qs).get()


@router.get(
    "",
    response={200: GroupPage, **problems(422)},
    operation_id="listGroups",
    summary="List groups",
)
def list_groups(request: ApiRequest, filters: Query[GroupFilters]) -> dict[str, Any]:
    """The groups you serve (every group for administrators and managers)."""
    user = request.auth
    groups = groups_for(user, include_archived=filters.include_archived)
    if filters.kind:
        groups = groups.filter(kind=filters.kind)
    groups = with_group_counts(user, groups.prefetch_related("librarians")).order_by("name", "id")
    return paginate(groups, filters, lambda g: _out(user, g))


@router.post(
    "",
    response={201: GroupOut, **problems(403, 422)},
    operation_id="createGroup",
    summary="Add a group",
)
def create(request: ApiRequest, payload: GroupIn) -> tuple[int, Any]:
    """A librarian who adds a group serves it; an administrator's group has no librarian yet."""
    group = create_group(by=request.auth, **payload.model_dump())
    return 201, _out(request.auth, _one(request.auth, group.pk))


@router.get(
    "/{group_id}",
    response={200: GroupOut | GroupSummaryOut, **problems(404, 422)},
    operation_id="getGroup",
    summary="Read a group",
)
def read(request: ApiRequest, group_id: PathId) -> Any:
    return _out(request.auth, _one(request.auth, group_id))


@router.patch(
    "/{group_id}",
    response={200: GroupOut, **problems(403, 404, 422)},
    operation_id="updateGroup",
    summary="Change a group",
)
def update(request: ApiRequest, group_id: PathId, payload: GroupPatch) -> Any:
    group = access_group(request.auth, group_id)
    update_group(by=request.auth, group=group, **payload.changes())
    return _out(request.auth, _one(request.auth, group.pk))
