"""Every aggregate figure the reports show, for the figures-identical tests: the dashboards
(`touchpoints.stats`), coverage and the relationship report (`reports.figures`), for each
period offered, each group and each role that sees them."""

import dataclasses
import datetime as dt
from typing import Any

from django.utils import timezone

from rapport.accounts.models import User
from rapport.people.models import Group
from rapport.reports import figures
from rapport.touchpoints import stats


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Group):
        return value.pk
    return value


def work(user: User, now: dt.datetime, groups: list[Group]) -> dict[str, Any]:
    """Figures about work done: touchpoints, minutes, kinds, channels, origins, months,
    groups, READ levels, and the people contacted per month (new and repeat)."""
    today = timezone.localdate(now)
    out: dict[str, Any] = {"dashboard": _plain(stats.dashboard(user, now=now))}
    for group in groups:
        out[f"group {group.pk}"] = _plain(stats.group_figures(user, group, now=now))
        counts = stats.group_counts(user, [group])[group.pk]
        out[f"group {group.pk} touchpoints"] = (counts.touchpoints, counts.last_at)
    for period in figures.periods(today):
        report = figures.report(user, period, now=now)
        out[f"report {period.key}"] = _plain(report.months) + _plain(report.read_levels)
        cover = figures.coverage(user, period, now=now)
        out[f"coverage work {period.key}"] = [
            (row.pk, row.minutes, row.requests, row.relationship_requests)
            for row in cover.groups + cover.librarians
        ]
        for group in groups:
            one = figures.report(user, period, group=group, now=now)
            out[f"report {period.key} {group.pk}"] = _plain(one.months) + _plain(one.read_levels)
    return out


def population(user: User, now: dt.datetime, groups: list[Group]) -> dict[str, Any]:
    """Figures about who is there today: members by stage, never contacted, overdue, the
    ladder; these follow the people themselves."""
    today = timezone.localdate(now)
    out: dict[str, Any] = {}
    for group in groups:
        counts = stats.group_counts(user, [group])[group.pk]
        out[f"group {group.pk} members"] = (counts.members, counts.never_contacted)
    for period in figures.periods(today)[:1]:
        cover = figures.coverage(user, period, now=now)
        out["coverage people"] = [
            (row.pk, row.stages, row.never_contacted, row.with_cadence, row.overdue)
            for row in cover.groups + cover.librarians
        ]
        out["ladder"] = _plain(figures.report(user, period, now=now).stages)
        for group in groups:
            ladder = figures.report(user, period, group=group, now=now).stages
            out[f"ladder {group.pk}"] = _plain(ladder)
    return out


def everything(user: User, now: dt.datetime, groups: list[Group]) -> dict[str, Any]:
    return {**work(user, now, groups), **population(user, now, groups)}
