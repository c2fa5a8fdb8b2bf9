"""A job's report in words (the command line and the page say the same) and as CSV."""

import csv
from collections.abc import Iterator

from rapport.imports.models import ImportJob, Target
from rapport.imports.queries import issues_for
from rapport.imports.sources import Mapping
from rapport.imports.sources.fields import TOUCHPOINT_FIELDS
from rapport.imports.sources.guess import LIKELY
from rapport.imports.sources.values import is_range, parse_minutes

CSV_HEADER = ["row", "level", "message"]
SHOWN_UNKNOWN = 10


def counts_line(counts: dict[str, int], *, dry_run: bool) -> str:
    verbs = ("would be created", "would be updated") if dry_run else ("created", "updated")
    return (
        f"{counts.get('created', 0):,} {verbs[0]}, {counts.get('updated', 0):,} {verbs[1]}, "
        f"{counts.get('skipped', 0):,} skipped (already there), "
        f"{counts.get('failed', 0):,} failed"
    )


def summary_lines(job: ImportJob, phase: str) -> list[str]:
    """Plain sentences about a phase ("check" or "run"): counts, people, unknown values."""
    dry_run = phase == "check"
    counts = job.dry_run if dry_run else {
        "created": job.created, "updated": job.updated, "skipped": job.skipped,
        "failed": job.failed,
    }  # fmt: skip
    noun = "Touchpoints" if job.target == "touchpoints" else "People"
    lines = [f"{noun}: {counts_line(counts, dry_run=dry_run)}."]
    bag = job.summary.get(phase, {})
    would = "would be " if dry_run else ""
    if bag.get("people_created"):
        hedge = " (at most: a name may repeat across chunks)" if dry_run else ""
        lines.append(
            f"People {would}created for rows that named someone new: "
            f"{bag['people_created']:,}{hedge}."
        )
    if bag.get("anonymous"):
        lines.append(f"Rows without a person (anonymous touchpoints, still counted in the "
                     f"figures): {bag['anonymous']:,}.")  # fmt: skip
    if bag.get("memberships"):
        lines.append(f"Memberships {would}added: {bag['memberships']:,}.")
    fallback = job.staff_fallback or job.created_by
    for key, label in (("unknown_staff", "Unknown staff"), ("unknown_groups", "Unknown groups")):
        unknown = bag.get(key) or {}
        if unknown:
            shown = ", ".join(f"{v} ({n:,})" for v, n in list(unknown.items())[:SHOWN_UNKNOWN])
            more = (
                f" and {len(unknown) - SHOWN_UNKNOWN} more" if len(unknown) > SHOWN_UNKNOWN else ""
            )
            who = fallback.display_name if fallback else "the librarian who uploaded the file"
            then = (f"logged as {who}" if key == "unknown_staff"
                    else "rows kept without a group")  # fmt: skip
            lines.append(f"{label}: {shown}{more}; {then}.")
    if job.target == Target.TOUCHPOINTS:
        mapping = Mapping.from_json(job.mapping)
        lines.extend(_ranges(job, mapping))
        lines.extend(_looks_wrong(job, mapping, bag))
    issues = bag.get("issues", 0)
    if issues:
        lines.append(f"{issues:,} row error{'s' if issues != 1 else ''} and warnings "
                     "listed in the report.")  # fmt: skip
    return lines


SHOWN_RANGES = 6
# Fields a reference log is read for: when nothing is mapped to one, the report says so.
MAIN_FIELDS = ("occurred_at", "channel", "kind", "minutes", "question", "staff")
# Fields whose one value on every row is worth a warning even with no column mapped.
ALWAYS_TOLD = ("channel", "kind")


def _ranges(job: ImportJob, mapping: Mapping) -> list[str]:
    """Minutes written as ranges ("5–15 min") are read as one number: say which and how."""
    kept = job.preview.get("distinct", {}) if job.preview else {}
    found = [v for c in mapping.columns.get("minutes", []) for v in kept.get(c, []) if is_range(v)]
    read: list[tuple[str, int]] = []
    for text in found:
        minutes = parse_minutes(text)
        if minutes is not None:
            read.append((text, minutes))
    read.sort(key=lambda pair: pair[1])
    if not read:
        return []
    shown = ", ".join(f"“{v}” as {n}" for v, n in read[:SHOWN_RANGES])
    more = " and others alike" if len(read) > SHOWN_RANGES else ""
    return [
        f"Time spent given as a range was read as the middle of the range, in minutes: {shown}"
        f"{more}. “Under” a time is read as half of it; “over” a time or “60+” as that time."
    ]


def _looks_wrong(job: ImportJob, mapping: Mapping, bag: dict) -> list[str]:
    """Warnings for a result that looks wrong: a generic file's weak guess (the main fields it
    left unmapped, the guesses it was unsure of) and a field with one value on every row."""
    lines: list[str] = []
    if job.format == "generic":
        unmapped = [
            TOUCHPOINT_FIELDS[name].label
            for name in MAIN_FIELDS
            if not mapping.columns.get(name) and not mapping.defaults.get(name)
        ]
        unsure = [
            f"{TOUCHPOINT_FIELDS[name].label} ← “{g['column']}” ({g['score']:.0%})"
            for name in TOUCHPOINT_FIELDS  # in the fields' order (PostgreSQL reorders JSON keys)
            if (g := mapping.guesses.get(name))
            and g["score"] < LIKELY
            and mapping.columns.get(name, [""])[0] == g["column"]
        ]
        if unmapped:
            lines.append(f"Check the columns: no column is mapped to {_and(unmapped)}.")
        if unsure:
            lines.append(f"Check the columns: these were guessed without much certainty: "
                         f"{'; '.join(unsure)}.")  # fmt: skip
    rows = sum(n for key, n in bag.items() if key.startswith("value:kind:"))
    if rows < 2:
        return lines
    for name in ("kind", "channel", "origin", "initiated_by", "person_status"):
        mapped = bool(mapping.columns.get(name))
        told = name in ALWAYS_TOLD and job.format != "generic"  # else said unmapped above
        if not (mapped or told) or mapping.defaults.get(name):
            continue
        values = {k.rsplit(":", 1)[1]: n for k, n in bag.items() if k.startswith(f"value:{name}:")}
        if len(values) == 1:
            value = next(iter(values))
            spec = TOUCHPOINT_FIELDS[name]
            label = dict(spec.choices).get(value, value)
            why = f"from “{mapping.columns[name][0]}”" if mapped else "as no column is mapped to it"
            lines.append(
                f"Every row has the same {spec.label.lower()}, {label} ({why}): check that "
                "this is right."
            )
    mixed = bag.get("email_kind_other_channel", 0)
    if mixed:
        lines.append(
            f"{mixed:,} row{'s are' if mixed != 1 else ' is'} of kind Email but not by email: "
            "check the columns for kind and channel."
        )
    if mapping.columns.get("minutes") and bag.get("no_minutes", 0) >= rows:
        lines.append(
            f"No row has minutes, though “{mapping.columns['minutes'][0]}” is mapped to them: "
            "check the column."
        )
    return lines


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class _Echo:
    def write(self, value: str) -> str:
        return value


def issues_csv(job: ImportJob, phase: str) -> Iterator[str]:
    """The phase's per-row errors and warnings as CSV lines, streamed."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for row, level, message in (
        issues_for(job, phase).values_list("row", "level", "message").iterator(chunk_size=2_000)
    ):
        # A spreadsheet would run a message starting with = + - @ as a formula.
        yield writer.writerow(
            [row, level, "'" + message if message.startswith(("=", "+", "-", "@")) else message]
        )
    total = job.summary.get(phase, {}).get("issues", 0)
    stored = issues_for(job, phase).count()
    if total > stored:
        yield writer.writerow(
            ["", "note", f"{total - stored:,} more not kept; fix the mapping and try again."]
        )
