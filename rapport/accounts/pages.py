"""What every page view shares: domain errors shown as pages, role checks, and paging.

Views stay a few lines because the repetitive parts live here: a view raises the domain error a
query or service gave it, and `page_view` turns it into a 403/404/422 page with the message.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from rapport.accounts.models import User
from rapport.errors import Invalid, RapportError


class AuthedRequest(HttpRequest):
    """The request a page view gets: signed in (page_view checked), with django-htmx's details.
    For type checkers only."""

    user: User
    htmx: HtmxDetails


ERROR_TITLES = {
    400: "That did not work",
    403: "Not for your role",
    404: "Not found",
    422: "That cannot be saved",
}
# A deep OFFSET costs as much as reading every row before it; nobody pages that far by hand.
MAX_PAGE = 1_000


def page_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sign-in required; a RapportError raised by the view becomes an error page.

    Responses vary on HX-Request because one URL may answer with a partial or a whole page.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _to_login(request)
        try:
            return view(request, *args, **kwargs)
        except RapportError as err:
            return error_page(request, err)

    return vary_on_headers("HX-Request")(wrapper)


def _to_login(request: HttpRequest) -> HttpResponse:
    """To the sign-in page, and back afterwards. An HTMX request (a session that expired while
    the page was open) moves the whole window, else the sign-in page would land in the box
    that asked for a partial."""
    htmx = getattr(request, "htmx", None)
    if htmx:
        back = htmx.current_url_abs_path or resolve_url("home")
        return HttpResponseClientRedirect(redirect_to_login(back).url)
    return redirect_to_login(request.get_full_path())


def error_page(request: HttpRequest, err: RapportError) -> HttpResponse:
    template = "error.html#message" if getattr(request, "htmx", False) else "error.html"
    context = {"error": err, "title": ERROR_TITLES.get(err.status, ERROR_TITLES[400])}
    return render(request, template, context, status=err.status)


def apply_errors(form: forms.Form, err: Invalid) -> None:
    """Show a service's Invalid on the form: per field where the form has the field, and the
    whole message on top unless it merely repeats a field's message."""
    placed: list[str] = []
    for name, messages in err.fields.items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
                placed.append(message)
    if not any(err.message.endswith(message) for message in placed):
        form.add_error(None, err.message)


def redirect_back(request: HttpRequest, fallback: str = "home") -> HttpResponseRedirect:
    """Back to where the user came from (same site only), else to `fallback`."""
    for candidate in (request.POST.get("next"), request.headers.get("referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return HttpResponseRedirect(candidate)
    return HttpResponseRedirect(resolve_url(fallback))


@dataclass
class Page:
    """One page of a list, found by reading one row past the page instead of COUNT(*)."""

    items: list[Any]
    number: int
    has_next: bool
    size: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def end(self) -> int:
        return (self.number - 1) * self.size + len(self.items)


def page_number(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def paginate(rows: Any, request: HttpRequest, size: int) -> Page:
    number = page_number(request)
    offset = (number - 1) * size
    items = list(rows[offset : offset + size + 1])
    return Page(items=items[:size], number=number, has_next=len(items) > size, size=size)
