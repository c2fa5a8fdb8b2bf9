"""Every request's text checked once, before any view sees it (see `rapport.text`).

A middleware, not a check in each form and schema, so that no new page, search box, filter or
API route can forget it: the address, the query string, form fields and JSON bodies are all
refused with a 422 when they hold a character no database can store (uploaded files' names
Django cleans itself; their content is the importers' to check, row by row). API requests get
the API's problem (application/problem+json), pages the error page every refused input gets.
It sits after the session, authentication and HTMX middleware so that the error page knows
who is signed in and whether to answer with a partial.
"""

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException

from rapport.errors import Invalid
from rapport.text import bad_character, bad_text_message, first_bad_text

API_PREFIX = "/api/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: A multipart body up to this size holds form fields only (no file worth refusing unread).
FIELDS_ONLY = 64 * 1024


def _fields(request: HttpRequest) -> Iterator[tuple[str, Any]]:
    """(name, value) for every piece of text the request carries, besides its address."""
    for name, values in request.GET.lists():
        yield name, name
        yield from ((name, value) for value in values)
    api = request.path_info.startswith(API_PREFIX)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.content_type in FORM_TYPES and not api:
        if _carries_a_file(request):
            return  # checked by the view, once it has refused a body too large unread
        for name, values in request.POST.lists():
            yield name, name
            yield from ((name, value) for value in values)
        return
    # The API reads any body as JSON whatever its content type, so the check does too.
    if api or request.content_type == "application/json":
        data = _json_body(request)
        if data is not None:
            # Fields inside an object or list are named by their path ("people.0").
            yield ("" if isinstance(data, dict | list) else "body"), data


def _carries_a_file(request: HttpRequest) -> bool:
    """A multipart body larger than the fields around a file: reading it here would spool the
    file before the upload page could refuse it from its length (each import has its own
    limit), so the view that takes files checks its fields itself (`refuse_bad_form_text`)."""
    if request.content_type != "multipart/form-data":
        return False
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > FIELDS_ONLY
    except ValueError:
        return False


def refuse_bad_form_text(request: HttpRequest) -> None:
    """The middleware's check of a form's fields, for the views that take files: Invalid
    naming the field. Call it after refusing a body too large, before binding the form."""
    found = first_bad_text(
        (name, value) for name, values in request.POST.lists() for value in (name, *values)
    )
    if found:
        field, message = found
        raise Invalid(message, {field or "body": [message]})


def _json_body(request: HttpRequest) -> Any:
    """The parsed body, or None when there is none or it is not JSON (the view then says so:
    a body too large or unreadable is the API's own error to report)."""
    try:
        body = request.body
    except (RequestDataTooBig, RawPostDataException):
        return None
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


class RefuseBadTextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = bad_character(request.path_info)
        if problem:
            message = bad_text_message(problem, None)
            return self.refuse(request, Invalid(message, {"path": [message]}))
        try:
            found = first_bad_text(_fields(request))
        except SuspiciousOperation:
            # Too many fields, a body too large: Django answers pages with its 400 page as the
            # view would, and the API reports it in its own format when Ninja reads it again.
            if not request.path_info.startswith(API_PREFIX):
                raise
            found = None
        if found:
            field, message = found
            return self.refuse(request, Invalid(message, {field or "body": [message]}))
        return self.get_response(request)

    def refuse(self, request: HttpRequest, error: Invalid) -> HttpResponse:
        # Imported here: both modules import the apps' models, which are not ready when
        # Django imports the settings' middleware classes.
        if request.path_info.startswith(API_PREFIX):
            from rapport.api.problems import problem

            return problem(request, error.status, error.message, errors=error.fields)
        from rapport.accounts.pages import error_page

        return error_page(request, error)
