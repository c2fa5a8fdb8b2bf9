"""Building blocks shared by the routers: id and time types, references, pages and problems.

Input schemas refuse fields they do not know (a typo in a PATCH must not be a silent no-op);
output schemas are the contract recorded in docs/openapi.json.
"""

import datetime as dt
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Path, Schema
from pydantic import AfterValidator, ConfigDict
from pydantic_core import PydanticCustomError

# Ids beyond a signed 64-bit integer cannot exist, and would overflow the database driver.
MAX_ID = 2**63 - 1
MAX_OFFSET = 10**9

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _aware(value: dt.datetime) -> dt.datetime:
    """A time without an offset is local time; times that cannot be converted are refused,
    since every later conversion (to UTC for the database, to local time for messages) would
    overflow. The time is kept in UTC: Python allows offsets up to a day, PostgreSQL only up to
    16 hours, and "12:58-22:50" sent as it came was a server error there."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    out_of_range = PydanticCustomError("date_out_of_range", "That date is out of range.")
    try:
        value = value.astimezone(dt.UTC)
    except OverflowError:
        raise out_of_range from None
    if not 2 <= value.year <= 9998:
        raise out_of_range
    return value


When = Annotated[dt.datetime, AfterValidator(_aware)]


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


def _drop_null_defaults(schema: dict[str, Any]) -> None:
    # In a patch, a missing field means "unchanged", not null: say so in the OpenAPI schema.
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]


def patch_field(**kwargs: Any) -> Any:
    """A patch field: may be left out (unchanged). Typed Any so `name: str = patch_field()`
    reads as what the field holds when it is sent."""
    return Field(None, **kwargs)


class PatchSchema(InputSchema):
    """Every field optional; only the fields sent are changed. Fields typed without null
    refuse an explicit null: leave the field out to keep its value."""

    model_config = ConfigDict(json_schema_extra=_drop_null_defaults)

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class Paging(Schema):
    limit: int = Field(50, ge=1, le=500, description="At most this many items (1–500).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Skip this many items first.")


class Page(Schema):
    count: int = Field(description="How many items match, over all pages.")
    limit: int
    offset: int


class PersonRef(Schema):
    id: int
    full_name: str


class GroupRef(Schema):
    id: int
    name: str


class UserRef(Schema):
    """A Rapport user (a librarian), not a person served."""

    id: int
    username: str
    display_name: str


class Problem(Schema):
    """An RFC 7807 problem; `type` is one of urn:rapport:problem:<slug>."""

    type: str
    title: str
    status: int
    detail: str = Field(description="What went wrong, in words fit to show the user.")
    instance: str


class ValidationProblem(Problem):
    errors: dict[str, list[str]] = Field(
        description="Field name (dotted for nested values, __all__ for the whole input) -> "
        "messages."
    )
    unknown: list[str] | None = Field(
        None, description="Capture only: the @mentions that match nobody yet."
    )


_PROBLEM_SCHEMAS: dict[int, type[Schema]] = {
    401: Problem,
    403: Problem,
    404: Problem,
    422: ValidationProblem,
}


def problems(*statuses: int) -> dict[int, type[Schema]]:
    """The error responses a route documents. Always 401: every route needs a caller."""
    return {s: _PROBLEM_SCHEMAS[s] for s in sorted({401, *statuses})}
