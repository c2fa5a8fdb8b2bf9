"""The pages every upload job shares (touchpoints and people, vCards, calendars): the upload
step, the job's status page, and its check, run and resume buttons.

A file over the limit is refused from its Content-Length, before Django reads (and spools) the
body; otherwise the form is bound and checked, the import's service stores the file, makes the
job and audits it, and the browser goes to the job's page. Whatever goes wrong, the page comes
back with the form and why, and nothing is kept.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.accounts.pages import AuthedRequest, apply_errors, page_view
from rapport.errors import Invalid
from rapport.middleware import refuse_bad_form_text
from rapport.uploads import lifecycle
from rapport.uploads.kinds import kind_named, kind_of
from rapport.uploads.models import UploadJob, too_large, upload_limit

ENVELOPE = 64 * 1024  # the multipart boundaries and the other fields around the file

# The page again: (form, HTTP status, a message for the whole upload or "").
Page = Callable[[forms.Form, int, str], HttpResponse]


def upload_step(
    request: AuthedRequest,
    *,
    form: Callable[..., forms.Form],
    create: Callable[[dict[str, Any]], UploadJob],
    page: Page,
    cap_mb: int | None = None,
) -> HttpResponse:
    """GET: the page with an empty form. POST: the job made by `create(cleaned_data)`, then a
    redirect to its page; or the page again (422). Check who may upload before calling."""
    if request.method != "POST":
        return page(form(), 200, "")
    limit = upload_limit(cap_mb)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + ENVELOPE:
        return page(form(), 422, too_large(limit, cap_mb))
    try:
        refuse_bad_form_text(request)
    except Invalid as err:
        return page(form(), 422, err.message)
    bound = form(request.POST, request.FILES)
    if bound.is_valid():
        try:
            job = create(bound.cleaned_data)
        except Invalid as err:
            apply_errors(bound, err)
        else:
            return redirect(job.get_absolute_url())
    return page(bound, 422, "")


# The one status page of every upload job, and its buttons --------------------------------------


def job_page(
    request: AuthedRequest, job: UploadJob, status: int = 200, **extra: Any
) -> HttpResponse:
    """The job's page: its status, progress and next step (the same for every kind), then the
    kind's own part (`kind.details`: counts, preview, lists) with `extra` in its context.
    While a worker has the job, HTMX asks for the status every second (`?was=<status>`) and
    the whole page reloads once the status changes, with what the new step shows."""
    kind = kind_of(job)
    actions = {verb: reverse(name, args=[job.pk]) for verb, name in kind.urls.items()}
    context = {
        "job": job,
        "kind": kind,
        "actions": actions,
        "list_url": reverse(kind.list_url),
        **extra,
    }
    if request.htmx:
        response = render(request, "uploads/job.html#status", context)
        was = request.GET.get("was")
        if was and was != job.status:
            response["HX-Refresh"] = "true"
        return response
    return render(request, "uploads/job.html", context, status=status)


def _act(request: AuthedRequest, kind: str, pk: int, verb: str, done: str) -> HttpResponse:
    the_kind = kind_named(kind)
    job = the_kind.access(request.user, pk)
    try:
        getattr(lifecycle, verb)(by=request.user, job=job)
    except Invalid as err:
        messages.error(request, err.message)
    else:
        messages.success(request, done.format(name=job.original_name))
    return redirect(job.get_absolute_url())


@require_POST
@page_view
def check(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    """Check the file again: every item read, nothing changed."""
    return _act(request, kind, pk, "check", "Checking {name}; nothing changes yet.")


@require_POST
@page_view
def run(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    """Import a checked file; the report follows on the same page."""
    return _act(request, kind, pk, "run", "Importing {name}; the report follows.")


@require_POST
@page_view
def resume(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    """Start again a job whose worker stopped (killed, crashed)."""
    return _act(request, kind, pk, "resume", "Started {name} again.")
