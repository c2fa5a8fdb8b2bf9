"""What every format shares: a score from the headers it knows, a default mapping built from
its column names (with the generic guesses for whatever it does not name), and rows through
the mapping. Formats that reshape rows (Desk Tracker's long export) override `rows`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from rapport.imports.sources.apply import Row, apply_mapping
from rapport.imports.sources.fields import fold
from rapport.imports.sources.guess import Sample
from rapport.imports.sources.mapping import Mapping, suggest_mapping
from rapport.imports.sources.table import Table


@dataclass
class Format:
    name: str
    label: str
    target: str = "touchpoints"
    # Folded header names that mark this format: all of `required` must be there, and the
    # score grows with how many of `typical` are.
    required: tuple[str, ...] = ()
    typical: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # headers another format has, that rule this one out
    # field → header names to look for, in order (folded when compared).
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Columns kept in details; when empty, every column not mapped to a field is kept.
    keep: tuple[str, ...] = ()
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    date_format: str = "auto"
    tag_separator: str = " "
    defaults: dict[str, str] = field(default_factory=dict)

    def score(self, headers: list[str]) -> float:
        """0..1: how sure it is that a file with these headers is in this format."""
        found = {fold(h) for h in headers}
        if not self.required or not all(fold(r) in found for r in self.required):
            return 0.0
        if any(fold(x) in found for x in self.excluded):
            return 0.0
        if not self.typical:
            return 0.9
        hits = sum(1 for t in self.typical if fold(t) in found)
        return round(0.5 + 0.5 * hits / len(self.typical), 3)

    def default_mapping(
        self, headers: list[str], samples: dict[str, Sample] | None = None
    ) -> Mapping:
        by_fold: dict[str, str] = {}
        for header in headers:
            by_fold.setdefault(fold(header), header)
        columns: dict[str, list[str]] = {}
        for name, candidates in self.columns.items():
            chosen: list[str] = []
            for candidate in candidates:
                for part in candidate.split("+"):
                    found = by_fold.get(fold(part))
                    if found is None:
                        chosen = []
                        break
                    chosen.append(found)
                if chosen:
                    break
            if chosen:
                columns[name] = chosen
        kept = [by_fold[fold(k)] for k in self.keep if fold(k) in by_fold]
        if kept:
            columns["details"] = kept
        guessed = suggest_mapping(headers, self.target, samples)
        taken = {c for cols in columns.values() for c in cols}
        guesses = {}
        for name, cols in guessed.columns.items():
            # A known format's columns are known: a column it leaves out is not taken for a
            # field on its values alone (LibAnswers' "Dataset" stays in the details).
            if guessed.guesses.get(name, {}).get("why") == "values":
                continue
            if name not in columns and not taken.intersection(cols):
                columns[name] = cols
                taken.update(cols)
                if name in guessed.guesses:
                    guesses[name] = guessed.guesses[name]
        return Mapping(
            target=self.target,
            columns=columns,
            values={k: dict(v) for k, v in self.values.items()},
            date_format=self.date_format,
            defaults=dict(self.defaults),
            tag_separator=self.tag_separator,
            guesses=guesses,
        )

    def columns_of(self, table: Table) -> list[str]:
        """The columns a mapping for this table may name: its headers, or for a format that
        reshapes rows, the columns of the reshaped rows (offer these on a mapping screen)."""
        return list(table.headers)

    def rows(self, table: Table, mapping: Mapping) -> Iterator[Row]:
        return apply_mapping(table, mapping)


class Generic(Format):
    """Any spreadsheet: the mapping is guessed from the column names, then the librarian's."""

    def score(self, headers: list[str]) -> float:
        return 0.1

    def default_mapping(
        self, headers: list[str], samples: dict[str, Sample] | None = None
    ) -> Mapping:
        return suggest_mapping(headers, self.target, samples)
