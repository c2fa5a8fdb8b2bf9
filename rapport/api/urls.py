"""Mounted at /api/v1/: the routes, /docs and /openapi.json, and problems for the rest.

Django answers a wrong method or an unknown address before any Ninja handler runs, with
plain text or an HTML page; a client of a JSON API should get the same problem format there
too, so each route's view is wrapped and a last pattern catches unknown addresses.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt

from rapport.api.api import api
from rapport.api.problems import MEDIA_TYPE, problem

app_name = api.urls_namespace


def _problem_on_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type") != MEDIA_TYPE:
            # Ninja lists the methods from a set; sorted, the header is the same every time.
            allowed = ", ".join(sorted(m.strip() for m in response.get("Allow", "").split(",")))
            detail = f"{request.method} is not allowed here; use {allowed}."
            replacement = problem(request, 405, detail)
            replacement["Allow"] = allowed
            return replacement
        return response

    return wrapped


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return problem(request, 404, "There is nothing at this address; see /api/v1/docs.")


def _patterns() -> list[Any]:
    patterns, _app, _namespace = api.urls
    wrapped = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            # Ninja's root view raises Http404 outside its handlers; the name stays, since
            # Ninja reverses it to find where the API is mounted.
            view = not_found if pattern.name == "api-root" else pattern.callback
            pattern.callback = _problem_on_405(view)
        wrapped.append(pattern)
    return [*wrapped, re_path(r"^(?P<rest>.*)$", not_found, name="not-found")]


urlpatterns = _patterns()
