"""The relationship panel's forms (stage, cadence, snooze) and the cadence rules pages.

The panel lives on the person page; its forms post here and come back to it, or show it again
with the errors (422). Rules: librarians read them, administrators change them.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.accounts.pages import AuthedRequest, apply_errors, page_view
from rapport.accounts.roles import require_admin
from rapport.errors import Invalid
from rapport.people.models import Person
from rapport.people.queries import access_person
from rapport.people.views import _person_page
from rapport.relationships import services
from rapport.relationships.forms import CadenceForm, RuleForm, SnoozeForm, StageForm
from rapport.relationships.models import Stage
from rapport.relationships.queries import access_rule, rule_conditions, rules_for


def _back(person: Person) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("people:person_detail", args=[person.pk]) + "#relationship")


def _again(request: AuthedRequest, person: Person, name: str, form: forms.Form) -> HttpResponse:
    """The person page again, with this form's errors, as 422."""
    return _person_page(request, person, forms={name: form}, status=422)


@require_POST
@page_view
def stage(request: AuthedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    form = StageForm(request.POST)
    if form.is_valid():
        chosen = form.stage_to_set()
        try:
            services.override_stage(
                by=request.user, person=person, stage=chosen, reason=form.cleaned_data["reason"]
            )
        except Invalid as err:
            apply_errors(form, err)
        else:
            if chosen is None:
                done = f"{person.full_name}'s stage follows the rules again."
            else:
                done = f"{person.full_name}'s stage set to {Stage(chosen).label}."
            messages.success(request, done)
            return _back(person)
    return _again(request, person, "stage_form", form)


@require_POST
@page_view
def cadence(request: AuthedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    form = CadenceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "rules":
                services.clear_cadence(by=request.user, person=person)
                done = "Cadence back to the rules"
            elif data["action"] == "none":
                services.set_cadence(
                    by=request.user,
                    person=person,
                    ideal_days=None,
                    max_days=None,
                    reason=data["reason"],
                )
                done = "No cadence kept for now"
            else:
                services.set_cadence(
                    by=request.user,
                    person=person,
                    ideal_days=data["ideal_days"],
                    max_days=data["max_days"],
                    reason=data["reason"],
                )
                done = f"Cadence set: every {data['ideal_days']}–{data['max_days']} days"
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"{done} for {person.full_name}.")
            return _back(person)
    return _again(request, person, "cadence_form", form)


@require_POST
@page_view
def snooze(request: AuthedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    form = SnoozeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "end":
                services.unsnooze(by=request.user, person=person)
                done = f"{person.full_name} is back on your Today page."
            else:
                item = services.snooze(
                    by=request.user, person=person, until=data["until"], reason=data["reason"]
                )
                done = f"{person.full_name} snoozed until {item.until:%-d %b %Y}."
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, done)
            return _back(person)
    return _again(request, person, "snooze_form", form)


# Cadence rules


@page_view
def rule_list(request: AuthedRequest) -> HttpResponse:
    rules = [(rule, rule_conditions(rule)) for rule in rules_for(request.user)]
    return render(request, "relationships/rule_list.html", {"rules": rules})


def _rule_form_page(
    request: AuthedRequest, form: RuleForm, rule: Any = None, status: int = 200
) -> HttpResponse:
    return render(
        request, "relationships/rule_form.html", {"form": form, "rule": rule}, status=status
    )


@page_view
def rule_create(request: AuthedRequest) -> HttpResponse:
    require_admin(request.user, to="change the cadence rules (librarians may read them)")
    form = RuleForm(request.user, request.POST or None, initial={"position": 100, "active": True})
    if form.is_valid():
        try:
            rule = services.create_rule(by=request.user, **form.cleaned_data)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Added the cadence rule {rule.name}.")
            return redirect("relationships:rules")
    return _rule_form_page(request, form, status=422 if form.is_bound else 200)


@page_view
def rule_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    rule = access_rule(request.user, pk, for_write=True)
    form = RuleForm(request.user, request.POST or None, initial=RuleForm.initial_for(rule))
    if form.is_valid():
        try:
            rule = services.update_rule(by=request.user, rule=rule, **form.cleaned_data)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Saved the cadence rule {rule.name}.")
            return redirect("relationships:rules")
    return _rule_form_page(request, form, rule, status=422 if form.is_bound else 200)


@require_POST
@page_view
def rule_active(request: AuthedRequest, pk: int) -> HttpResponse:
    """Deactivate a rule (kept, not tried) or turn it back on, from the rules list."""
    rule = access_rule(request.user, pk, for_write=True)
    rule = services.update_rule(by=request.user, rule=rule, active=not rule.active)
    state = "back on" if rule.active else "off; it is kept but not tried"
    messages.success(request, f"The cadence rule {rule.name} is {state}.")
    return redirect("relationships:rules")
