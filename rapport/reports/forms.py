"""The report filters: a period; a group on the relationship report; a group name on coverage."""

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import flatatt
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from rapport.accounts.models import User
from rapport.reports.figures import (
    DEFAULT_PERIOD,
    MAX_RANGE_YEARS,
    Period,
    academic_year,
    coverage_groups,
    date_range,
    period_for,
    periods,
    years_with_data,
)


class ManyOptionsSelect(forms.Select):
    """A select of many plain options (every group of a large library: thousands), written out
    directly: the stock widget renders a template per option, too slow at that count."""

    def render(
        self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) == chosen else "", label)
                for key, label in self.choices
            ),
        )
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>\n{}\n</select>", flatatt(final), options)


#: The dates a range may take (a report of the future or of antiquity is a typing slip).
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Write the date as year-month-day, such as 2021-09-30."},
    )


class ReportFilterForm(forms.Form):
    """Read from the query string: a period (the last twelve months, or an academic year: the
    years holding data first), or a date range (`from` and `to`), which wins when given. An
    unknown period falls back to the last twelve months; a bad range is reported and the
    report shows the last twelve months. The group is checked by the view through
    access_group, which answers 404 out of scope."""

    # Offered in selects but read leniently (see chosen_period and the view's access_group),
    # so an unknown value is never an error message of its own.
    period = forms.CharField(label="Period", required=False, widget=forms.Select)
    group = forms.CharField(label="Group", required=False, widget=ManyOptionsSelect)
    q = forms.CharField(
        label="Group name",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(
        self,
        user: User,
        data: dict,
        today: dt.date,
        *,
        with_group: bool,
        offer: bool = True,
        years: Callable[[User], list[int]] = years_with_data,
        empty: str = "nothing logged",
        with_name: bool = True,
    ) -> None:
        """`offer`: list the academic years holding data (`years`: those holding touchpoints
        unless told otherwise, `empty` saying a year holds none; three queries). Exports,
        which only read the chosen period, pass False. `with_name`: the group name filter of
        coverage (without `with_group` only)."""
        super().__init__(data)
        self.today = today
        self.fields["from"] = _date_field("From")
        self.fields["to"] = _date_field("To")
        if offer:
            choices = self._period_choices(years(user), empty)
            cast(forms.Select, self.fields["period"].widget).choices = choices
        if with_group:
            everyone = "All groups" if user.is_manager or user.is_admin else "All my groups"
            cast(forms.Select, self.fields["group"].widget).choices = [
                ("", everyone),
                *coverage_groups(user).values_list("pk", "name"),
            ]
            del self.fields["q"]
        else:
            del self.fields["group"]
            if not with_name:  # figures of the library or of one group: no group to find
                del self.fields["q"]

    def _period_choices(self, with_data: list[int], empty: str) -> list[tuple[str, str]]:
        """The last twelve months; the academic years holding data, newest first; then the
        recent years without any; and a year asked for by address."""
        choices = [(DEFAULT_PERIOD, "Last 12 months")]
        choices += [(f"ay{year}", academic_year(year).label) for year in with_data]
        for period in periods(self.today)[1:]:
            if int(period.key[2:]) not in with_data:
                choices.append((period.key, f"{period.label} ({empty})"))
        asked = period_for(str(self.data.get("period") or ""), self.today)
        if asked.key not in {key for key, _ in choices}:
            choices.append((asked.key, f"{asked.label} ({empty})"))
        return choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("from", "to"):
            day = data.get(name)
            if day and not EARLIEST <= day <= LATEST:
                self.add_error(name, f"Give a date from {EARLIEST.year} to {LATEST.year}.")
                data[name] = None
        if any(name in self.errors for name in ("from", "to")):
            return data
        first, last = data.get("from"), data.get("to")
        if last and not first and "from" not in self.errors:
            self.add_error("from", "Give the first day of the range as well.")
        elif first:
            end = last or self.today
            ends = f"ends on {_day(end)}" if last else f"would end today, {_day(end)}"
            if first > end:
                raise forms.ValidationError(
                    f"The range starts on {_day(first)}, after it {ends}: "
                    "give the earlier date in “From”."
                )
            if end - first > dt.timedelta(days=366 * MAX_RANGE_YEARS):
                raise forms.ValidationError(
                    f"Choose a range of at most {MAX_RANGE_YEARS} years, or an academic year."
                )
        return data

    @property
    def asks_range(self) -> bool:
        return bool(self.data.get("from") or self.data.get("to"))

    @property
    def range_problem(self) -> bool:
        """A date range was given but cannot be used (the form's errors say why)."""
        if not self.asks_range:
            return False
        self.is_valid()
        problem = any(key in self.errors for key in ("from", "to", NON_FIELD_ERRORS))
        if problem:  # the date boxes point at the reason given above the filters
            for name in ("from", "to"):
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": "report-filter-errors"}
                )
        return problem

    @property
    def chosen_period(self) -> Period:
        """The date range when one is given and sound; else the chosen period."""
        if self.asks_range and not self.range_problem:
            first = self.cleaned_data["from"]
            return date_range(first, self.cleaned_data["to"] or self.today)
        return period_for(self.data.get("period") or DEFAULT_PERIOD, self.today)

    @property
    def chosen_group(self) -> str:
        return str(self.data.get("group") or "").strip()

    @property
    def chosen_name(self) -> str:
        """The group name filter of coverage, trimmed to the field's length."""
        return str(self.data.get("q") or "").strip()[:100]


def figures_period(request: HttpRequest) -> tuple[ReportFilterForm, tuple[dt.date, dt.date] | None]:
    """The period box and date range of a figures page (the library's dashboard, a group's
    figures), and the days it asks for: None when nothing was asked (the last twelve months
    up to now)."""
    form = ReportFilterForm(
        cast(User, request.user),
        request.GET,
        timezone.localdate(),
        with_group=False,
        with_name=False,
    )
    if not (request.GET.get("period") or form.asks_range):
        return form, None
    period = form.chosen_period
    return form, (period.first, period.end)
