"""Import pages: the list with the upload form and saved mappings, and one job's steps
(preview and mapping, dry run, run, report). Fetch through the scoped queries, call a service.
No page opens the uploaded file: the preview and the headings are what the job kept."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.accounts.models import User
from rapport.accounts.pages import AuthedRequest, apply_errors, page_view, paginate
from rapport.accounts.queries import access_librarian, librarians_for
from rapport.errors import Invalid
from rapport.imports import services
from rapport.imports.files import Preview, format_choices, preview
from rapport.imports.forms import MappingForm, SaveMappingForm, UploadForm
from rapport.imports.models import ImportIssue, ImportJob, Target
from rapport.imports.queries import (
    access_import,
    access_mapping,
    issues_for,
    jobs_for,
    mappings_for,
)
from rapport.imports.report import issues_csv, summary_lines
from rapport.uploads import lifecycle
from rapport.uploads.models import MB, upload_limit
from rapport.uploads.views import job_page, upload_step

JOBS_PER_PAGE = 20
ISSUES_SHOWN = 50
EDITABLE = (ImportJob.Status.UPLOADED, ImportJob.Status.CHECKED, ImportJob.Status.FAILED)


def _list(
    request: AuthedRequest, form: forms.Form | None = None, status: int = 200, error: str = ""
) -> HttpResponse:
    context = {
        "upload_error": error,
        "page": paginate(jobs_for(request.user), request, JOBS_PER_PAGE),
        "form": form or UploadForm(formats=format_choices()),
        "mappings": mappings_for(request.user),
        "max_mb": upload_limit() // MB,
    }
    return render(request, "imports/list.html", context, status=status)


@page_view
def job_list(request: AuthedRequest) -> HttpResponse:
    """Past and running imports, the upload form, and the saved mappings."""
    return _list(request)


@require_POST
@page_view
def upload(request: AuthedRequest) -> HttpResponse:
    jobs_for(request.user)  # managers stop here, before the body is read
    return upload_step(
        request,
        form=lambda *data: UploadForm(*data, formats=format_choices()),
        create=lambda data: lifecycle.upload(
            "imports",
            by=request.user,
            stream=data["file"],
            name=data["file"].name,
            target=data["target"],
            format=data["format"],
            mapping=data["mapping"],
            sheet=data["sheet"],
        ),
        page=lambda form, status, error: _list(request, form, status, error),
    )


def _mapping_form(
    user: User, job: ImportJob, data: Any = None, shown: Preview | None = None
) -> MappingForm | None:
    """The mapping screen's form, once the file has been read (None before)."""
    shown = shown or preview(job)
    if shown is None:
        return None
    librarians = (
        [(u.pk, u.display_name) for u in librarians_for(user)]
        if job.target == Target.TOUCHPOINTS
        else []
    )
    return MappingForm(
        data,
        headers=shown.headers,
        fields=shown.fields,
        choices=shown.choices,
        distinct=shown.distinct,
        mapping=job.mapping,
        people=librarians,
    )


def _job_page(
    request: AuthedRequest, job: ImportJob, status: int = 200, **extra: Any
) -> HttpResponse:
    if request.htmx:
        return job_page(request, job)  # the status alone, while a worker has the job
    shown = preview(job)
    phase = "run" if job.started_at else "check"
    context = {
        "preview": shown,
        "mapping_form": extra.pop("mapping_form", None)
        or (_mapping_form(request.user, job, shown=shown) if shown is not None else None),
        "save_form": extra.pop("save_form", None) or SaveMappingForm(),
        "check_lines": summary_lines(job, "check") if job.dry_run else [],
        "run_lines": summary_lines(job, "run") if job.started_at else [],
        "issues": list(issues_for(job, phase)[:ISSUES_SHOWN]),
        "phase": phase,
        "saved_mappings": mappings_for(request.user).filter(target=job.target),
        "editable": job.status in EDITABLE and not job.started_at and shown is not None,
        **extra,
    }
    return job_page(request, job, status, **context)


@page_view
def job(request: AuthedRequest, pk: int) -> HttpResponse:
    """One import's steps; while it works, HTMX asks for its progress every second."""
    return _job_page(request, access_import(request.user, pk))


@require_POST
@page_view
def mapping(request: AuthedRequest, pk: int) -> HttpResponse:
    the_job = access_import(request.user, pk)
    form = _mapping_form(request.user, the_job, request.POST)
    if form is not None and form.is_valid():
        fallback = form.cleaned_data.get("staff_fallback")
        try:
            services.update_mapping(
                by=request.user,
                job=the_job,
                mapping=form.mapping(the_job.target),
                staff_fallback=access_librarian(request.user, fallback) if fallback else None,
            )
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Mapping saved. Check it with a dry run.")
            return redirect("imports:job", pk=pk)
    return _job_page(request, the_job, 422, mapping_form=form)


@require_POST
@page_view
def save_mapping(request: AuthedRequest, pk: int) -> HttpResponse:
    the_job = access_import(request.user, pk)
    form = SaveMappingForm(request.POST)
    if form.is_valid():
        try:
            saved = services.save_mapping(
                by=request.user, job=the_job, name=form.cleaned_data["name"]
            )
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Mapping saved as “{saved.name}”.")
            return redirect("imports:job", pk=pk)
    return _job_page(request, the_job, 422, save_form=form)


@require_POST
@page_view
def use_mapping(request: AuthedRequest, pk: int) -> HttpResponse:
    the_job = access_import(request.user, pk)
    saved = mappings_for(request.user).filter(pk=request.POST.get("saved") or 0).first()
    if saved is None:
        raise Invalid("Choose a saved mapping.")
    services.update_mapping(by=request.user, job=the_job, saved=saved)
    messages.success(request, f"Using the mapping “{saved.name}”.")
    return redirect("imports:job", pk=pk)


@page_view
def report(request: AuthedRequest, pk: int) -> HttpResponse:
    """The per-row errors and warnings of the dry run or the run, as CSV."""
    the_job = access_import(request.user, pk)
    phase = ImportIssue.Phase.RUN if request.GET.get("phase") == "run" else ImportIssue.Phase.CHECK
    response = StreamingHttpResponse(issues_csv(the_job, phase), content_type="text/csv")
    name = f"import-{the_job.pk}-{'dry-run' if phase == 'check' else 'run'}-report.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response  # type: ignore[return-value]  # streamed: page_view passes it through


@require_POST
@page_view
def delete_mapping(request: AuthedRequest, pk: int) -> HttpResponse:
    saved = access_mapping(request.user, pk, for_write=True)
    services.delete_mapping(by=request.user, saved=saved)
    messages.success(request, f"Deleted the mapping “{saved.name}”.")
    return redirect("imports:list")
