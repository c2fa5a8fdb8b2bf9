"""Report pages: coverage and the relationship report (figures for every role), and briefs
(names and text, so librarians only)."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from rapport.accounts.pages import (
    MAX_PAGE,
    AuthedRequest,
    Page,
    page_view,
    paginate,
)
from rapport.accounts.roles import require_detail
from rapport.audit.services import record_view
from rapport.people.queries import access_group, access_person
from rapport.reports import briefs, charts, figures
from rapport.reports import stories as told
from rapport.reports.forms import ReportFilterForm


@page_view
def index(request: AuthedRequest) -> HttpResponse:
    return redirect("reports:coverage")


#: Coverage is worked out for the rows on screen only: each row costs its members' cadences.
GROUPS_PER_PAGE = 50
LIBRARIANS_PER_PAGE = 10


@page_view
def coverage(request: AuthedRequest) -> HttpResponse:
    """A page of groups (`?page=`, `?q=` a name) and a page of librarians (`?lpage=`)."""
    form = ReportFilterForm(request.user, request.GET, timezone.localdate(), with_group=False)
    groups = paginate(
        figures.coverage_groups(request.user, name=form.chosen_name), request, GROUPS_PER_PAGE
    )
    librarians = _second_page(figures.coverage_librarians(request.user), request)
    found = figures.coverage(
        request.user, form.chosen_period, groups=groups.items, librarians=librarians.items
    )
    context = {
        "form": form,
        "coverage": found,
        "groups": groups,
        "librarians": librarians,
        "print_view": wants_print(request),
    }
    return render(request, "reports/coverage.html", context)


def wants_print(request: AuthedRequest) -> bool:
    """`?print=1`: the report laid out for paper (no filters or downloads, every chart's
    numbers open), with a Print button."""
    return request.GET.get("print") == "1"


def _second_page(rows: list, request: AuthedRequest) -> Page:
    """The librarians' page, numbered by `?lpage=` so it turns apart from the groups' page
    (`paginate` reads `?page=`)."""
    try:
        number = min(max(int(request.GET.get("lpage", "1")), 1), MAX_PAGE)
    except ValueError:
        number = 1
    offset = (number - 1) * LIBRARIANS_PER_PAGE
    items = rows[offset : offset + LIBRARIANS_PER_PAGE + 1]
    return Page(
        items=items[:LIBRARIANS_PER_PAGE],
        number=number,
        has_next=len(items) > LIBRARIANS_PER_PAGE,
        size=LIBRARIANS_PER_PAGE,
    )


@page_view
def relationships(request: AuthedRequest) -> HttpResponse:
    form = ReportFilterForm(request.user, request.GET, timezone.localdate(), with_group=True)
    group = access_group(request.user, form.chosen_group) if form.chosen_group else None
    report = figures.report(request.user, form.chosen_period, group=group)
    context = {
        "form": form,
        "report": report,
        "charts": report_charts(report),
        "print_view": wants_print(request),
    }
    return render(request, "reports/relationships.html", context)


#: Impact stories are long: a page of them at a time.
STORIES_PER_PAGE = 20


@page_view
def stories(request: AuthedRequest) -> HttpResponse:
    """Impact stories told in a period or date range, for every role (a manager reads the
    stories alone, not the requests: see rapport/reports/stories.py); `?tag=` one tag."""
    form = ReportFilterForm(
        request.user,
        request.GET,
        timezone.localdate(),
        with_group=True,
        years=told.years_with_stories,
        empty="no story",
    )
    group = access_group(request.user, form.chosen_group) if form.chosen_group else None
    period, tag = form.chosen_period, str(request.GET.get("tag") or "").strip()[:60]
    page = paginate(
        told.stories(request.user, period, group=group, tag=tag), request, STORIES_PER_PAGE
    )
    context = {
        "form": form,
        "period": period,
        "group": group,
        "tag": tag.lstrip("#").lower(),
        "page": page,
        "stories": [told.to_story(row) for row in page.items],
        "tally": told.tally(request.user, period, group=group, tag=tag),
        "print_view": wants_print(request),
    }
    return render(request, "reports/stories.html", context)


def report_charts(report: figures.Report) -> dict[str, charts.Chart]:
    months = [m.label for m in report.months]
    # Month names alone within a year; with the year's last two digits over a longer range.
    short_form = "%b" if len(report.months) <= 12 else "%b %y"
    short = [m.month.strftime(short_form) for m in report.months]
    return {
        "origins": charts.stacked_bar(
            "chart-origins",
            "Touchpoints per month, through the relationship or the desk",
            months,
            [
                ("Relationship", [m.relationship for m in report.months]),
                ("Desk", [m.desk for m in report.months]),
            ],
            axis_labels=short,
        ),
        "people": charts.stacked_bar(
            "chart-people",
            "People contacted per month, new and repeat",
            months,
            [
                ("New", [m.new_people for m in report.months]),
                ("Repeat", [m.repeat_people for m in report.months]),
            ],
            axis_labels=short,
        ),
        "funnel": charts.funnel(
            "chart-funnel",
            "The ladder: people at each stage",
            [stage.label for stage, _ in report.stages],
            [n for _, n in report.stages],
        ),
        "read": charts.bar(
            "chart-read",
            "Touchpoints per READ level",
            [label for label, _ in report.read_levels],
            [n for _, n in report.read_levels],
            axis_labels=[
                label.removeprefix("READ ") if label != figures.NO_READ else "—"
                for label, _ in report.read_levels
            ],
        ),
    }


@page_view
def person_brief(request: AuthedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    record_view(actor=request.user, obj=person, where="brief")
    context = {"brief": briefs.person_brief(request.user, person)}
    return render(request, "reports/person_brief.html", context)


@page_view
def group_brief(request: AuthedRequest, pk: int) -> HttpResponse:
    require_detail(request.user, what="people")
    group = access_group(request.user, pk)
    context = {"brief": briefs.group_brief(request.user, group)}
    return render(request, "reports/group_brief.html", context)
