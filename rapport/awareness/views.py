"""Pages for current awareness: items in, the review queue, a person's interest profile, and
the progress of matching runs. Fetch through the scoped queries, bind a form, call a service."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.accounts.pages import AuthedRequest, apply_errors, page_view, paginate
from rapport.accounts.roles import require_librarian
from rapport.awareness import digests, services, subscriptions
from rapport.awareness.forms import (
    BulkDecideForm,
    DecideForm,
    FeedForm,
    InterestForm,
    ItemFileForm,
    ItemForm,
    OrcidForm,
    PublicationFileForm,
    ReviewFilterForm,
)
from rapport.awareness.models import MatchRun
from rapport.awareness.profiles import profile_for
from rapport.awareness.queries import (
    access_item,
    access_match,
    access_run,
    failed_digests,
    item_matches,
    items_for,
    matches_of,
    review_choices,
    runs_for,
    subscription_of,
    suggestions_for,
)
from rapport.errors import Invalid, RapportError
from rapport.middleware import refuse_bad_form_text
from rapport.people.queries import access_person

ITEMS_PER_PAGE = 50
SUGGESTIONS_PER_PAGE = 30
RUNS_SHOWN = 5


def _imported(request: AuthedRequest, result: services.Ingested, what: str) -> None:
    messages.success(request, f"{what}: {result.summary}.")
    for problem in result.problems[:10]:
        messages.warning(request, f"{problem.where}: {problem.message}")
    if len(result.problems) > 10:
        messages.warning(request, f"… and {len(result.problems) - 10} more problems.")


@page_view
def home(request: AuthedRequest) -> HttpResponse:
    """Items in, runs in progress, and how many suggestions wait for review."""
    return _home_with(request, 200)


def _home_with(request: AuthedRequest, status: int, **bound: forms.Form) -> HttpResponse:
    context: dict[str, Any] = {
        "runs": list(runs_for(request.user)[:RUNS_SHOWN]),
        "waiting": suggestions_for(request.user).count(),
        "items": items_for(request.user)[:10],
        "file_form": ItemFileForm(),
        "feed_form": FeedForm(),
        "item_form": ItemForm(),
        **bound,
    }
    return render(request, "awareness/home.html", context, status=status)


@require_POST
@page_view
def import_file(request: AuthedRequest) -> HttpResponse:
    refuse_bad_form_text(request)
    form = ItemFileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_items(
                by=request.user, data=upload.read(), filename=upload.name
            )
        except Invalid as err:
            apply_errors(form, err)
        else:
            _imported(request, result, f"Items from {upload.name}")
            return redirect("awareness:home")
    return _home_with(request, 422, file_form=form)


@require_POST
@page_view
def import_feed(request: AuthedRequest) -> HttpResponse:
    form = FeedForm(request.POST)
    if form.is_valid():
        try:
            result = services.import_feed(by=request.user, url=form.cleaned_data["url"])
        except Invalid as err:
            apply_errors(form, err)
        else:
            _imported(request, result, "Items from the feed")
            return redirect("awareness:home")
    return _home_with(request, 422, feed_form=form)


@require_POST
@page_view
def add_item(request: AuthedRequest) -> HttpResponse:
    form = ItemForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            item = services.add_item(by=request.user, **data)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Added “{item.title}”; matching it now.")
            return redirect("awareness:home")
    return _home_with(request, 422, item_form=form)


@require_POST
@page_view
def match_everyone(request: AuthedRequest) -> HttpResponse:
    """Match every profile against recent items (also done nightly)."""
    run = services.start_matching(by=request.user, scope="all")
    messages.success(request, "Matching everyone against recent items; progress below.")
    return redirect("awareness:run", pk=run.pk)


@page_view
def items(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    page = paginate(items_for(request.user, q), request, ITEMS_PER_PAGE)
    return render(request, "awareness/items.html", {"page": page, "q": q})


@page_view
def item_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One item, and who it was matched to among the people the user may see."""
    item = access_item(request.user, pk)
    matched = [] if request.user.is_manager else list(item_matches(request.user, item))
    return render(request, "awareness/item.html", {"item": item, "matched": matched})


@page_view
def run(request: AuthedRequest, pk: int) -> HttpResponse:
    """A run's progress; while it runs, HTMX asks again every second."""
    the_run = access_run(request.user, pk)
    template = "awareness/run.html#progress" if request.htmx else "awareness/run.html"
    busy = the_run.status in (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING)
    return render(request, template, {"run": the_run, "busy": busy})


@page_view
def review(request: AuthedRequest) -> HttpResponse:
    """Suggestions for the people I serve, best first, each with why it matched; for one
    person or one item if chosen, with boxes to approve or reject several at once."""
    person = item = None
    if pk := request.GET.get("person"):
        person = access_person(request.user, pk)
    if pk := request.GET.get("item"):
        item = access_item(request.user, pk)
    queue = suggestions_for(request.user, person, item.pk if item else None)
    page = paginate(queue, request, SUGGESTIONS_PER_PAGE)
    people, items = review_choices(request.user)
    if person and person.pk not in dict(people):
        people.append((person.pk, person.full_name))
    if item and item.pk not in dict(items):
        items.append((item.pk, item.title))
    context = {
        "page": page,
        "person": person,
        "item": item,
        "form": DecideForm(),
        "filters": ReviewFilterForm(request.GET, people, items),
    }
    return render(request, "awareness/review.html", context)


@require_POST
@page_view
def decide_many(request: AuthedRequest) -> HttpResponse:
    """Approve or reject the ticked suggestions together (one transaction), then back to the
    queue as it was filtered."""
    require_librarian(request.user, to="change alerts")
    form = BulkDecideForm(request.POST)
    back = request.POST.get("next") or ""
    if not back.startswith(reverse("awareness:review")):
        back = reverse("awareness:review")
    if not form.is_valid():
        raise Invalid("Choose Approve or Reject for the ticked suggestions.")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        decided = services.decide_matches(
            by=request.user, match_ids=form.cleaned_data["match"], approve=approve
        )
    except RapportError as err:
        messages.error(request, f"Nothing was decided: {err.message}")
        return redirect(back)
    n = len(decided)
    verb = "Approved" if approve else "Rejected"
    messages.success(request, f"{verb} {n} suggestion{'s' if n != 1 else ''}.")
    return redirect(back)


@require_POST
@page_view
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    """Approve (with a note) or reject one suggestion; HTMX swaps the row for the outcome."""
    match = access_match(request.user, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.decide_match(
                by=request.user,
                match=match,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except Invalid as err:
            apply_errors(form, err)
        else:
            if request.htmx:
                return render(request, "awareness/review.html#decided", {"match": match})
            verb = "Approved" if match.status == "approved" else "Rejected"
            messages.success(request, f"{verb} “{match.item.title}” for {match.person}.")
            return redirect(request.POST.get("next") or reverse("awareness:review"))
    status = 422
    if request.htmx:
        return render(
            request, "awareness/review.html#row", {"match": match, "form": form}, status=status
        )
    return render(
        request, "awareness/review.html", {"page": None, "form": form, "bad": match}, status=status
    )


def _profile_page(
    request: AuthedRequest, pk: int, status: int = 200, link: str = "", **bound: forms.Form
):
    """The profile page; `link` is the person's new preferences link, shown once after New
    link (only its hash is kept, so it cannot be shown again)."""
    person = access_person(request.user, pk)
    sub = subscription_of(person)
    context = {
        "person": person,
        "profile": profile_for(person),
        "publications": person.publications.all()[:50],
        "matches": matches_of(request.user, person)[:30],
        "subscription": sub,
        "alerts": subscriptions.settings_summary(sub) if sub else "Not subscribed yet.",
        "failed": failed_digests(person),
        "interest_form": bound.get("interest_form") or InterestForm(),
        "pub_form": bound.get("pub_form") or PublicationFileForm(),
        "orcid_form": bound.get("orcid_form") or OrcidForm(initial={"orcid": person.orcid}),
        "preferences_url": link,
    }
    return render(request, "awareness/profile.html", context, status=status)


@require_POST
@page_view
def invite(request: AuthedRequest, pk: int) -> HttpResponse:
    """Email the person their secret link (nothing else is sent before they say yes)."""
    person = access_person(request.user, pk, for_write=True)
    try:
        subscriptions.invite(by=request.user, person=person)
    except Invalid as err:
        messages.error(request, err.message)
    else:
        messages.success(request, f"Sent {person.full_name} the link to their alerts page.")
    return redirect("awareness:profile", pk=person.pk)


@require_POST
@page_view
def new_link(request: AuthedRequest, pk: int) -> HttpResponse:
    """Revoke the person's secret links and make a new one (a forwarded email, say), shown on
    the page this once: the answer is the page itself, not a redirect to it."""
    person = access_person(request.user, pk, for_write=True)
    sub = subscription_of(person)
    if sub is None:
        return redirect("awareness:profile", pk=person.pk)
    sub = subscriptions.new_link(by=request.user, subscription=sub)
    messages.success(
        request,
        "The links sent before no longer work. The new one is below, shown this once: give it"
        " to them yourself, or email it (each email carries a link of its own).",
    )
    return _profile_page(request, pk, link=digests.preferences_url(sub, request))


@page_view
def profile(request: AuthedRequest, pk: int) -> HttpResponse:
    """A person's interests with the evidence behind each, corrections, publications, matches."""
    return _profile_page(request, pk)


@require_POST
@page_view
def interest(request: AuthedRequest, pk: int) -> HttpResponse:
    """State, pin or remove a topic; `clear` forgets the correction."""
    person = access_person(request.user, pk, for_write=True)
    form = InterestForm(request.POST)
    if form.is_valid():
        term, state = form.cleaned_data["term"], form.cleaned_data["state"]
        try:
            if request.POST.get("clear"):
                services.clear_interest(by=request.user, person=person, term=term)
            else:
                services.set_interest(by=request.user, person=person, term=term, state=state)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Updated “{term}” in {person}'s profile.")
            return redirect("awareness:profile", pk=person.pk)
    return _profile_page(request, pk, 422, interest_form=form)


@require_POST
@page_view
def publications_file(request: AuthedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk, for_write=True)
    refuse_bad_form_text(request)
    form = PublicationFileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_publications(
                by=request.user, person=person, data=upload.read(), filename=upload.name
            )
        except Invalid as err:
            apply_errors(form, err)
        else:
            _imported(request, result, f"Publications from {upload.name}")
            return redirect("awareness:profile", pk=person.pk)
    return _profile_page(request, pk, 422, pub_form=form)


@require_POST
@page_view
def publications_orcid(request: AuthedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk, for_write=True)
    form = OrcidForm(request.POST)
    if form.is_valid():
        try:
            result = services.fetch_publications(
                by=request.user, person=person, orcid=form.cleaned_data["orcid"]
            )
        except Invalid as err:
            apply_errors(form, err)
        else:
            _imported(request, result, "Publications from ORCID")
            return redirect("awareness:profile", pk=person.pk)
    return _profile_page(request, pk, 422, orcid_form=form)


@require_POST
@page_view
def auto_send(request: AuthedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    on = request.POST.get("on") == "1"
    services.set_auto_send(by=request.user, person=person, on=on)
    messages.success(
        request,
        f"{person}'s matches are now sent without review."
        if on
        else f"{person}'s matches wait for your review again.",
    )
    return redirect("awareness:profile", pk=person.pk)
