"""The upload step every import page shares (touchpoints and people, vCards, calendars).

A file over the limit is refused from its Content-Length, before Django reads (and spools) the
body; otherwise the form is bound and checked, the import's service stores the file, makes the
job and audits it, and the browser goes to the job's page. Whatever goes wrong, the page comes
back with the form and why, and nothing is kept.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect

from rapport.accounts.pages import AuthedRequest, apply_errors
from rapport.errors import Invalid
from rapport.middleware import refuse_bad_form_text
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
