"""Pages for duplicate people: the ranked candidates, a pair side by side with the merge form,
and the history of merges and "not a duplicate" marks, each with its undo."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.accounts.pages import AuthedRequest, page_view, paginate
from rapport.duplicates import merging, services
from rapport.duplicates.forms import MergeForm, label_of, shown
from rapport.duplicates.models import Scan
from rapport.duplicates.queries import (
    access_merge,
    access_not_duplicate,
    access_pair,
    access_scan,
    candidates_for,
    candidates_of,
    evidence_between,
    history_counts,
    latest_scan,
    merges_for,
    not_duplicates_for,
    stored_pair,
)
from rapport.people.models import Person
from rapport.people.queries import access_person

PAIRS_PER_PAGE = 25
MERGES_PER_PAGE = 25
MARKS_SHOWN = 50
#: Rows of the side-by-side table beyond the fields one chooses between.
COMBINED_FIELDS = ["other_emails", "notes"]


def _busy(scan: Scan | None) -> bool:
    return scan is not None and scan.status in (Scan.Status.QUEUED, Scan.Status.RUNNING)


@page_view
def candidate_list(request: AuthedRequest) -> HttpResponse:
    """Pairs that may be one person, best first, and the last scan."""
    page = paginate(candidates_for(request.user), request, PAIRS_PER_PAGE)
    scan = latest_scan()
    context = {"page": page, "scan": scan, "busy": _busy(scan)}
    return render(request, "duplicates/list.html", context)


@page_view
def person_candidates(request: AuthedRequest, pk: int) -> HttpResponse:
    """The pairs one person is in (linked from their page)."""
    person = access_person(request.user, pk)
    page = paginate(candidates_of(request.user, person), request, PAIRS_PER_PAGE)
    scan = latest_scan()
    context = {"page": page, "scan": scan, "busy": _busy(scan), "person": person}
    return render(request, "duplicates/list.html", context)


@require_POST
@page_view
def scan_start(request: AuthedRequest) -> HttpResponse:
    services.start_scan(by=request.user)
    messages.success(request, "Looking for duplicates across the library; progress below.")
    return redirect("duplicates:list")


@page_view
def scan_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """A scan's progress; HTMX asks again every second while it runs."""
    scan = access_scan(request.user, pk)
    if not request.htmx:
        return redirect("duplicates:list")
    return render(request, "duplicates/list.html#scan", {"scan": scan, "busy": _busy(scan)})


def _pair_page(request: AuthedRequest, a: Person, b: Person, form: MergeForm, status: int = 200):
    rows = []
    for name in [*merging.CHOICE_FIELDS, *COMBINED_FIELDS]:
        field = form[f"field_{name}"] if f"field_{name}" in form.fields else None
        rows.append((label_of(name), shown(a, name), shown(b, name), field))
    context = {
        "a": a,
        "b": b,
        "form": form,
        "rows": rows,
        "evidence": evidence_between(a, b),
        "stored": stored_pair(a, b),
        "counts": list(zip(history_counts(a).items(), history_counts(b).values(), strict=True)),
    }
    return render(request, "duplicates/pair.html", context, status=status)


@page_view
def pair(request: AuthedRequest, a: int, b: int) -> HttpResponse:
    """Two people side by side: every field, how much history each has, the merge form."""
    first, second = access_pair(request.user, a, b)
    return _pair_page(request, first, second, MergeForm(first, second))


@require_POST
@page_view
def merge(request: AuthedRequest, a: int, b: int) -> HttpResponse:
    first, second = access_pair(request.user, a, b)
    form = MergeForm(first, second, request.POST)
    if not form.is_valid():
        return _pair_page(request, first, second, form, status=422)
    keep, other, choices = form.merge_arguments()
    done = merging.merge_people(by=request.user, keep=keep, merge=other, choices=choices)
    messages.success(
        request,
        f"Merged {done.merged_name} (#{done.merged_id}) into {done.keep_name} (#{done.keep_id}). "
        "If that was wrong, undo it below: everything goes back as it was.",
    )
    return redirect(f"{reverse('duplicates:merges')}#merge-{done.pk}")


@require_POST
@page_view
def not_duplicate(request: AuthedRequest, a: int, b: int) -> HttpResponse:
    first, second = access_pair(request.user, a, b)
    services.mark_not_duplicate(by=request.user, a=first, b=second)
    messages.success(
        request, f"Noted: {first.full_name} and {second.full_name} are different people."
    )
    return redirect("duplicates:list")


@page_view
def merges(request: AuthedRequest) -> HttpResponse:
    """Merges newest first, and the pairs marked as different people; both can be undone."""
    page = paginate(merges_for(request.user), request, MERGES_PER_PAGE)
    marks = list(not_duplicates_for(request.user)[:MARKS_SHOWN])
    return render(request, "duplicates/merges.html", {"page": page, "marks": marks})


@require_POST
@page_view
def undo_merge(request: AuthedRequest, pk: int) -> HttpResponse:
    done = merging.undo_merge(by=request.user, merge=access_merge(request.user, pk))
    messages.success(
        request,
        f"Undone: {done.merged_name} (#{done.merged_id}) and {done.keep_name} (#{done.keep_id}) "
        "are apart again.",
    )
    return redirect("duplicates:merges")


@require_POST
@page_view
def undo_not_duplicate(request: AuthedRequest, pk: int) -> HttpResponse:
    mark = access_not_duplicate(request.user, pk)
    services.undo_not_duplicate(by=request.user, mark=mark)
    messages.success(
        request,
        f"{mark.person_a.full_name} and {mark.person_b.full_name} may be proposed again.",
    )
    return redirect("duplicates:merges")
