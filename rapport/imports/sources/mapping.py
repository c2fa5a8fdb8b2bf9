"""A mapping from a file's columns and values to the canonical fields; kept as JSON so a job
can store it and a librarian can save it by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rapport.imports.sources.fields import FIELDS_FOR
from rapport.imports.sources.guess import Sample, guess_columns

TARGETS = ("touchpoints", "people")


@dataclass
class Mapping:
    target: str  # "touchpoints" or "people"
    columns: dict[str, list[str]] = field(default_factory=dict)  # field → source column(s)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field → {source: canonical}
    date_format: str = "auto"  # "auto", "dmy", "mdy" or a strptime format
    defaults: dict[str, str] = field(default_factory=dict)  # field → value when empty/absent
    tag_separator: str = " "
    # field → the column(s) read when the field's own column is empty on a row ("Date (if not
    # today)", else the form's "Timestamp").
    fallbacks: dict[str, list[str]] = field(default_factory=dict)
    # What the guess was, for the mapping screen: field → {column, score, why}.
    guesses: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "columns": {k: list(v) for k, v in self.columns.items()},
            "values": {k: dict(v) for k, v in self.values.items()},
            "date_format": self.date_format,
            "defaults": dict(self.defaults),
            "tag_separator": self.tag_separator,
            # Left out when empty, so that mappings saved before they existed read the same.
            **({"fallbacks": {k: list(v) for k, v in self.fallbacks.items()}}
               if self.fallbacks else {}),
            **({"guesses": {k: dict(v) for k, v in self.guesses.items()}} if self.guesses else {}),
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mapping:
        """A mapping from its JSON form; unknown keys are ignored, missing ones defaulted."""
        target = str(data.get("target") or "touchpoints")
        columns = data.get("columns") or {}
        fallbacks = data.get("fallbacks") or {}
        guesses = data.get("guesses") or {}
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
            fallbacks={
                str(k): [str(c) for c in (v if isinstance(v, list) else [v]) if c]
                for k, v in fallbacks.items()
                if v
            },
            guesses={
                str(k): {
                    "column": str(v.get("column", "")),
                    "score": _score(v.get("score")),
                    "why": str(v.get("why", "")),
                }
                for k, v in guesses.items()
                if isinstance(v, dict)
            },
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
        for name, columns in self.fallbacks.items():
            if name not in fields:
                found.append(f"'{name}' is not a field of {self.target}.")
                continue
            if not self.columns.get(name):
                found.append(
                    f"{fields[name].label}: choose its own column before the one used when "
                    "it is empty."
                )
            for column in columns:
                if column not in known:
                    found.append(
                        f"The column '{column}' (for {fields[name].label}, when empty) is not "
                        "in the file."
                    )
        found.extend(self._shared(fields))
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

    def _shared(self, fields: dict) -> list[str]:
        """A column chosen for two fields (its time of day and its date excepted: a form's
        Timestamp may give both, and stand in for the date): each column holds one thing."""
        owners: dict[str, list[str]] = {}
        for name, columns in self.columns.items():
            if name in fields and name != "details":
                for column in dict.fromkeys(columns[:1] if name == "occurred_at" else columns):
                    owners.setdefault(column, []).append(fields[name].label)
        return [
            f"The column '{column}' is chosen for both {' and '.join(labels)}: choose it for one."
            for column, labels in owners.items()
            if len(labels) > 1
        ]


def _score(value: Any) -> float:
    try:
        return min(1.0, max(0.0, float(value or 0)))
    except (TypeError, ValueError):
        return 0.0


def suggest_mapping(
    headers: list[str], target: str, samples: dict[str, Sample] | None = None
) -> Mapping:
    """Guess a mapping from the whole column names and, when given, a sample of each
    column's values (guess.py), with how sure each guess is."""
    columns, fallbacks, guesses = guess_columns(headers, target, samples)
    return Mapping(
        target=target if target in TARGETS else "touchpoints",
        columns=columns,
        fallbacks=fallbacks,
        guesses=guesses,
    )
