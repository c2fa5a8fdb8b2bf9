"""Pages for requests: fetch through the scoped queries, bind a form, call a service, redirect."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.accounts.pages import AuthedRequest, apply_errors, page_view, paginate
from rapport.concurrency import Changed, show_conflict
from rapport.errors import Invalid, NotFound
from rapport.middleware import refuse_bad_form_text
from rapport.people.forms import mention_for
from rapport.people.queries import access_person
from rapport.requests import services
from rapport.requests.forms import (
    AttachForm,
    DeliverableForm,
    FilterForm,
    FollowUpForm,
    OutcomeForm,
    ReassignForm,
    RequestForm,
    StatusForm,
    StoryFilterForm,
)
from rapport.requests.models import Request, Status
from rapport.requests.queries import (
    access_request,
    linked_touchpoints,
    open_requests_for_person,
    requests_for,
    search_requests,
    status_changes_for,
    stories_for,
)
from rapport.touchpoints.queries import access_touchpoint, mark_visible_people

REQUESTS_PER_PAGE = 50
STORIES_PER_PAGE = 20
PERSON_REQUESTS_SHOWN = 10
TAGS_FROM = 500  # the tag links come from the most recent stories
LABELS: dict[str, str] = dict(Status.choices)
ACTIONS: dict[str, str] = {
    Status.IN_PROGRESS: "Start work",
    Status.DELIVERED: "Mark delivered",
    Status.FOLLOWED_UP: "Followed up",
    Status.CLOSED: "Close",
    Status.DECLINED: "Decline",
}


def _actions(req: Request) -> list[tuple[str, str]]:
    """The buttons for the moves allowed from here; back to in progress is a reopening."""
    reopen = req.status in (Status.CLOSED, Status.DECLINED)
    return [
        (s, "Reopen" if reopen and s == Status.IN_PROGRESS else ACTIONS[s])
        for s in services.TRANSITIONS[req.status]
    ]


def _autocomplete_url() -> str:
    return reverse("people:person_autocomplete")


@page_view
def request_list(request: AuthedRequest) -> HttpResponse:
    """Mine and open by default; filter by status, owner and group."""
    requests_for(request.user)  # managers are refused before any filter is read
    form = FilterForm(request.user, request.GET)
    page = paginate(search_requests(request.user, **form.filters()), request, REQUESTS_PER_PAGE)
    mark_visible_people(request.user, page.items)
    partial = request.htmx and not request.htmx.history_restore_request
    template = "requests/request_list.html#results" if partial else "requests/request_list.html"
    return render(request, template, {"form": form, "page": page})


def _prefill(request: AuthedRequest) -> dict[str, Any]:
    """?person=<pk> names who asked; ?touchpoint=<pk> converts a touchpoint."""
    user, initial = request.user, dict[str, Any]()
    if pk := request.GET.get("touchpoint"):
        tp: Any = access_touchpoint(user, pk)
        mark_visible_people(user, [tp])
        initial.update(
            need=tp.question or tp.topic,
            title=tp.topic,
            group=tp.group_id,
            touchpoint=tp.pk,
            people=" ".join(mention_for(p.full_name) for p in tp.shown_people),
        )
    elif pk := request.GET.get("person"):
        initial["people"] = mention_for(access_person(user, pk).full_name)
    return initial


@page_view
def request_create(request: AuthedRequest) -> HttpResponse:
    requests_for(request.user)
    form = RequestForm(
        request.user,
        request.POST or None,
        initial=_prefill(request),
        autocomplete_url=_autocomplete_url(),
    )
    if form.is_valid():
        fields = form.service_fields()
        try:
            if form.cleaned_data.get("touchpoint"):
                touchpoint = access_touchpoint(request.user, form.cleaned_data["touchpoint"])
                req = services.convert_touchpoint(by=request.user, touchpoint=touchpoint, **fields)
            else:
                req = services.open_request(by=request.user, **fields)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Opened request #{req.pk}: {req.title}.")
            return redirect("requests:detail", pk=req.pk)
    status = 422 if form.is_bound else 200
    return render(request, "requests/request_form.html", {"form": form}, status=status)


@page_view
def request_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    req = access_request(request.user, pk, for_write=True)
    form = RequestForm(
        request.user,
        request.POST or None,
        initial=RequestForm.initial_for(req, list(req.people.all())),
        autocomplete_url=_autocomplete_url(),
        editing=req,
    )
    if form.is_valid():
        try:
            services.update_request(
                by=request.user,
                request=req,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except Changed as err:
            show_conflict(form, err, Request)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Saved request #{req.pk}.")
            return redirect("requests:detail", pk=req.pk)
    status = 422 if form.is_bound else 200
    return render(request, "requests/request_form.html", {"form": form, "req": req}, status=status)


def _detail(
    request: AuthedRequest, req: Request, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    """The request page; a form that failed comes back bound, with its errors."""
    user = request.user
    mark_visible_people(user, [req])
    touchpoints = list(linked_touchpoints(user, req))
    mark_visible_people(user, touchpoints)
    outcome = OutcomeForm(initial=OutcomeForm.initial_for(req))
    context = {
        "req": req,
        "changes": status_changes_for(req),
        "transitions": _actions(req),
        "deliverables": req.deliverables.select_related("by"),
        "touchpoints": touchpoints,
        "status_form": bound.get("status_form") or StatusForm(),
        "deliverable_form": bound.get("deliverable_form") or DeliverableForm(),
        "follow_up_form": bound.get("follow_up_form") or FollowUpForm(),
        "outcome_form": bound.get("outcome_form") or outcome,
        "reassign_form": bound.get("reassign_form") or ReassignForm(initial={"owner": req.owner}),
        "attach_form": bound.get("attach_form") or AttachForm(),
    }
    return render(request, "requests/request_detail.html", context, status=status)


@page_view
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, access_request(request.user, pk))


def _post(
    request: AuthedRequest,
    pk: int,
    form_class: type[forms.Form],
    name: str,
    act: Any,
    done: str,
) -> HttpResponse:
    """The shape every action on the request page shares: bind, call, redirect or show why."""
    req = access_request(request.user, pk, for_write=True)
    refuse_bad_form_text(request)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            act(req, form.cleaned_data)
        except Changed as err:  # a form with the request's version (the outcome)
            show_conflict(form, err, Request)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, done.format(req=req))
            return redirect("requests:detail", pk=req.pk)
    return _detail(request, req, status=422, **{name: form})


@require_POST
@page_view
def request_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """A transition button: delivered schedules the follow-up, followed up records it."""

    def act(req: Request, data: dict[str, Any]) -> None:
        by, status, note = request.user, data["status"], data["note"]
        if status == Status.DELIVERED:
            services.deliver_request(by=by, request=req, note=note)
        elif status == Status.FOLLOWED_UP:
            services.record_follow_up(by=by, request=req, note=note)
        else:
            services.change_status(by=by, request=req, status=status, note=note)

    done = "Request #{req.pk} is now {status}."
    status = LABELS.get(request.POST.get("status", ""), "changed").lower()
    return _post(request, pk, StatusForm, "status_form", act, done.replace("{status}", status))


@require_POST
@page_view
def request_follow_up(request: AuthedRequest, pk: int) -> HttpResponse:
    def act(req: Request, data: dict[str, Any]) -> None:
        services.record_follow_up(by=request.user, request=req, **data)

    return _post(request, pk, FollowUpForm, "follow_up_form", act, "Recorded the follow-up.")


@require_POST
@page_view
def deliverable_add(request: AuthedRequest, pk: int) -> HttpResponse:
    def act(req: Request, data: dict[str, Any]) -> None:
        services.add_deliverable(by=request.user, request=req, **data)

    return _post(request, pk, DeliverableForm, "deliverable_form", act, "Added the deliverable.")


@page_view
def deliverable_file(request: AuthedRequest, pk: int, deliverable: int) -> HttpResponse:
    """A deliverable's file, to those who may see the request (files are never public)."""
    req = access_request(request.user, pk)
    found = req.deliverables.filter(pk=deliverable).exclude(file="").first()
    if found is None:
        raise NotFound(f"Request #{req.pk} has no file {deliverable}.")
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # FileResponse streams the file; page_view passes any response through.
    return FileResponse(handle, as_attachment=True, filename=found.file_name)  # type: ignore[return-value]


@require_POST
@page_view
def request_outcome(request: AuthedRequest, pk: int) -> HttpResponse:
    def act(req: Request, data: dict[str, Any]) -> None:
        data = dict(data)
        expected = data.pop("version")
        services.set_outcome(by=request.user, request=req, expected_version=expected, **data)

    return _post(request, pk, OutcomeForm, "outcome_form", act, "Saved the outcome and story.")


@require_POST
@page_view
def request_reassign(request: AuthedRequest, pk: int) -> HttpResponse:
    def act(req: Request, data: dict[str, Any]) -> None:
        services.reassign_request(by=request.user, request=req, owner=data["owner"])

    done = "Request #{req.pk} is now {req.owner.display_name}'s."
    return _post(request, pk, ReassignForm, "reassign_form", act, done)


@require_POST
@page_view
def request_attach(request: AuthedRequest, pk: int) -> HttpResponse:
    def act(req: Request, data: dict[str, Any]) -> None:
        try:
            touchpoint = access_touchpoint(request.user, data["touchpoint"])
        except NotFound as err:
            raise Invalid(err.message, {"touchpoint": [err.message]}) from None
        services.attach_touchpoint(by=request.user, request=req, touchpoint=touchpoint)

    return _post(request, pk, AttachForm, "attach_form", act, "Linked the touchpoint.")


@page_view
def story_list(request: AuthedRequest) -> HttpResponse:
    """Impact stories, newest first, for reports; filter by tag."""
    requests_for(request.user)
    form = StoryFilterForm(request.GET)
    tag = form.cleaned_data.get("tag", "") if form.is_valid() else ""
    page = paginate(stories_for(request.user, tag=tag), request, STORIES_PER_PAGE)
    recent = stories_for(request.user).values_list("story_tags", flat=True)[:TAGS_FROM]
    tags = sorted({t for row in recent for t in row})
    context = {"form": form, "page": page, "tag": tag.strip().lstrip("#").lower(), "tags": tags}
    return render(request, "requests/story_list.html", context)


@page_view
def person_requests(request: AuthedRequest, pk: int) -> HttpResponse:
    """A person's open requests: the partial other pages include or fetch with HTMX."""
    person = access_person(request.user, pk)
    rows = list(open_requests_for_person(request.user, person)[: PERSON_REQUESTS_SHOWN + 1])
    context = {
        "person": person,
        "person_requests": rows[:PERSON_REQUESTS_SHOWN],
        "more_requests": len(rows) > PERSON_REQUESTS_SHOWN,
    }
    return render(request, "requests/person_requests.html", context)
