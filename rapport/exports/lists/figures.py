"""The report tables: coverage by group and by librarian, and the relationship report's
months, ladder and READ mix. Figures only, for every role, over the page's period and group."""

from collections.abc import Iterator

from django.http import QueryDict
from django.utils import timezone

from rapport.accounts.models import User
from rapport.exports.registry import Column, Selection, exportable
from rapport.people.queries import access_group
from rapport.relationships.models import Stage
from rapport.reports import figures
from rapport.reports.forms import ReportFilterForm

#: Coverage works a chunk of groups at a time: each row costs its members' cadences.
COVERAGE_CHUNK = 50


def _stage(index: int) -> Column:
    return Column(Stage.labels[index], lambda r: r.stages[index])


COVERAGE_COLUMNS = (
    Column("Members", lambda r: r.members),
    *(_stage(i) for i in range(len(Stage))),
    Column("Never contacted", lambda r: r.never_contacted),
    Column("With a cadence", lambda r: r.with_cadence),
    Column("Overdue", lambda r: r.overdue),
    Column("Hours", lambda r: r.hours),
    Column("Questions and consultations", lambda r: r.requests),
    Column("From the relationship", lambda r: r.relationship_requests),
)


def _form(user: User, params: QueryDict, *, with_group: bool) -> ReportFilterForm:
    return ReportFilterForm(user, params, timezone.localdate(), with_group=with_group, offer=False)


@exportable(
    "coverage-groups",
    "Coverage by group",
    (Column("Group", lambda r: r.name), *COVERAGE_COLUMNS),
    managers=True,
)
def coverage_groups(user: User, params: QueryDict) -> Selection:
    """Every group of the coverage page (all pages), with its name filter and period."""
    form = _form(user, params, with_group=False)
    period = form.chosen_period

    def rows() -> Iterator[figures.CoverageRow]:
        groups = list(figures.coverage_groups(user, name=form.chosen_name))
        for start in range(0, len(groups), COVERAGE_CHUNK):
            chunk = groups[start : start + COVERAGE_CHUNK]
            yield from figures.coverage(user, period, groups=chunk, librarians=[]).groups

    return Selection(rows(), period.label)


@exportable(
    "coverage-librarians",
    "Coverage by librarian",
    (Column("Librarian", lambda r: r.name), *COVERAGE_COLUMNS),
    managers=True,
)
def coverage_librarians(user: User, params: QueryDict) -> Selection:
    period = _form(user, params, with_group=False).chosen_period
    found = figures.coverage(user, period, groups=[], librarians=figures.coverage_librarians(user))
    return Selection(found.librarians, period.label)


def _report(user: User, params: QueryDict) -> tuple[figures.Report, str]:
    form = _form(user, params, with_group=True)
    group = access_group(user, form.chosen_group) if form.chosen_group else None
    found = figures.report(user, form.chosen_period, group=group)
    label = f"{group.name} {found.period.label}" if group else found.period.label
    return found, label


@exportable(
    "report-months",
    "Touchpoints and people by month",
    (
        Column("Month", lambda m: m.month.strftime("%Y-%m")),
        Column("Through the relationship", lambda m: m.relationship),
        Column("Through the desk", lambda m: m.desk),
        Column("Touchpoints", lambda m: m.total),
        Column("New people", lambda m: m.new_people),
        Column("Repeat people", lambda m: m.repeat_people),
    ),
    managers=True,
)
def report_months(user: User, params: QueryDict) -> Selection:
    found, label = _report(user, params)
    return Selection(found.months, label)


@exportable(
    "report-stages",
    "People at each stage",
    (Column("Stage", lambda r: r[0].label), Column("People", lambda r: r[1])),
    managers=True,
)
def report_stages(user: User, params: QueryDict) -> Selection:
    found, label = _report(user, params)
    return Selection(found.stages, label)


@exportable(
    "report-read",
    "Touchpoints per READ level",
    (Column("READ level", lambda r: r[0]), Column("Touchpoints", lambda r: r[1])),
    managers=True,
)
def report_read(user: User, params: QueryDict) -> Selection:
    found, label = _report(user, params)
    return Selection(found.read_levels, label)
