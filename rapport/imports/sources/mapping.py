"""A mapping from a file's columns and values to the canonical fields; kept as JSON so a job
can store it and a librarian can save it by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rapport.imports.sources.fields import FIELDS_FOR, fold

TARGETS = ("touchpoints", "people")


@dataclass
class Mapping:
    target: str  # "touchpoints" or "people"
    columns: dict[str, list[str]] = field(default_factory=dict)  # field → source column(s)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field → {source: canonical}
    date_format: str = "auto"  # "auto", "dmy", "mdy" or a strptime format
    defaults: dict[str, str] = field(default_factory=dict)  # field → value when empty/absent
    tag_separator: str = " "

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "columns": {k: list(v) for k, v in self.columns.items()},
            "values": {k: dict(v) for k, v in self.values.items()},
            "date_format": self.date_format,
            "defaults": dict(self.defaults),
            "tag_separator": self.tag_separator,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mapping:
        """A mapping from its JSON form; unknown keys are ignored, missing ones defaulted."""
        target = str(data.get("target") or "touchpoints")
        columns = data.get("columns") or {}
        return cls(
            target=target,
            columns={
                str(k): [str(c) for c in (v if isinstance(v, list) else [v]) if c]
                for k, v in columns.items()
            },
            values={
                str(k): {str(a): str(b) for a, b in (v or {}).items()}
                for k, v in (data.get("values") or {}).items()
            },
            date_format=str(data.get("date_format") or "auto"),
            defaults={str(k): str(v) for k, v in (data.get("defaults") or {}).items()},
            tag_separator=str(data.get("tag_separator") or " "),
        )

    def problems(self, headers: list[str]) -> list[str]:
        """What is wrong with this mapping for a file with these headers, in plain words."""
        found: list[str] = []
        if self.target not in TARGETS:
            return [f"'{self.target}' is not something Rapport imports (touchpoints or people)."]
        fields = FIELDS_FOR[self.target]
        known = set(headers)
        for name, columns in self.columns.items():
            if name not in fields:
                found.append(f"'{name}' is not a field of {self.target}.")
                continue
            for column in columns:
                if column not in known:
                    found.append(
                        f"The column '{column}' (for {fields[name].label}) is not in the file."
                    )
        for name in self.defaults:
            if name not in fields:
                found.append(f"'{name}' is not a field of {self.target}.")
        if self.target == "touchpoints" and not (
            self.columns.get("occurred_at") or self.defaults.get("occurred_at")
        ):
            found.append("Choose the column that says when each touchpoint happened.")
        if self.target == "people" and not (
            self.columns.get("full_name")
            or self.columns.get("last_name")
            or self.columns.get("first_name")
            or self.columns.get("email")
        ):
            found.append("Choose the column with each person's name or email.")
        return found


def suggest_mapping(headers: list[str], target: str) -> Mapping:
    """Guess a mapping from the column names alone: each field takes the first column whose
    name is one of its synonyms (exactly, after folding), then one that contains a synonym."""
    fields = FIELDS_FOR.get(target, FIELDS_FOR["touchpoints"])
    folded = [(header, fold(header)) for header in headers]
    used: set[str] = set()
    columns: dict[str, list[str]] = {}
    if target == "touchpoints" and folded and folded[0][1] == "timestamp":
        # A Google Forms sheet: "Email Address" is whoever filled in the form, the librarian.
        respondent = next((h for h, k in folded if k == "emailaddress"), None)
        if respondent:
            columns["staff"] = [respondent]
            used.add(respondent)
    for exact in (True, False):
        for name, spec in fields.items():
            if name in columns or not spec.synonyms:
                continue
            synonyms = [fold(s) for s in spec.synonyms]
            for header, key in folded:
                if header in used or not key:
                    continue
                hit = key in synonyms if exact else any(len(s) > 3 and s in key for s in synonyms)
                if hit:
                    columns[name] = [header]
                    used.add(header)
                    break
    if target == "touchpoints":
        _pair_date_and_time(folded, columns)
    return Mapping(target=target if target in TARGETS else "touchpoints", columns=columns)


def _pair_date_and_time(folded: list[tuple[str, str]], columns: dict[str, list[str]]) -> None:
    """A "Date" column and a separate "Time" column make one moment."""
    chosen = columns.get("occurred_at")
    if not chosen or len(chosen) != 1:
        return
    date_key = fold(chosen[0])
    if "time" in date_key and "date" not in date_key:
        dates = [h for h, k in folded if k.endswith("date") or k == "day"]
        if dates:
            columns["occurred_at"] = [dates[0], chosen[0]]
        return
    if "date" in date_key and "time" not in date_key:
        taken = {c for cols in columns.values() for c in cols}
        times = [
            h
            for h, k in folded
            if h not in taken and k in ("time", "timeasked", "starttime", "questiontime", "hour")
        ]
        if times:
            columns["occurred_at"] = [chosen[0], times[0]]
