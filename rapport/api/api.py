"""The Rapport API: one NinjaAPI, one router per resource, problems for every error."""

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.types import DictStrAny

from rapport.api import (
    awareness,
    groups,
    memberships,
    people,
    problems,
    relationships,
    requests,
    search,
    today,
    touchpoints,
)
from rapport.api.auth import SessionAuth, TokenAuth

DESCRIPTION = """\
The people, groups, memberships, touchpoints and requests you may see in Rapport, each
person's relationship (stage, health, cadence, snooze), your Today list, full-text search,
and current awareness (items, interest profiles, matches to review, matching runs), as JSON.

**Authentication.** Send a personal access token, created on your account page, as
`Authorization: Bearer rpt_...`; or call from a browser signed in to Rapport, sending the
`csrftoken` cookie's value as `X-CSRFToken` on POST, PATCH and DELETE. Managers see aggregate
figures only: they may list groups, and get 403 on people, memberships, touchpoints, requests,
relationships, Today, interest profiles and matches (items they may list).

**Errors** are `application/problem+json` (RFC 7807): `type`, `title`, `status`, `detail`
(a sentence fit to show) and `instance`. The `type` is `urn:rapport:problem:` followed by
`bad-request` (400), `unauthenticated` (401), `forbidden` (403), `not-found` (404, also for
things that exist but are not yours to see), `method-not-allowed` (405), `too-large` (413),
`invalid` (422) or `server-error` (500). A 422 also has `errors`: field -> messages.

**Edits that do not collide.** Reading or changing a person, touchpoint or request answers
with an `ETag` (its version). Send it back as `If-Match` with a PATCH: if someone changed it
in between, the answer is 412 (`urn:rapport:problem:precondition-failed`) and nothing is
changed; read it again and redo your change. A PATCH without `If-Match` writes only the fields
it sends, over whatever is there now.

**Lists** return `{"count", "limit", "offset", "items"}`; `limit` is 50 unless you ask for up
to 500.
"""


class SchemaNameClash(Exception):
    """Two different schemas (models or enums) would share one component name."""


class CheckedSchema(OpenAPISchema):
    """Ninja gathers each model's definitions into one `components.schemas` map by name, and a
    later definition silently replaces an earlier one with the same name: two enums both
    called `Status` made every person's status documented as a request's. Here a second,
    different definition under a name already taken stops the schema from being built."""

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != definition:
                raise SchemaNameClash(
                    f"Two different schemas are both named {name!r} in the OpenAPI document; "
                    "give one of the classes another name."
                )
        super().add_schema_definitions(definitions)


class RapportAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: DictStrAny | None = None
    ) -> OpenAPISchema:
        """Ninja's schema, built with the name check above; and where Ninja documents every
        response as application/json, errors are problems."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = CheckedSchema(self, path_prefix)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[problems.MEDIA_TYPE] = content.pop("application/json")
        return schema


api = RapportAPI(
    title="Rapport API",
    version="1",
    description=DESCRIPTION,
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api-v1",
)
problems.install(api)
api.add_router("/people", people.router)
api.add_router("/people", relationships.router)
api.add_router("/groups", groups.router)
api.add_router("/memberships", memberships.router)
api.add_router("/touchpoints", touchpoints.router)
api.add_router("/requests", requests.router)
api.add_router("/today", today.router)
api.add_router("/search", search.router)
api.add_router("", awareness.router)
