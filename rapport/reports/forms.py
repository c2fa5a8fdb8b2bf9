"""The report filters: a period; a group on the relationship report; a group name on coverage."""

import datetime as dt
from typing import Any, cast

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from rapport.accounts.models import User
from rapport.reports.figures import DEFAULT_PERIOD, Period, coverage_groups, period_for, periods


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


class ReportFilterForm(forms.Form):
    """Read from the query string; an unknown period falls back to the last twelve months.
    The group is checked by the view through access_group, which answers 404 out of scope."""

    period = forms.ChoiceField(label="Period", required=False)
    group = forms.ChoiceField(label="Group", required=False, widget=ManyOptionsSelect)
    q = forms.CharField(
        label="Group name",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, user: User, data: dict, today: dt.date, *, with_group: bool) -> None:
        super().__init__(data)
        self.today = today
        cast(forms.ChoiceField, self.fields["period"]).choices = [
            (p.key, p.label) for p in periods(today)
        ]
        if with_group:
            everyone = "All groups" if user.is_manager or user.is_admin else "All my groups"
            cast(forms.ChoiceField, self.fields["group"]).choices = [
                ("", everyone),
                *coverage_groups(user).values_list("pk", "name"),
            ]
            del self.fields["q"]
        else:
            del self.fields["group"]

    @property
    def chosen_period(self) -> Period:
        return period_for(self.data.get("period") or DEFAULT_PERIOD, self.today)

    @property
    def chosen_group(self) -> str:
        return str(self.data.get("group") or "").strip()

    @property
    def chosen_name(self) -> str:
        """The group name filter of coverage, trimmed to the field's length."""
        return str(self.data.get("q") or "").strip()[:100]
