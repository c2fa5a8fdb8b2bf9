"""The formats Rapport reads, and detection: the best score wins; generic when unsure."""

from rapport.imports.sources.formats.base import Format, Generic
from rapport.imports.sources.formats.desktracker import DESK_TRACKER, DESK_TRACKER_LONG
from rapport.imports.sources.formats.gimlet import GIMLET
from rapport.imports.sources.formats.libanswers import LIBANSWERS
from rapport.imports.sources.formats.libinsight import LIBINSIGHT
from rapport.imports.sources.formats.libstats import LIBSTATS
from rapport.imports.sources.table import Table

GENERIC = Generic(name="generic", label="Any spreadsheet (touchpoints)")
PEOPLE = Generic(name="people", label="Any spreadsheet (people)", target="people")

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        LIBANSWERS, GIMLET, LIBSTATS, LIBINSIGHT, DESK_TRACKER, DESK_TRACKER_LONG, GENERIC, PEOPLE,
    )
}  # fmt: skip

SURE = 0.5  # below this score a file is read as a generic spreadsheet


def detect(table: Table) -> tuple[Format, float]:
    """The format that best fits the table's headers and its score (generic when unsure)."""
    best: Format = GENERIC
    best_score = GENERIC.score(table.headers)
    for fmt in FORMATS.values():
        if fmt.target != "touchpoints" or fmt is GENERIC:
            continue
        score = fmt.score(table.headers)
        if score > best_score:
            best, best_score = fmt, score
    if best_score < SURE:
        return GENERIC, GENERIC.score(table.headers)
    return best, best_score


__all__ = ["FORMATS", "GENERIC", "PEOPLE", "Format", "detect"]
