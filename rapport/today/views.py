"""The home page: the Today page for librarians and admins, the dashboard for managers; and
snoozing a person from it."""

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from rapport.accounts.pages import AuthedRequest, page_view, redirect_back
from rapport.accounts.roles import require_detail
from rapport.errors import Invalid, NotFound
from rapport.people.forms import mention_for
from rapport.people.queries import access_person, groups_for, served_group_ids
from rapport.relationships import services as relationships
from rapport.reports.forms import figures_period
from rapport.today.digest import set_daily_digest
from rapport.today.today import FULL, build
from rapport.touchpoints.stats import dashboard

SNOOZE_CHOICES = {"7": "a week", "14": "two weeks", "30": "a month", "90": "three months"}


PERSON_SECTIONS = ("past_max", "past_ideal", "dropped", "never")
# Sent with every change that can move Today's figures (a snooze, a capture): the Today page
# then asks for fresh counts (`counts`).
CHANGED = "rapport:changed"


def _mentions(today) -> None:
    for key in PERSON_SECTIONS:
        for row in today.section(key).rows:
            row.mention = mention_for(row.person.full_name) + " "


@page_view
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.is_manager:
        form, window = figures_period(request)
        context = {"figures": dashboard(user, window=window), "form": form}
        return render(request, "dashboard.html", context)
    today = build(user)
    # Names only: each group's figures are on its page and the group list.
    groups = list(groups_for(user).filter(pk__in=served_group_ids(user)).only("id", "name"))
    _mentions(today)
    context = {
        "today": today,
        "groups": groups,
        "snooze_choices": SNOOZE_CHOICES,
    }
    return render(request, "today/today.html", context)


@page_view
@require_POST
def snooze(request: AuthedRequest, pk: int) -> HttpResponse:
    """Snooze a person for one of the offered spans (with an optional reason)."""
    person = access_person(request.user, pk)
    days = request.POST.get("days", "")
    if days not in SNOOZE_CHOICES:
        raise Invalid(f"Choose how long to snooze: {', '.join(SNOOZE_CHOICES.values())}.")
    until = timezone.localdate() + dt.timedelta(days=int(days))
    relationships.snooze(
        by=request.user, person=person, until=until, reason=request.POST.get("reason", "")
    )
    text = f"Snoozed {person.full_name} until {until:%a %-d %b}."
    if request.htmx:
        response = render(request, "today/today.html#snoozed", {"text": text})
        response["HX-Trigger"] = CHANGED
        return response
    messages.success(request, text)
    return redirect_back(request)


@page_view
@require_POST
def digest(request: AuthedRequest) -> HttpResponse:
    """Turn my daily digest email on or off."""
    require_detail(request.user, what="people")
    on = request.POST.get("on") == "1"
    if on and not request.user.email:
        raise Invalid("Your account has no email address to send the digest to.")
    set_daily_digest(by=request.user, on=on)
    messages.success(
        request,
        "You will get your Today list by email each morning when something is due."
        if on
        else "No more daily digest emails.",
    )
    return redirect_back(request)


@page_view
def section(request: AuthedRequest, key: str) -> HttpResponse:
    """One section of Today in full ("and 40 more"), up to FULL rows."""
    today = build(request.user, shown=FULL)
    try:
        chosen = today.section(key)
    except StopIteration:
        raise NotFound("Today has no such list.") from None
    _mentions(today)
    context = {"today": today, "section": chosen, "full": True, "snooze_choices": SNOOZE_CHOICES}
    return render(request, "today/section.html", context)


@page_view
def counts(request: AuthedRequest) -> HttpResponse:
    """Today's counts and "more" links, to be swapped in place (out of band) after a change."""
    today = build(request.user)
    return render(request, "today/today.html#counts", {"today": today, "oob": True})
