"""/items, /matches, /match-runs and a person's interests: current awareness as JSON."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Query, Router, Schema

from rapport.api.auth import ApiRequest
from rapport.api.pagination import paginate
from rapport.api.queries import resolve
from rapport.api.schemas import InputSchema, Page, Paging, PathId, PersonRef, problems
from rapport.awareness import services
from rapport.awareness.models import InterestState, ItemKind, MatchStatus
from rapport.awareness.profiles import profile_for
from rapport.awareness.queries import (
    access_match,
    access_run,
    items_for,
    matches_for,
)
from rapport.people.queries import access_person
from rapport.weblinks import web_address

router = Router(tags=["awareness"])


class ItemOut(Schema):
    id: int
    kind: ItemKind
    title: str
    abstract: str
    authors: list[str]
    venue: str
    published_on: dt.date | None
    link: str = Field(description="An http(s) address, or empty.")
    doi: str
    arxiv_id: str
    source_kind: str
    source: str
    added_at: dt.datetime

    @staticmethod
    def resolve_link(obj: Any) -> str:
        # A row stored before links were checked goes out as no link, never as a script.
        return web_address(obj.link)


class ItemIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=500)
    kind: ItemKind = ItemKind.ARTICLE
    abstract: str = ""
    authors: list[str] = Field(default_factory=list, max_length=100)
    venue: str = Field("", max_length=300)
    published_on: dt.date | None = None
    link: str = Field("", max_length=1000)
    doi: str = Field("", max_length=200)
    arxiv_id: str = Field("", max_length=50)


class ItemFilters(Paging):
    q: str = Field("", description="Words in the title.")


class ItemPage(Page):
    items: list[ItemOut]


class EvidenceOut(Schema):
    source: str = Field(description="touchpoint, publication, stated or feedback")
    ref: str
    label: str
    when: dt.date | None
    weight: float


class TermOut(Schema):
    term: str
    weight: float
    pinned: bool
    because: str = Field(description='In words: "from 3 questions, 2 papers".')
    evidence: list[EvidenceOut]


class ProfileOut(Schema):
    person: int
    terms: list[TermOut]
    removed: list[str] = Field(description="Topics removed by hand: never matched.")


class InterestIn(InputSchema):
    term: str = Field(..., min_length=1, max_length=100)
    state: InterestState


class MatchOut(Schema):
    id: int
    person: PersonRef
    item: ItemOut
    score: float
    explanation: dict[str, Any] = Field(description="terms, evidence and mode")
    status: MatchStatus
    note: str
    feedback: str
    created_at: dt.datetime


class MatchFilters(Paging):
    status: MatchStatus | None = MatchStatus.SUGGESTED
    person: int | None = None


class MatchPage(Page):
    items: list[MatchOut]


class DecisionIn(InputSchema):
    decision: Literal["approve", "reject"]
    note: str = Field("", max_length=2000)


class RunOut(Schema):
    id: int
    scope: str
    status: str
    mode: str
    total: int
    done: int
    matches_kept: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _profile(person: Any) -> dict[str, Any]:
    profile = profile_for(person)
    return {
        "person": person.pk,
        "terms": [
            {
                "term": t.term,
                "weight": t.weight,
                "pinned": t.pinned,
                "because": t.because(),
                "evidence": t.evidence,
            }
            for t in profile.terms
        ],
        "removed": list(profile.removed),
    }


@router.get(
    "/items",
    response={200: ItemPage, **problems(422)},
    operation_id="listItems",
    summary="List items",
)
def list_items(request: ApiRequest, filters: Query[ItemFilters]) -> dict[str, Any]:
    """Newest first."""
    return paginate(items_for(request.auth, filters.q), filters)


@router.post(
    "/items",
    response={201: ItemOut, **problems(403, 422)},
    operation_id="createItem",
    summary="Add an item by hand",
)
def create_item(request: ApiRequest, payload: ItemIn) -> tuple[int, Any]:
    """Matched against every profile in the background; 422 if the DOI, arXiv id or title is
    already known."""
    return 201, services.add_item(by=request.auth, **payload.model_dump())


@router.get(
    "/people/{person_id}/interests",
    response={200: ProfileOut, **problems(403, 404, 422)},
    operation_id="getInterests",
    summary="A person's interest profile",
)
def interests(request: ApiRequest, person_id: PathId) -> dict[str, Any]:
    """The terms, each with the evidence behind it, and the topics removed by hand."""
    return _profile(access_person(request.auth, person_id))


@router.post(
    "/people/{person_id}/interests",
    response={200: ProfileOut, **problems(403, 404, 422)},
    operation_id="setInterest",
    summary="State, pin or remove a topic",
)
def set_interest(request: ApiRequest, person_id: PathId, payload: InterestIn) -> dict[str, Any]:
    person = access_person(request.auth, person_id)
    services.set_interest(by=request.auth, person=person, term=payload.term, state=payload.state)
    return _profile(person)


@router.delete(
    "/people/{person_id}/interests/{term}",
    response={200: ProfileOut, **problems(403, 404, 422)},
    operation_id="clearInterest",
    summary="Forget a correction",
)
def clear_interest(request: ApiRequest, person_id: PathId, term: str) -> dict[str, Any]:
    person = access_person(request.auth, person_id)
    services.clear_interest(by=request.auth, person=person, term=term)
    return _profile(person)


@router.get(
    "/matches",
    response={200: MatchPage, **problems(403, 404, 422)},
    operation_id="listMatches",
    summary="List matches",
)
def list_matches(request: ApiRequest, filters: Query[MatchFilters]) -> dict[str, Any]:
    """Best first; suggestions waiting for review unless `status` says otherwise."""
    user = request.auth
    rows = matches_for(user).select_related("person", "item").order_by("-score", "id")
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    if filters.person is not None:
        rows = rows.filter(person=resolve(access_person, user, filters.person, "person"))
    return paginate(rows, filters)


@router.post(
    "/matches/{match_id}/decision",
    response={200: MatchOut, **problems(403, 404, 422)},
    operation_id="decideMatch",
    summary="Approve or reject a suggestion",
)
def decide(request: ApiRequest, match_id: PathId, payload: DecisionIn) -> Any:
    match = access_match(request.auth, match_id)
    return services.decide_match(
        by=request.auth, match=match, approve=payload.decision == "approve", note=payload.note
    )


@router.get(
    "/match-runs/{run_id}",
    response={200: RunOut, **problems(403, 404, 422)},
    operation_id="getMatchRun",
    summary="A matching run's progress",
)
def run(request: ApiRequest, run_id: PathId) -> Any:
    return access_run(request.auth, run_id)
