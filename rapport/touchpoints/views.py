"""Pages for touchpoints: the capture box's target, the full form, one touchpoint."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from rapport.accounts.pages import (
    AuthedRequest,
    apply_errors,
    page_view,
    redirect_back,
)
from rapport.accounts.roles import require_librarian
from rapport.audit.services import record_view
from rapport.concurrency import Changed, show_conflict
from rapport.errors import Invalid, RapportError
from rapport.people.names import UnknownPeople, choices_for
from rapport.people.queries import groups_to_add_to, usual_of, writable_groups
from rapport.people.sharing import colleagues_with
from rapport.touchpoints import confirm, services
from rapport.touchpoints.confirm import Unconfirmed
from rapport.touchpoints.forms import TouchpointForm
from rapport.touchpoints.models import Touchpoint
from rapport.touchpoints.queries import (
    access_touchpoint,
    mark_visible_people,
    may_change_touchpoint,
)


def _autocomplete_url() -> str:
    return reverse("people:person_autocomplete")


def _new_people_group(request: AuthedRequest) -> services.NewPeopleGroup:
    """The group chosen for people the capture creates: none ("") or one the librarian may
    add people to; the usual one when the form did not ask."""
    chosen = request.POST.get("new_group")
    if chosen is None:
        return services.USUAL
    if not chosen:
        return None
    group = writable_groups(request.user).filter(pk=chosen).first() if chosen.isdecimal() else None
    if group is None:
        raise Invalid(
            "You cannot add people to that group: choose one you serve.",
            {"new_group": ["Not a group you serve."]},
        )
    return group


def _confirmed(request: AuthedRequest) -> set[str]:
    return set(request.POST.getlist("confirm")) & confirm.ASKS


CONFIRM_LABELS = {
    confirm.NO_ONE: "Log with no one in particular",
    confirm.AGAIN: "Log it again",
    confirm.LATER: "Keep the words in the note and log",
}


def _asking(request: AuthedRequest, line: str, err: confirm.Unconfirmed) -> dict:
    """What the capture answer needs to ask: the answers given so far and those asked now (as
    hidden fields), the button that confirms them, and for "tomorrow" a request due then."""
    keep = {k: request.POST[k] for k in ("create_missing", "new_group") if k in request.POST}
    answers = sorted(_confirmed(request) | set(err.asks))
    labels = [CONFIRM_LABELS[k] for k in err.asks]
    context = {
        "asks": err.asks,
        "keep": keep,
        "answers": answers,
        "confirm_label": labels[0] if len(labels) == 1 else "Log it as it is",
    }
    if confirm.LATER in err.asks and err.later_on:
        context["request_line"] = f"{line} +request"
        context["request_answers"] = [a for a in answers if a != confirm.LATER]
        context["request_label"] = f"Open a request due {confirm.day(err.later_on)} and log"
    return context


@require_POST
@page_view
def capture(request: AuthedRequest) -> HttpResponse:
    """Log one capture line. HTMX gets the result as a partial; a plain POST is redirected
    back with a message, or shown the problem on a page that keeps the line."""
    require_librarian(request.user, to="log touchpoints")
    line = request.POST.get("line", "")
    context: dict = {"line": line}
    try:
        tp = services.capture(
            by=request.user,
            line=line,
            create_missing=request.POST.get("create_missing") == "1",
            new_people_group=_new_people_group(request),
            confirmed=_confirmed(request),
        )
    except UnknownPeople as err:
        context.update(error=err, unknown=err.unknown, ambiguous=choices_for(line, err.ambiguous))
        if err.unknown:
            groups = groups_to_add_to(request.user)
            context.update(groups=groups, usual=usual_of(groups))
    except Unconfirmed as err:
        context.update(error=err, **_asking(request, line, err))
    except RapportError as err:
        context["error"] = err
    else:
        withheld = {p.pk for p in tp.withheld}
        context.update(
            touchpoint=tp,
            people=[p for p in tp.people.all() if p.pk not in withheld],
            withheld=[
                (p.email or "someone", colleagues_with(p, but=request.user)) for p in tp.withheld
            ],
        )
        if request.htmx:
            response = render(request, "touchpoints/capture.html#result", context)
            response["HX-Trigger"] = "rapport:changed"  # Today's counts refresh
            return response
        names = ", ".join(
            [p.full_name for p in context["people"]] + [a for a, _ in context["withheld"]]
        )
        names = names or "no one in particular"
        messages.success(request, f"Logged {tp.get_kind_display().lower()} with {names}.")
        return redirect_back(request)
    if request.htmx:
        return render(request, "touchpoints/capture.html#result", context, status=422)
    context["capture_line"] = line
    return render(request, "touchpoints/capture.html", context, status=422)


@page_view
def create(request: AuthedRequest) -> HttpResponse:
    """The full form, pre-filled from a capture line when it comes with ?line=."""
    require_librarian(request.user, to="log touchpoints")
    now = timezone.now()
    line = request.GET.get("line", "")
    initial = (
        TouchpointForm.initial_from_line(line, now)
        if line.strip()
        else {"occurred_at": timezone.localtime(now)}
    )
    form = TouchpointForm(
        request.user, request.POST or None, initial=initial, autocomplete_url=_autocomplete_url()
    )
    if form.is_valid():
        try:
            tp = services.create_touchpoint(
                by=request.user, people=form.cleaned_data["people"], **form.service_fields()
            )
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Logged the touchpoint.")
            return redirect("touchpoints:detail", pk=tp.pk)
    status = 422 if form.is_bound else 200
    return render(request, "touchpoints/touchpoint_form.html", {"form": form}, status=status)


@page_view
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    tp = access_touchpoint(request.user, pk)
    if tp.confidential:
        record_view(actor=request.user, obj=tp, where="page")
    mark_visible_people(request.user, [tp])
    context = {"touchpoint": tp, "can_change": may_change_touchpoint(request.user, tp)}
    return render(request, "touchpoints/touchpoint_detail.html", context)


@page_view
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    tp = access_touchpoint(request.user, pk, for_write=True)
    form = TouchpointForm(
        request.user,
        request.POST or None,
        initial=TouchpointForm.initial_for(tp, list(tp.people.all())),
        autocomplete_url=_autocomplete_url(),
        editing=tp,
    )
    if form.is_valid():
        try:
            services.update_touchpoint(
                by=request.user,
                touchpoint=tp,
                people=form.cleaned_data["people"],
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except Changed as err:
            show_conflict(form, err, Touchpoint)
        except Invalid as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Saved the touchpoint.")
            return redirect("touchpoints:detail", pk=tp.pk)
    context = {"form": form, "touchpoint": tp}
    status = 422 if form.is_bound else 200
    return render(request, "touchpoints/touchpoint_form.html", context, status=status)


@page_view
def delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation (no script needed); POST deletes."""
    tp = access_touchpoint(request.user, pk, for_write=True)
    if request.method != "POST":
        return render(request, "touchpoints/touchpoint_delete.html", {"touchpoint": tp})
    services.delete_touchpoint(by=request.user, touchpoint=tp)
    messages.success(request, "Deleted the touchpoint.")
    return redirect("home")
