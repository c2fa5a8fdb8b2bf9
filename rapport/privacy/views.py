"""Privacy pages, for administrators: the retention schedule, subject access and erasure, and
the audit log. Every view checks the role first, so anyone else gets a 403 page."""

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.accounts.pages import AuthedRequest, apply_errors, page_view, paginate
from rapport.accounts.roles import require_admin
from rapport.errors import Invalid
from rapport.privacy import access, erasure, queries, retention, services, tasks
from rapport.privacy.forms import AuditFilterForm, EraseForm, ScheduleForm

PEOPLE_PER_PAGE = 25
ENTRIES_PER_PAGE = 50


@page_view
def schedule(request: AuthedRequest) -> HttpResponse:
    """The retention schedule (saved on POST) and the latest runs."""
    rows = queries.schedule(request.user)
    form = ScheduleForm(rows, request.POST or None)
    if form.is_valid():
        try:
            services.save_retention_rules(by=request.user, months=form.cleaned_data)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Saved the retention schedule.")
            return redirect("privacy:schedule")
    context = {"form": form, "runs": list(queries.runs_for(request.user)[:10])}
    return render(request, "privacy/schedule.html", context, status=422 if form.errors else 200)


@page_view
def preview(request: AuthedRequest) -> HttpResponse:
    """What a run now would do: the dry run, per kind of record."""
    require_admin(request.user, to="see the privacy pages")
    plan = retention.plan()
    labels = retention.record_labels()
    rows = [(labels.get(name, name), found) for name, found in sorted(plan.counts.items())]
    return render(request, "privacy/preview.html", {"rows": rows, "total": plan.total})


@require_POST
@page_view
def run_now(request: AuthedRequest) -> HttpResponse:
    require_admin(request.user, to="see the privacy pages")
    user_id = request.user.pk
    transaction.on_commit(lambda: tasks.apply_retention.enqueue(user_id))
    messages.success(request, "The retention schedule will run in the background shortly.")
    return redirect("privacy:schedule")


@page_view
def people(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    found = queries.find_people(request.user, q)
    page = paginate(found, request, PEOPLE_PER_PAGE) if q else None
    return render(request, "privacy/people.html", {"q": q, "page": page})


@page_view
def subject_access(request: AuthedRequest, pk: int) -> HttpResponse:
    """Everything held about one person, readable and printable, with the erasure form."""
    person = queries.get_person_for_admin(request.user, pk)
    doc = services.open_subject_access(by=request.user, person=person, where="page")
    context = {
        "person": person,
        "doc": doc,
        "facts": access.facts(doc),
        "form": EraseForm(),
        "counts": erasure.counts(person),
    }
    return render(request, "privacy/subject_access.html", context)


@page_view
def subject_access_json(request: AuthedRequest, pk: int) -> HttpResponse:
    person = queries.get_person_for_admin(request.user, pk)
    doc = services.open_subject_access(by=request.user, person=person, where="JSON")
    body = json.dumps(doc, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{person.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@page_view
def erase(request: AuthedRequest, pk: int) -> HttpResponse:
    person = queries.get_person_for_admin(request.user, pk)
    form = EraseForm(request.POST)
    if form.is_valid():
        try:
            done = services.erase_person(
                by=request.user, person=person, reference=form.cleaned_data["reference"]
            )
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Erased person #{done.person_id}.")
            return redirect("privacy:erasures")
    doc = services.open_subject_access(by=request.user, person=person, where="page")
    context = {
        "person": person,
        "doc": doc,
        "facts": access.facts(doc),
        "form": form,
        "counts": erasure.counts(person),
    }
    return render(request, "privacy/subject_access.html", context, status=422)


@page_view
def erasures(request: AuthedRequest) -> HttpResponse:
    page = paginate(queries.erasures_for(request.user), request, ENTRIES_PER_PAGE)
    return render(request, "privacy/erasures.html", {"page": page})


@page_view
def audit(request: AuthedRequest) -> HttpResponse:
    """Who viewed or changed what, filterable by person, user, action and date; CSV below."""
    form = AuditFilterForm(queries.audit_actors(request.user), request.GET or None)
    entries = queries.audit_log(request.user, **form.filters())
    page = paginate(entries, request, ENTRIES_PER_PAGE)
    return render(request, "privacy/audit.html", {"form": form, "page": page})
