"""The report filters: a period and, on the relationship report, one group."""

import datetime as dt
from typing import cast

from django import forms

from rapport.accounts.models import User
from rapport.reports.figures import DEFAULT_PERIOD, Period, coverage_groups, period_for, periods


class ReportFilterForm(forms.Form):
    """Read from the query string; an unknown period falls back to the last twelve months.
    The group is checked by the view through get_group_for, which answers 404 out of scope."""

    period = forms.ChoiceField(label="Period", required=False)
    group = forms.ChoiceField(label="Group", required=False)

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
                *((g.pk, g.name) for g in coverage_groups(user)),
            ]
        else:
            del self.fields["group"]

    @property
    def chosen_period(self) -> Period:
        return period_for(self.data.get("period") or DEFAULT_PERIOD, self.today)

    @property
    def chosen_group(self) -> str:
        return str(self.data.get("group") or "").strip()
