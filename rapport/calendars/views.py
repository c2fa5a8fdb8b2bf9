"""Calendar pages: the feed settings, the secret feed itself, and .ics meeting imports."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_POST, require_safe

from rapport.accounts.pages import AuthedRequest, apply_errors, page_view
from rapport.accounts.roles import require_librarian
from rapport.calendars import services
from rapport.calendars.forms import AddPeopleForm, IcsFileForm
from rapport.calendars.queries import access_calendar_import, active_feed_for, imports_for
from rapport.errors import Invalid, RapportError
from rapport.uploads import lifecycle
from rapport.uploads.models import MB, upload_limit
from rapport.uploads.views import job_page, upload_step

RECENT_IMPORTS = 10
CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _settings_page(request: AuthedRequest, raw: str | None = None) -> HttpResponse:
    feed = active_feed_for(request.user)
    url = request.build_absolute_uri(reverse("calendars:feed", args=[raw])) if raw else None
    return render(request, "calendars/settings.html", {"feed": feed, "feed_url": url})


@page_view
def settings_page(request: AuthedRequest) -> HttpResponse:
    return _settings_page(request)


@require_POST
@page_view
def feed_create(request: AuthedRequest) -> HttpResponse:
    """Make (or replace) the feed address and show it this once: only its hash is kept."""
    _feed, raw = services.create_feed(by=request.user)
    return _settings_page(request, raw)


@require_POST
@page_view
def feed_revoke(request: AuthedRequest) -> HttpResponse:
    if services.revoke_feed(by=request.user):
        messages.success(request, "Your calendar feed is off; calendars subscribed to it empty.")
    return redirect("calendars:settings")


def _matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/").strip('"') for t in header.split(",")]
    return "*" in tags or etag in tags


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed, without sign-in (the address is the key), answering 304 to a client whose
    copy is current."""
    try:
        served = services.serve_feed(services.open_feed(token))
    except RapportError as err:
        return HttpResponse(err.message, status=err.status, content_type="text/plain")
    etag = f'"{served.etag}"'
    modified = int(served.changed_at.timestamp())
    if_none_match = request.headers.get("If-None-Match")
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    fresh = (
        _matches(if_none_match, served.etag)
        if if_none_match
        else since is not None and since >= modified
    )
    response = (
        HttpResponse(status=304) if fresh else HttpResponse(served.body, content_type=CALENDAR_TYPE)
    )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "private, max-age=900"
    response["Content-Disposition"] = 'inline; filename="rapport.ics"'
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _import_page(
    request: AuthedRequest, form: forms.Form, status: int = 200, error: str = ""
) -> HttpResponse:
    context = {
        "form": form,
        "upload_error": error,
        "max_mb": upload_limit(services.MAX_MB) // MB,
        "recent": imports_for(request.user)[:RECENT_IMPORTS],
    }
    return render(request, "calendars/import.html", context, status=status)


@page_view
def import_page(request: AuthedRequest) -> HttpResponse:
    """Upload an .ics file; it is checked before anything is logged."""
    require_librarian(request.user, to="import meetings")
    return upload_step(
        request,
        form=IcsFileForm,
        create=lambda data: lifecycle.upload(
            "ics",
            by=request.user,
            stream=data["file"],
            name=data["file"].name,
            since=data["since"],
        ),
        page=lambda form, status, error: _import_page(request, form, status, error),
        cap_mb=services.MAX_MB,
    )


@page_view
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The import's status page: what it would log, its progress, what it logged."""
    job = access_calendar_import(request.user, pk)
    return job_page(request, job, people_form=AddPeopleForm(job.unmatched))


@require_POST
@page_view
def import_people(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add people for unmatched attendees, then check the file again."""
    job = access_calendar_import(request.user, pk)
    form = AddPeopleForm(job.unmatched, request.POST)
    if form.is_valid():
        try:
            added = services.add_people(
                by=request.user, job=job, emails=form.cleaned_data["emails"]
            )
        except Invalid as err:
            apply_errors(form, err)
        else:
            s = "" if len(added) == 1 else "s"
            messages.success(request, f"Added {len(added)} person{s}; the check is up to date.")
            return redirect("calendars:import_detail", pk=job.pk)
    return job_page(request, job, 422, people_form=form)
