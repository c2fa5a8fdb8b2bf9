"""Every error the API returns is an RFC 7807 problem (`application/problem+json`).

One place turns each kind of failure into a problem, so a client handles errors one way:
domain errors from services and queries keep their status and message, Ninja's validation
errors become 422 with an `errors` map of field -> messages, and nothing a client sends can
surface as a bare 500 page.
"""

import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from rapport.errors import Invalid, RapportError
from rapport.people.names import UnknownPeople

logger = logging.getLogger("rapport.api")

MEDIA_TYPE = "application/problem+json"

# status -> (the slug of the problem type, its title). The types are documented in the API
# description, so `type` is a stable name a client can switch on, not a web page.
KINDS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    412: ("precondition-failed", "Changed since you read it"),
    413: ("too-large", "Request too large"),
    422: ("invalid", "Invalid input"),
    429: ("throttled", "Too many requests"),
    500: ("server-error", "Server error"),
}
TYPE_PREFIX = "urn:rapport:problem:"

UNAUTHENTICATED = (
    "Send a personal access token as “Authorization: Bearer rpt_…”, or sign in to Rapport "
    "in this browser."
)


def problem(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    errors: dict[str, list[str]] | None = None,
    **members: Any,
) -> HttpResponse:
    """A problem response; `errors` is present on every 422 so clients can show it by field."""
    slug, title = KINDS.get(status, ("error", HTTPStatus(status).phrase))
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if status == 422:
        body["errors"] = errors or {"__all__": [detail]}
    body.update(members)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=MEDIA_TYPE
    )


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """A Ninja error location as a field path: ("body", "payload", "people", 0) -> "people.0".

    The first element is where the value came from (body, query, path) and, for a body, the
    second is the route's parameter name; neither is something the client typed.
    """
    parts = list(loc)
    source = parts.pop(0) if parts else "body"
    if source == "body" and parts:
        parts.pop(0)
    return ".".join(str(p) for p in parts) or "body"


def _message(error: dict[str, Any]) -> str:
    """Pydantic's message, without the "Value error, " prefix our own validators get."""
    message = str(error.get("msg", "Invalid value."))
    return message.removeprefix("Value error, ")


def validation_errors(raw: list[dict[str, Any]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in raw:
        errors.setdefault(field_name(error.get("loc", ())), []).append(_message(error))
    return errors


def _summary(errors: dict[str, list[str]]) -> str:
    name, messages = next(iter(errors.items()))
    rest = sum(len(m) for m in errors.values()) - 1
    more = f" (and {rest} more)" if rest else ""
    return f"{name}: {messages[0]}{more}"


def on_rapport_error(request: HttpRequest, exc: RapportError) -> HttpResponse:
    members: dict[str, Any] = {}
    if isinstance(exc, UnknownPeople):
        # Lets a client offer "create them?" and retry with create_missing.
        members["unknown"] = list(exc.unknown)
    errors = exc.fields if isinstance(exc, Invalid) else None
    return problem(request, exc.status, exc.message, errors=errors, **members)


def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = validation_errors(exc.errors)
    return problem(request, 422, _summary(errors), errors=errors)


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, json.JSONDecodeError):
        # Ninja reports a body it cannot parse as 400; to a client it is one more invalid input.
        message = (
            f"The request body is not valid JSON: {cause.msg} "
            f"(line {cause.lineno}, column {cause.colno})."
        )
        return problem(request, 422, message, errors={"body": [message]})
    if isinstance(cause, UnicodeDecodeError):
        message = "The request body is not UTF-8 text."
        return problem(request, 422, message, errors={"body": [message]})
    if isinstance(exc, AuthenticationError):
        response = problem(request, 401, UNAUTHENTICATED)
        response["WWW-Authenticate"] = 'Bearer realm="rapport"'
        return response
    return problem(request, exc.status_code, exc.message)


def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 404, "There is nothing at this address.")


def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 403, str(exc) or "You may not do this.")


def on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 413, "The request body is too large.")


def on_suspicious(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 400, "The request could not be read.")


def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug of ours: log it with its traceback, and still answer in the API's error format."""
    logger.exception("Unexpected error in %s %s", request.method, request.path, exc_info=exc)
    return problem(request, 500, "Something went wrong on our side; it has been logged.")


HANDLERS: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
    (RapportError, on_rapport_error),
    (ValidationError, on_validation_error),
    (HttpError, on_http_error),
    (Http404, on_not_found),
    (PermissionDenied, on_permission_denied),
    (RequestDataTooBig, on_too_big),
    (SuspiciousOperation, on_suspicious),
    (Exception, on_unexpected),
]


def install(api: NinjaAPI) -> None:
    """Register the handlers; Ninja picks the one for the most specific class."""
    for exc_class, handler in HANDLERS:
        api.add_exception_handler(exc_class, handler)
