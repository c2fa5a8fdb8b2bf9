"""/people: the people the library serves, as far as the caller may see them."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from rapport.accounts.roles import require_detail
from rapport.api.auth import ApiRequest
from rapport.api.pagination import paginate
from rapport.api.queries import resolve
from rapport.api.schemas import (
    Id,
    InputSchema,
    Page,
    Paging,
    PatchSchema,
    PathId,
    patch_field,
    problems,
)
from rapport.api.versions import (
    ETAG_HEADER,
    IfMatch,
    expected_versions,
    with_etag,
    with_precondition,
)
from rapport.audit.services import record_view
from rapport.people.models import Status
from rapport.people.queries import access_group, access_person, search_people
from rapport.people.services import archive_person, create_person, restore_person, update_person

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    full_name: str
    email: str
    other_emails: list[str]
    orcid: str = Field(description="0000-0000-0000-000X, or empty.")
    job_title: str
    status: Status
    department: str
    building: str
    room: str
    desk: str
    notes: str
    referred_by: int | None = Field(
        validation_alias="referred_by_id", description="The id of the person who referred them."
    )
    first_contact_at: dt.datetime | None
    last_contact_at: dt.datetime | None
    touchpoint_count: int
    created_at: dt.datetime
    updated_at: dt.datetime
    archived_at: dt.datetime | None


class PersonIn(InputSchema):
    full_name: str
    email: str = ""
    other_emails: list[str] = Field(default_factory=list, max_length=20)
    orcid: str = Field("", description="An ORCID iD, with or without https://orcid.org/.")
    job_title: str = ""
    status: Status = Status.OTHER
    department: str = ""
    building: str = ""
    room: str = ""
    desk: str = ""
    notes: str = ""
    referred_by: Id | None = None


class PersonPatch(PatchSchema):
    full_name: str = patch_field()
    email: str = patch_field()
    other_emails: list[str] = patch_field(max_length=20)
    orcid: str = patch_field()
    job_title: str = patch_field()
    status: Status = patch_field()
    department: str = patch_field()
    building: str = patch_field()
    room: str = patch_field()
    desk: str = patch_field()
    notes: str = patch_field()
    referred_by: Id | None = patch_field(description="null: nobody referred them.")


class PeopleFilters(Paging):
    q: str = Field("", max_length=200, description="Words found in the name or e-mail.")
    group: Id | None = Field(None, description="Members (past or present) of this group.")
    status: Status | None = None
    sort: Literal["name", "-last_contact", "last_contact", "-touchpoints"] = "name"
    include_archived: bool = False


class PersonPage(Page):
    items: list[PersonOut]


def _fields(request: ApiRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Input fields as the services take them: a referrer id becomes the person, if visible."""
    if data.get("referred_by") is not None:
        data["referred_by"] = resolve(
            access_person, request.auth, data["referred_by"], "referred_by"
        )
    return data


@router.get(
    "",
    response={200: PersonPage, **problems(403, 422)},
    operation_id="listPeople",
    summary="List people",
)
def list_people(request: ApiRequest, filters: Query[PeopleFilters]) -> dict[str, Any]:
    """People you may see: members of the groups you serve and people you have worked with."""
    user = request.auth
    require_detail(user, what="people")
    if filters.group is not None:
        resolve(access_group, user, filters.group, "group")
    people = search_people(
        user,
        q=filters.q,
        group=filters.group,
        status=filters.status or "",
        sort=filters.sort,
        include_archived=filters.include_archived,
    )
    return paginate(people, filters)


@router.post(
    "",
    response={201: PersonOut, **problems(403, 422)},
    operation_id="createPerson",
    summary="Add a person",
)
def create(request: ApiRequest, payload: PersonIn) -> tuple[int, Any]:
    """You become one of their contacts, so you see them even outside your groups."""
    person = create_person(by=request.auth, **_fields(request, payload.model_dump()))
    return 201, person


@router.get(
    "/{person_id}",
    response={200: PersonOut, **problems(403, 404, 422)},
    operation_id="getPerson",
    summary="Read a person",
    openapi_extra=ETAG_HEADER,
)
def read(request: ApiRequest, person_id: PathId, response: HttpResponse) -> Any:
    """The answer's ETag is the person's version: send it as If-Match with a PATCH."""
    person = access_person(request.auth, person_id)
    record_view(actor=request.auth, obj=person, where="API")
    return with_etag(response, person)


@router.patch(
    "/{person_id}",
    response=with_precondition({200: PersonOut, **problems(403, 404, 422)}),
    operation_id="updatePerson",
    summary="Change a person",
    openapi_extra=ETAG_HEADER,
)
def update(
    request: ApiRequest,
    person_id: PathId,
    payload: PersonPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Only the fields sent are written, on the person as they are now. With If-Match (the
    ETag of a GET), a person changed since is not changed: 412. The answer has the new ETag."""
    person = access_person(request.auth, person_id)
    fields = _fields(request, payload.changes())
    expected = expected_versions(if_match)
    person = update_person(by=request.auth, person=person, expected_version=expected, **fields)
    return with_etag(response, person)


@router.post(
    "/{person_id}/archive",
    response={200: PersonOut, **problems(403, 404, 422)},
    operation_id="archivePerson",
    summary="Archive a person",
)
def archive(request: ApiRequest, person_id: PathId) -> Any:
    """Hide them from lists; their history stays. Archiving twice changes nothing."""
    person = access_person(request.auth, person_id)
    return archive_person(by=request.auth, person=person)


@router.post(
    "/{person_id}/restore",
    response={200: PersonOut, **problems(403, 404, 422)},
    operation_id="restorePerson",
    summary="Restore an archived person",
)
def restore(request: ApiRequest, person_id: PathId) -> Any:
    person = access_person(request.auth, person_id)
    return restore_person(by=request.auth, person=person)
