"""/memberships: who belongs to which group, with a role and dates."""

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema

from rapport.accounts.roles import require_detail
from rapport.api.auth import ApiRequest
from rapport.api.pagination import paginate
from rapport.api.queries import resolve
from rapport.api.schemas import (
    GroupRef,
    Id,
    InputSchema,
    Page,
    Paging,
    PatchSchema,
    PathId,
    PersonRef,
    patch_field,
    problems,
)
from rapport.people.queries import (
    access_group,
    access_membership,
    access_person,
    memberships_for,
)
from rapport.people.services import add_membership, update_membership

router = Router(tags=["memberships"])


class MembershipOut(Schema):
    id: int
    person: PersonRef
    group: GroupRef
    role: str
    started_on: dt.date | None
    ended_on: dt.date | None
    is_current: bool = Field(description="Not ended, or ends today or later.")


class MembershipIn(InputSchema):
    person: Id
    group: Id
    role: str = Field("", description="e.g. PI, member, student")
    started_on: dt.date | None = None
    ended_on: dt.date | None = None


class MembershipPatch(PatchSchema):
    role: str = patch_field()
    started_on: dt.date | None = patch_field()
    ended_on: dt.date | None = patch_field(description="null: still a member.")


class MembershipFilters(Paging):
    person: Id | None = None
    group: Id | None = None


class MembershipPage(Page):
    items: list[MembershipOut]


@router.get(
    "",
    response={200: MembershipPage, **problems(403, 422)},
    operation_id="listMemberships",
    summary="List memberships",
)
def list_memberships(request: ApiRequest, filters: Query[MembershipFilters]) -> dict[str, Any]:
    """Memberships of the people you may see, optionally of one person or one group."""
    user = request.auth
    require_detail(user, what="memberships")
    memberships = memberships_for(user)
    if filters.person is not None:
        person = resolve(access_person, user, filters.person, "person")
        memberships = memberships.filter(person=person)
    if filters.group is not None:
        group = resolve(access_group, user, filters.group, "group")
        memberships = memberships.filter(group=group)
    return paginate(memberships.order_by("group__name", "person__full_name", "id"), filters)


@router.post(
    "",
    response={201: MembershipOut, **problems(403, 422)},
    operation_id="createMembership",
    summary="Add a person to a group",
)
def create(request: ApiRequest, payload: MembershipIn) -> tuple[int, Any]:
    user = request.auth
    require_detail(user, what="memberships")
    fields = payload.model_dump()
    fields["person"] = resolve(access_person, user, fields["person"], "person")
    fields["group"] = resolve(access_group, user, fields["group"], "group")
    return 201, add_membership(by=user, **fields)


@router.get(
    "/{membership_id}",
    response={200: MembershipOut, **problems(403, 404, 422)},
    operation_id="getMembership",
    summary="Read a membership",
)
def read(request: ApiRequest, membership_id: PathId) -> Any:
    require_detail(request.auth, what="memberships")
    return access_membership(request.auth, membership_id)


@router.patch(
    "/{membership_id}",
    response={200: MembershipOut, **problems(403, 404, 422)},
    operation_id="updateMembership",
    summary="Change a membership",
)
def update(request: ApiRequest, membership_id: PathId, payload: MembershipPatch) -> Any:
    """The person and the group stay; to move someone, end this membership and add another."""
    require_detail(request.auth, what="memberships")
    membership = access_membership(request.auth, membership_id)
    return update_membership(by=request.auth, membership=membership, **payload.changes())
