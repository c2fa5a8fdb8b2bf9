"""Pages for people and groups: fetch through the scoped queries, bind a form, call a service."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.accounts.pages import (
    AuthedRequest,
    apply_errors,
    page_view,
    paginate,
)
from rapport.accounts.roles import require_detail
from rapport.audit.services import record_view
from rapport.concurrency import Changed, show_conflict
from rapport.duplicates.queries import active_merge_of
from rapport.errors import Invalid
from rapport.people import services, sharing
from rapport.people.forms import (
    AddToGroupForm,
    GroupForm,
    MembershipForm,
    PeopleFilterForm,
    PersonForm,
    ShareForm,
)
from rapport.people.models import Group, Person
from rapport.people.names import mention_for, suggest
from rapport.people.queries import (
    access_group,
    access_person,
    groups_for,
    members_of,
    memberships_for,
    never_contacted,
    search_people,
    waiting_for_share,
)
from rapport.relationships.forms import panel_forms
from rapport.relationships.queries import relationship_view
from rapport.reports.forms import figures_period
from rapport.requests.queries import open_requests_for_person
from rapport.touchpoints.models import Channel, Kind
from rapport.touchpoints.queries import (
    counts_for_person,
    mark_visible_people,
    timeline_for_group,
    timeline_for_person,
)
from rapport.touchpoints.stats import group_counts, group_figures

PEOPLE_PER_PAGE = 50
TIMELINE_PER_PAGE = 20
MEMBERS_SHOWN = 30
NEVER_CONTACTED_SHOWN = 15
AUTOCOMPLETE_MAX = 8
REQUESTS_SHOWN = 10


def _autocomplete_url() -> str:
    return reverse("people:person_autocomplete")


@page_view
def person_list(request: AuthedRequest) -> HttpResponse:
    require_detail(request.user, what="people")
    form = PeopleFilterForm(request.user, request.GET)
    page = paginate(search_people(request.user, **form.filters()), request, PEOPLE_PER_PAGE)
    # A history restore after "Back" (htmx's cache missed) needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "people/person_list.html#results" if partial else "people/person_list.html"
    return render(request, template, {"form": form, "page": page})


def _timeline(request: AuthedRequest, rows: Any) -> Any:
    page = paginate(rows, request, TIMELINE_PER_PAGE)
    mark_visible_people(request.user, page.items)
    return page


def _person_page(
    request: AuthedRequest,
    person: Person,
    *,
    forms: dict[str, Any] | None = None,
    group_form: AddToGroupForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The person page; `forms` replaces panel forms with bound ones showing their errors."""
    user = request.user
    if group_form is None and not user.is_manager:
        group_form = AddToGroupForm(user, person)
    counts = counts_for_person(user, person)
    kinds, channels = dict(Kind.choices), dict(Channel.choices)
    relationship = relationship_view(user, person)
    open_requests = list(
        # The partial shows no participants, so the people prefetch would be a wasted query.
        open_requests_for_person(user, person).prefetch_related(None)[: REQUESTS_SHOWN + 1]
    )
    context = {
        "person": person,
        "person_mention": mention_for(person.full_name) + " ",
        "memberships": memberships_for(user).filter(person=person).order_by("group__name"),
        "counts_by_kind": [(kinds.get(k, k), n) for k, n in counts["kind"].items()],
        "counts_by_channel": [(channels.get(k, k), n) for k, n in counts["channel"].items()],
        "timeline": _timeline(request, timeline_for_person(user, person)),
        "timeline_url": reverse("people:person_timeline", args=[person.pk]),
        "relationship": relationship,
        **panel_forms(relationship, forms or {}),
        "person_requests": open_requests[:REQUESTS_SHOWN],
        "more_requests": len(open_requests) > REQUESTS_SHOWN,
        "merge": active_merge_of(person) if person.archived_at else None,
        "waiting_for_share": waiting_for_share(user, person),
        "group_form": group_form,
    }
    return render(request, "people/person_detail.html", context, status=status)


@page_view
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    record_view(actor=request.user, obj=person, where="page")
    return _person_page(request, person)


@require_POST
@page_view
def person_add_to_group(request: AuthedRequest, pk: int) -> HttpResponse:
    """The person page's "Add to a group": one more membership, through the membership service."""
    person = access_person(request.user, pk, for_write=True)
    form = AddToGroupForm(request.user, person, request.POST)
    if form.is_valid():
        try:
            m = services.add_membership(by=request.user, person=person, **form.cleaned_data)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Added {person.full_name} to {m.group.name}.")
            return redirect("people:person_detail", pk=person.pk)
    return _person_page(request, person, group_form=form, status=422)


@page_view
def person_timeline(request: AuthedRequest, pk: int) -> HttpResponse:
    """One more page of the timeline for HTMX's "Load more"; the whole page without JS."""
    person = access_person(request.user, pk)
    record_view(actor=request.user, obj=person, where="timeline")
    if not request.htmx:
        return _person_page(request, person)
    context = {
        "timeline": _timeline(request, timeline_for_person(request.user, person)),
        "timeline_url": reverse("people:person_timeline", args=[person.pk]),
    }
    return render(request, "touchpoints/timeline.html#entries", context)


@page_view
def person_create(request: AuthedRequest) -> HttpResponse:
    require_detail(request.user, what="people")
    form = PersonForm(request.user, request.POST or None, autocomplete_url=_autocomplete_url())
    if form.is_valid():
        try:
            person = services.create_person(by=request.user, **form.cleaned_data)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Added {person.full_name}.")
            return redirect("people:person_detail", pk=person.pk)
    status = 422 if form.is_bound else 200
    return render(request, "people/person_form.html", {"form": form}, status=status)


@page_view
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk, for_write=True)
    form = PersonForm(
        request.user,
        request.POST or None,
        initial=PersonForm.initial_for(person),
        autocomplete_url=_autocomplete_url(),
        editing=person,
    )
    if form.is_valid():
        try:
            services.update_person(
                by=request.user,
                person=person,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except Changed as err:
            show_conflict(form, err, Person)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Saved {person.full_name}.")
            return redirect("people:person_detail", pk=person.pk)
    context = {"form": form, "person": person}
    return render(request, "people/person_form.html", context, status=422 if form.is_bound else 200)


@require_POST
@page_view
def person_archive(request: AuthedRequest, pk: int) -> HttpResponse:
    person = services.archive_person(
        by=request.user, person=access_person(request.user, pk, for_write=True)
    )
    messages.success(request, f"Archived {person.full_name}; their history is kept.")
    return redirect("people:person_list")


@page_view
def person_share(request: AuthedRequest, pk: int) -> HttpResponse:
    """Share a person with a colleague (one who logged contacts with them but cannot reach
    them, or any other): GET chooses, POST shares."""
    person = access_person(request.user, pk, for_write=True)
    form = ShareForm(request.user, request.POST or None)
    if form.is_valid():
        colleague = form.cleaned_data["librarian"]
        try:
            shared = sharing.share_person(by=request.user, person=person, librarian=colleague)
        except Invalid as err:
            apply_errors(form, err)
        else:
            if shared:
                done = f"Shared {person.full_name} with {colleague.display_name}."
            else:
                done = f"{colleague.display_name} could already see {person.full_name}."
            messages.success(request, done)
            return redirect("people:person_detail", pk=person.pk)
    context = {
        "form": form,
        "person": person,
        "waiting": waiting_for_share(request.user, person),
    }
    status = 422 if form.is_bound else 200
    return render(request, "people/person_share.html", context, status=status)


@page_view
def person_autocomplete(request: AuthedRequest) -> HttpResponse:
    """Up to eight people matching ?q=, whose name starts with it first, for @mentions."""
    require_detail(request.user, what="people")
    return JsonResponse(
        suggest(request.user, request.GET.get("q", ""), AUTOCOMPLETE_MAX), safe=False
    )


@page_view
def group_list(request: AuthedRequest) -> HttpResponse:
    groups = list(groups_for(request.user))
    counts = group_counts(request.user, groups)
    rows = [(g, counts[g.pk]) for g in groups]
    return render(request, "people/group_list.html", {"rows": rows})


def _group_page(
    request: AuthedRequest, group: Group, form: MembershipForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    counts = group_counts(user, [group])[group.pk]
    if user.is_manager:
        period_form, window = figures_period(request)
        context = {
            "group": group,
            "counts": counts,
            "figures": group_figures(user, group, window=window),
            "form": period_form,
        }
        return render(request, "people/group_figures.html", context)
    members = list(members_of(user, group)[: MEMBERS_SHOWN + 1])
    context = {
        "group": group,
        "counts": counts,
        "members": members[:MEMBERS_SHOWN],
        "more_members": len(members) > MEMBERS_SHOWN,
        "never_contacted": never_contacted(user, group)[:NEVER_CONTACTED_SHOWN],
        "timeline": _timeline(request, timeline_for_group(user, group)),
        "timeline_url": reverse("people:group_timeline", args=[group.pk]),
        "form": form or MembershipForm(user, autocomplete_url=_autocomplete_url()),
    }
    return render(request, "people/group_detail.html", context, status=status)


@page_view
def group_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _group_page(request, access_group(request.user, pk))


@page_view
def group_timeline(request: AuthedRequest, pk: int) -> HttpResponse:
    group = access_group(request.user, pk)
    require_detail(request.user, what="people")
    if not request.htmx:
        return _group_page(request, group)
    context = {
        "timeline": _timeline(request, timeline_for_group(request.user, group)),
        "timeline_url": reverse("people:group_timeline", args=[group.pk]),
    }
    return render(request, "touchpoints/timeline.html#entries", context)


@page_view
def group_create(request: AuthedRequest) -> HttpResponse:
    require_detail(request.user, what="people")
    form = GroupForm(request.user, request.POST or None)
    if form.is_valid():
        try:
            group = services.create_group(by=request.user, **form.service_fields())
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Created {group.name}.")
            return redirect("people:group_detail", pk=group.pk)
    status = 422 if form.is_bound else 200
    return render(request, "people/group_form.html", {"form": form}, status=status)


@page_view
def group_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    group = access_group(request.user, pk, for_write=True)
    form = GroupForm(request.user, request.POST or None, initial=GroupForm.initial_for(group))
    if form.is_valid():
        try:
            services.update_group(by=request.user, group=group, **form.service_fields())
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Saved {group.name}.")
            return redirect("people:group_detail", pk=group.pk)
    context = {"form": form, "group": group}
    return render(request, "people/group_form.html", context, status=422 if form.is_bound else 200)


@require_POST
@page_view
def group_archive(request: AuthedRequest, pk: int) -> HttpResponse:
    group = services.archive_group(
        by=request.user, group=access_group(request.user, pk, for_write=True)
    )
    messages.success(request, f"Archived {group.name}; its history is kept.")
    return redirect("people:group_list")


@require_POST
@page_view
def membership_add(request: AuthedRequest, pk: int) -> HttpResponse:
    group = access_group(request.user, pk, for_write=True)
    form = MembershipForm(request.user, request.POST, autocomplete_url=_autocomplete_url())
    if form.is_valid():
        try:
            m = services.add_membership(by=request.user, group=group, **form.cleaned_data)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Added {m.person.full_name} to {group.name}.")
            return redirect("people:group_detail", pk=group.pk)
    return _group_page(request, group, form, status=422)
