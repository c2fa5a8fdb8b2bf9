"""/search: full-text search over the people, touchpoints, requests and items you may see."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Query, Router, Schema

from rapport.api.auth import ApiRequest
from rapport.api.schemas import Id, problems
from rapport.search.queries import MAX_LIMIT, search
from rapport.search.text import terms
from rapport.touchpoints.models import Kind

router = Router(tags=["search"])

SearchKind = Literal["person", "touchpoint", "request", "item"]


class SearchFilters(Schema):
    q: str = Field(
        ...,
        max_length=200,
        description="Words to find, all of them (stemmed: “citing” finds “cite”). Quotes, "
        "operators and other punctuation are ignored.",
    )
    kind: list[SearchKind] = Field(
        default_factory=list,
        description="Only these kinds (repeat the parameter); managers get people and items only.",
    )
    group: Id | None = Field(None, description="People, touchpoints and requests of this group.")
    touchpoint_kind: Kind | None = Field(None, description="Touchpoints of this kind only.")
    date_from: dt.date | None = Field(None, description="On or after this day.")
    date_to: dt.date | None = Field(None, description="On or before this day.")
    tag: str = Field("", max_length=100, description="Touchpoints or request stories so tagged.")
    limit: int = Field(
        20, ge=1, le=MAX_LIMIT, description=f"At most this many hits (1–{MAX_LIMIT})."
    )


class HitOut(Schema):
    kind: SearchKind
    id: int
    title: str
    url: str = Field(description="The object's page, or an item's source.")
    score: float = Field(description="Higher is better; comparable within one response only.")
    snippet: str = Field(description="HTML: the text escaped, each hit in <mark>.")


class SearchOut(Schema):
    q: str
    terms: list[str] = Field(description="The words searched for; empty: nothing to search.")
    items: list[HitOut]


@router.get(
    "",
    response={200: SearchOut, **problems(422)},
    operation_id="search",
    summary="Search everything you may see",
)
def search_route(request: ApiRequest, filters: Query[SearchFilters]) -> Any:
    """Ranked best first. Confidential touchpoints are found by their author only."""
    hits = search(
        request.auth,
        filters.q,
        kinds=filters.kind or None,
        group=filters.group,
        touchpoint_kind=filters.touchpoint_kind or "",
        date_from=filters.date_from,
        date_to=filters.date_to,
        tag=filters.tag,
        limit=filters.limit,
    )
    return {
        "q": filters.q,
        "terms": terms(filters.q),
        "items": [
            {
                "kind": h.kind,
                "id": h.object.pk,
                "title": h.title,
                "url": h.url,
                "score": h.score,
                "snippet": str(h.snippet),
            }
            for h in hits
        ],
    }
