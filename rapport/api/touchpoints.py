"""/touchpoints: interactions, logged as a full object or from one capture line."""

import datetime as dt
from typing import Any

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from rapport.accounts.roles import require_detail
from rapport.api.auth import ApiRequest
from rapport.api.pagination import paginate
from rapport.api.queries import (
    filter_touchpoints,
    for_output,
    resolve,
    resolve_many,
)
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
    When,
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
from rapport.people.queries import access_group, access_person
from rapport.touchpoints.models import Channel, Initiator, Kind, Origin
from rapport.touchpoints.queries import access_touchpoint, mark_visible_people, touchpoints_for
from rapport.touchpoints.services import (
    capture,
    create_touchpoint,
    delete_touchpoint,
    update_touchpoint,
)

router = Router(tags=["touchpoints"])

READ_HELP = "Effort on the READ scale, 1–6."
MINUTES_HELP = "Time spent, at most a day (1440)."
TAGS_HELP = "Words, without the #."
PEOPLE_HELP = "Ids of the people who took part (none for an anonymous contact)."


class TouchpointOut(Schema):
    id: int
    occurred_at: dt.datetime = Field(description="When it happened, not when it was logged.")
    logged_at: dt.datetime
    updated_at: dt.datetime
    author: UserRef
    people: list[PersonRef] = Field(description="The people who took part whom you may see.")
    hidden_people: int = Field(
        description="How many more took part who are outside what you may see; never named."
    )
    group: GroupRef | None
    kind: Kind
    channel: Channel
    origin: Origin
    initiated_by: Initiator
    read_level: int | None
    minutes: int | None
    topic: str
    question: str
    answer: str
    outcome: str
    confidential: bool = Field(description="Only its author ever sees it.")
    tags: list[str]
    capture_line: str = Field(description="The capture line as typed, if it came from one.")
    source_system: str

    @staticmethod
    def resolve_people(obj: Any) -> list[Any]:
        return obj.shown_people

    @staticmethod
    def resolve_hidden_people(obj: Any) -> int:
        return obj.hidden_count

    external_id: str


class TouchpointIn(InputSchema):
    occurred_at: When = Field(description="With an offset; a time without one is local time.")
    people: list[Id] = Field(default_factory=list, max_length=200, description=PEOPLE_HELP)
    group: Id | None = None
    kind: Kind = Kind.QUESTION
    channel: Channel = Channel.IN_PERSON
    origin: Origin = Origin.DIRECT
    initiated_by: Initiator = Initiator.THEM
    read_level: int | None = Field(None, ge=1, le=6, description=READ_HELP)
    minutes: int | None = Field(None, ge=0, description=MINUTES_HELP)
    topic: str = Field("", description="A headline; the question's first line if left empty.")
    question: str = ""
    answer: str = ""
    outcome: str = ""
    confidential: bool = False
    tags: list[str] = Field(default_factory=list, max_length=50, description=TAGS_HELP)


class TouchpointPatch(PatchSchema):
    occurred_at: When = patch_field()
    people: list[Id] = patch_field(max_length=200, description=PEOPLE_HELP)
    group: Id | None = patch_field()
    kind: Kind = patch_field()
    channel: Channel = patch_field()
    origin: Origin = patch_field()
    initiated_by: Initiator = patch_field()
    read_level: int | None = patch_field(ge=1, le=6, description=READ_HELP)
    minutes: int | None = patch_field(ge=0, description=MINUTES_HELP)
    topic: str = patch_field()
    question: str = patch_field()
    answer: str = patch_field()
    outcome: str = patch_field()
    confidential: bool = patch_field()
    tags: list[str] = patch_field(max_length=50, description=TAGS_HELP)


class CaptureIn(InputSchema):
    line: str = Field(
        description="e.g. “@Ana Ruiz asked for PRISMA search strings #sr ~20m read:4 via:walkby”"
    )
    create_missing: bool = Field(
        False,
        description="Add the people mentioned who match nobody, instead of refusing; they join "
        "your usual group (the one you log most touchpoints in), so its cadence rules apply.",
    )
    confidential: bool = False
    answer: str = Field("", description="The answer or notes, which the line cannot hold.")
    group: Id | None = Field(None, description="Otherwise the one group all people share.")


class TouchpointFilters(Paging):
    person: Id | None = Field(None, description="Touchpoints this person took part in.")
    group: Id | None = Field(None, description="Touchpoints logged against this group.")
    kind: Kind | None = None
    channel: Channel | None = None
    origin: Origin | None = None
    since: When | None = Field(None, description="From this time on (inclusive).")
    until: When | None = Field(None, description="Before this time (exclusive).")
    tag: str = Field("", max_length=100)


class TouchpointPage(Page):
    items: list[TouchpointOut]


def _fields(request: ApiRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Ids in the input become the people and group they name, if the caller may see them."""
    user = request.auth
    if data.get("people") is not None:
        data["people"] = resolve_many(access_person, user, data["people"], "people")
    if data.get("group") is not None:
        data["group"] = resolve(access_group, user, data["group"], "group")
    return data


def _reloaded(request: ApiRequest, pk: int) -> Any:
    """The saved touchpoint with its people, author and group, as the JSON shows them."""
    touchpoint = access_touchpoint(request.auth, pk)
    mark_visible_people(request.auth, [touchpoint])
    return touchpoint


@router.get(
    "",
    response={200: TouchpointPage, **problems(403, 422)},
    operation_id="listTouchpoints",
    summary="List touchpoints",
)
def list_touchpoints(request: ApiRequest, filters: Query[TouchpointFilters]) -> dict[str, Any]:
    """Newest first. Yours, and others' that are not confidential and about people or groups
    you may see."""
    user = request.auth
    require_detail(user, what="touchpoints")
    if filters.person is not None:
        resolve(access_person, user, filters.person, "person")
    if filters.group is not None:
        resolve(access_group, user, filters.group, "group")
    touchpoints = filter_touchpoints(
        touchpoints_for(user),
        person_id=filters.person,
        group_id=filters.group,
        kind=filters.kind,
        channel=filters.channel,
        origin=filters.origin,
        since=filters.since,
        until=filters.until,
        tag=filters.tag,
    )
    page = paginate(for_output(touchpoints).order_by("-occurred_at", "-id"), filters)
    mark_visible_people(user, page["items"])
    return page


@router.post(
    "",
    response={201: TouchpointOut, **problems(403, 422)},
    operation_id="createTouchpoint",
    summary="Log a touchpoint",
)
def create(request: ApiRequest, payload: TouchpointIn) -> tuple[int, Any]:
    require_detail(request.auth, what="touchpoints")
    fields = _fields(request, payload.model_dump())
    touchpoint = create_touchpoint(by=request.auth, **fields)
    return 201, _reloaded(request, touchpoint.pk)


@router.post(
    "/capture",
    response={201: TouchpointOut, **problems(403, 422)},
    operation_id="captureTouchpoint",
    summary="Log a touchpoint from one capture line",
)
def capture_line(request: ApiRequest, payload: CaptureIn) -> tuple[int, Any]:
    """The same syntax as the capture box. People are matched by @mention; a mention that
    matches nobody is refused (422, listed in `unknown`) unless `create_missing` is true."""
    require_detail(request.auth, what="touchpoints")
    fields = _fields(request, payload.model_dump())
    touchpoint = capture(by=request.auth, **fields)
    return 201, _reloaded(request, touchpoint.pk)


@router.get(
    "/{touchpoint_id}",
    response={200: TouchpointOut, **problems(403, 404, 422)},
    operation_id="getTouchpoint",
    summary="Read a touchpoint",
    openapi_extra=ETAG_HEADER,
)
def read(request: ApiRequest, touchpoint_id: PathId, response: HttpResponse) -> Any:
    """The answer's ETag is the touchpoint's version: send it as If-Match with a PATCH."""
    touchpoint = _reloaded(request, touchpoint_id)
    if touchpoint.confidential:
        record_view(actor=request.auth, obj=touchpoint, where="API")
    return with_etag(response, touchpoint)


@router.patch(
    "/{touchpoint_id}",
    response=with_precondition({200: TouchpointOut, **problems(403, 404, 422)}),
    operation_id="updateTouchpoint",
    summary="Change a touchpoint",
    openapi_extra=ETAG_HEADER,
)
def update(
    request: ApiRequest,
    touchpoint_id: PathId,
    payload: TouchpointPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Only its author (or an administrator) may change it; `people` replaces the list. Only
    the fields sent are written, on the touchpoint as it is now. With If-Match (the ETag of a
    GET), a touchpoint changed since is not changed: 412. The answer has the new ETag."""
    touchpoint = access_touchpoint(request.auth, touchpoint_id)
    update_touchpoint(
        by=request.auth,
        touchpoint=touchpoint,
        expected_version=expected_versions(if_match),
        **_fields(request, payload.changes()),
    )
    return with_etag(response, _reloaded(request, touchpoint.pk))


@router.delete(
    "/{touchpoint_id}",
    response={204: None, **problems(403, 404, 422)},
    operation_id="deleteTouchpoint",
    summary="Delete a touchpoint",
)
def delete(request: ApiRequest, touchpoint_id: PathId) -> tuple[int, None]:
    """Only its author (or an administrator) may delete it; the contact counts follow."""
    touchpoint = access_touchpoint(request.auth, touchpoint_id)
    delete_touchpoint(by=request.auth, touchpoint=touchpoint)
    return 204, None
