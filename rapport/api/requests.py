"""/requests: the reference interview to the follow-up, as far as the caller may see them."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from rapport.accounts.models import User
from rapport.api.auth import ApiRequest
from rapport.api.pagination import paginate
from rapport.api.queries import resolve, resolve_many
from rapport.api.schemas import (
    GroupRef,
    Id,
    InputSchema,
    Page,
    Paging,
    PatchSchema,
    PathId,
    PersonRef,
    UserRef,
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
from rapport.errors import Invalid
from rapport.people.queries import access_group, access_person
from rapport.requests.models import Request, Status
from rapport.requests.queries import (
    access_request,
    request_owners,
    requests_for,
    search_requests,
)
from rapport.requests.services import (
    add_deliverable,
    change_status,
    convert_touchpoint,
    deliver_request,
    open_request,
    record_follow_up,
    update_request,
)
from rapport.touchpoints.queries import access_touchpoint, mark_visible_people
from rapport.weblinks import web_address

router = Router(tags=["requests"])

PEOPLE_HELP = "Ids of the people who asked (at least one)."
FOLLOW_UP_HELP = "Days after delivery to check in, 1–365."


class DeliverableOut(Schema):
    id: int
    title: str
    url: str = Field(description="An http(s) address, or empty.")
    file_name: str = Field(description="The attached file's name, or empty.")
    description: str
    delivered_at: dt.datetime

    @staticmethod
    def resolve_url(obj: Any) -> str:
        # A row stored before addresses were checked goes out as none, never as a script.
        return web_address(obj.url)


class StatusChangeOut(Schema):
    from_status: str = Field(description="Empty for the opening.")
    to_status: Status
    at: dt.datetime
    note: str


class RequestOut(Schema):
    id: int
    title: str
    need: str = Field(description="What they need, in their words.")
    purpose: str
    project: str
    grant: str
    course: str
    deadline: dt.date | None = Field(description="Their own deadline.")
    scope: str
    preferred_format: str
    due_on: dt.date | None = Field(description="When we owe it.")
    people: list[PersonRef] = Field(description="The people who asked whom you may see.")
    hidden_people: int = Field(description="How many more asked who are outside your scope.")
    group: GroupRef | None
    owner: UserRef
    status: Status
    status_changed_at: dt.datetime
    follow_up_days: int
    follow_up_on: dt.date | None = Field(description="When the follow-up is due, once delivered.")
    followed_up_at: dt.datetime | None
    outcome: str
    story: str = Field(description="What the work made possible.")
    story_tags: list[str]
    deliverables: list[DeliverableOut]
    history: list[StatusChangeOut] = Field(description="Every status change, oldest first.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_people(obj: Any) -> list[Any]:
        return obj.shown_people

    @staticmethod
    def resolve_hidden_people(obj: Any) -> int:
        return obj.hidden_count

    @staticmethod
    def resolve_deliverables(obj: Any) -> list[Any]:
        return list(obj.deliverables.all())

    @staticmethod
    def resolve_history(obj: Any) -> list[Any]:
        return list(obj.status_changes.all())


class RequestIn(InputSchema):
    people: list[Id] = Field(default_factory=list, max_length=200, description=PEOPLE_HELP)
    need: str
    title: str = Field("", description="From the need if empty.")
    purpose: str = ""
    project: str = ""
    grant: str = ""
    course: str = ""
    deadline: dt.date | None = None
    scope: str = ""
    preferred_format: str = ""
    due_on: dt.date | None = None
    group: Id | None = None
    owner: Id | None = Field(None, description="A librarian's user id; you if left out.")
    follow_up_days: int = Field(14, description=FOLLOW_UP_HELP)
    touchpoint: Id | None = Field(
        None, description="Open it from this touchpoint, which is linked to it."
    )


class RequestPatch(PatchSchema):
    people: list[Id] = patch_field(max_length=200, description=PEOPLE_HELP)
    need: str = patch_field()
    title: str = patch_field()
    purpose: str = patch_field()
    project: str = patch_field()
    grant: str = patch_field()
    course: str = patch_field()
    deadline: dt.date | None = patch_field()
    scope: str = patch_field()
    preferred_format: str = patch_field()
    due_on: dt.date | None = patch_field()
    group: Id | None = patch_field()
    owner: Id = patch_field(description="Reassign to this librarian.")
    follow_up_days: int = patch_field(description=FOLLOW_UP_HELP)


class StatusIn(InputSchema):
    status: Status
    note: str = Field("", max_length=20_000)
    outcome: str = Field("", description="Followed up only: what came of it.")


class DeliverableIn(InputSchema):
    title: str = Field("", description="From the link or description if empty.")
    url: str = Field("", description="https://…")
    description: str = ""


StatusFilter = Literal[
    "open", "new", "in_progress", "delivered", "followed_up", "closed", "declined"
]  # fmt: skip


class RequestFilters(Paging):
    status: StatusFilter | None = Field(
        None, description="One status, or open (neither closed nor declined)."
    )
    owner: Id | None = Field(None, description="Owned by this librarian.")
    person: Id | None = Field(None, description="Asked by this person.")
    group: Id | None = None


class RequestPage(Page):
    items: list[RequestOut]


def _owner(pk: int) -> User:
    found = request_owners().filter(pk=pk).first()
    if found is None:
        message = f"There is no librarian {pk} who can own a request."
        raise Invalid(message, {"owner": [message]})
    return found


def _fields(request: ApiRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Ids in the input become the people, group and owner they name, if the caller may see
    them."""
    user = request.auth
    if data.get("people") is not None:
        data["people"] = resolve_many(access_person, user, data["people"], "people")
    if data.get("group") is not None:
        data["group"] = resolve(access_group, user, data["group"], "group")
    if data.get("owner") is not None:
        data["owner"] = _owner(data["owner"])
    return data


def _for_output(qs: Any) -> Any:
    return qs.prefetch_related("deliverables", "status_changes")


def _reloaded(request: ApiRequest, pk: int) -> Request:
    req = _for_output(requests_for(request.auth)).get(pk=pk)
    mark_visible_people(request.auth, [req])
    return req


@router.get(
    "",
    response={200: RequestPage, **problems(403, 422)},
    operation_id="listRequests",
    summary="List requests",
)
def list_requests(request: ApiRequest, filters: Query[RequestFilters]) -> dict[str, Any]:
    """Due first, then the newest. Yours, those of the groups you serve and those asked by
    people you may see."""
    user = request.auth
    requests_for(user)  # managers: 403
    if filters.person is not None:
        resolve(access_person, user, filters.person, "person")
    if filters.group is not None:
        resolve(access_group, user, filters.group, "group")
    rows = search_requests(
        user,
        status=filters.status or "",
        owner=filters.owner,
        group=filters.group,
        person=filters.person,
    )
    page = paginate(_for_output(rows), filters)
    mark_visible_people(user, page["items"])
    return page


@router.post(
    "",
    response={201: RequestOut, **problems(403, 422)},
    operation_id="createRequest",
    summary="Open a request",
)
def create(request: ApiRequest, payload: RequestIn) -> tuple[int, Any]:
    """With `touchpoint`, the request is opened from it: its question, the people in it you may
    see and its group fill what you leave out."""
    user = request.auth
    requests_for(user)
    fields = _fields(request, payload.model_dump(exclude_unset=True))
    touchpoint = fields.pop("touchpoint", None)
    if touchpoint is not None:
        tp = resolve(access_touchpoint, user, touchpoint, "touchpoint")
        req = convert_touchpoint(by=user, touchpoint=tp, **fields)
    else:
        fields.setdefault("people", [])
        req = open_request(by=user, **fields)
    return 201, _reloaded(request, req.pk)


@router.get(
    "/{request_id}",
    response={200: RequestOut, **problems(403, 404, 422)},
    operation_id="getRequest",
    summary="Read a request",
    openapi_extra=ETAG_HEADER,
)
def read(request: ApiRequest, request_id: PathId, response: HttpResponse) -> Any:
    """The answer's ETag is the request's version: send it as If-Match with a PATCH."""
    access_request(request.auth, request_id)
    return with_etag(response, _reloaded(request, request_id))


@router.patch(
    "/{request_id}",
    response=with_precondition({200: RequestOut, **problems(403, 404, 422)}),
    operation_id="updateRequest",
    summary="Change a request",
    openapi_extra=ETAG_HEADER,
)
def update(
    request: ApiRequest,
    request_id: PathId,
    payload: RequestPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """`people` replaces the list; `owner` reassigns it. The status has its own route. Only
    the fields sent are written, on the request as it is now. With If-Match (the ETag of a
    GET), a request changed since is not changed: 412. The answer has the new ETag."""
    user = request.auth
    req = access_request(user, request_id)
    fields = _fields(request, payload.changes())
    expected = expected_versions(if_match)
    update_request(by=user, request=req, expected_version=expected, **fields)
    return with_etag(response, _reloaded(request, req.pk))


@router.post(
    "/{request_id}/status",
    response={200: RequestOut, **problems(403, 404, 422)},
    operation_id="changeRequestStatus",
    summary="Move a request to another status",
)
def status(request: ApiRequest, request_id: PathId, payload: StatusIn) -> Any:
    """new → in_progress → delivered → followed_up → closed; closed or declined from any open
    status; a closed or declined request reopens to in_progress. Delivering schedules the
    follow-up `follow_up_days` ahead."""
    user = request.auth
    req = access_request(user, request_id)
    if payload.status == Status.DELIVERED:
        deliver_request(by=user, request=req, note=payload.note)
    elif payload.status == Status.FOLLOWED_UP:
        record_follow_up(by=user, request=req, note=payload.note, outcome=payload.outcome)
    else:
        change_status(by=user, request=req, status=payload.status, note=payload.note)
    return _reloaded(request, req.pk)


@router.post(
    "/{request_id}/deliverables",
    response={201: RequestOut, **problems(403, 404, 422)},
    operation_id="addRequestDeliverable",
    summary="Add a deliverable to a request",
)
def deliverables(request: ApiRequest, request_id: PathId, payload: DeliverableIn) -> Any:
    """A link or a description of what was handed over (files are added on the page)."""
    user = request.auth
    req = access_request(user, request_id)
    add_deliverable(by=user, request=req, **payload.model_dump())
    return 201, _reloaded(request, req.pk)
