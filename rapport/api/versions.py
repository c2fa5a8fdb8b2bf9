"""ETags and If-Match for the resources that keep a version: people, touchpoints, requests.

Reading one (GET) or changing one (PATCH) answers with `ETag: "<version>"`, the row's version
(rapport/concurrency.py), which every edit counts up. A PATCH sent with `If-Match: "<version>"`
is applied only if nobody changed the resource since: otherwise it answers 412 and changes
nothing, so two clients editing the same field never silently overwrite each other. Without
If-Match a PATCH still writes only the fields it sends, on the row as it is now.

The ETag names the version of what can be edited: figures Rapport keeps by itself (a person's
contact counts, say) may change under the same ETag, as they never conflict with an edit.
"""

import re
from typing import Annotated, Any, TypeVar

from django.http import HttpResponse
from ninja import Header

from rapport.api.schemas import Problem
from rapport.concurrency import Expected

T = TypeVar("T")

IF_MATCH_HELP = (
    'The ETag this change was made on, e.g. "3", as a GET (or the last PATCH) answered: if the '
    "resource changed since, the answer is 412 and nothing is changed. Without it, the fields "
    "sent are written over whatever is there now."
)
IfMatch = Annotated[str | None, Header(None, alias="If-Match", description=IF_MATCH_HELP)]


def with_precondition(responses: dict[int, Any]) -> dict[int, Any]:
    """A PATCH route's responses, with the 412 an If-Match may bring, in order."""
    return dict(sorted({**responses, 412: Problem}.items()))


#: The ETag header on a route's 200 answer, for its `openapi_extra`.
ETAG_HEADER: dict[str, Any] = {
    "responses": {
        200: {
            "headers": {
                "ETag": {
                    "description": 'The version of what can be edited here, e.g. "3"; send it '
                    "back as If-Match with a PATCH.",
                    "schema": {"type": "string"},
                }
            }
        }
    }
}

_STRONG_TAG = re.compile(r'\s*"(\d{1,18})"\s*')


def etag(obj: Any) -> str:
    return f'"{obj.version}"'


def with_etag(response: HttpResponse, obj: T) -> T:
    """`obj`, with its ETag set on the route's response."""
    response["ETag"] = etag(obj)
    return obj


def expected_versions(if_match: str | None) -> Expected:
    """The versions an If-Match header accepts: None without one, or with `*` (any version of a
    resource that exists; a missing one is 404 anyway). Only strong ETags of ours can match,
    so a weak (W/"3") or foreign one gives the empty set, which no version is in."""
    if if_match is None or if_match.strip() == "*":
        return None
    versions = set()
    for tag in if_match.split(","):
        found = _STRONG_TAG.fullmatch(tag)
        if found:
            versions.add(int(found.group(1)))
    return frozenset(versions)
