"""A job's report in words (the command line and the page say the same) and as CSV."""

import csv
from collections.abc import Iterator

from rapport.imports.models import ImportJob
from rapport.imports.queries import issues_for

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
    issues = bag.get("issues", 0)
    if issues:
        lines.append(f"{issues:,} row error{'s' if issues != 1 else ''} and warnings "
                     "listed in the report.")  # fmt: skip
    return lines


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
