"""Names in a file → rows in Rapport: staff to librarians, group names to groups.

Both are small tables, read once per job into plain dicts; what matches nothing is counted, so
the report can name every unknown value and how often it came.
"""

from collections import Counter

from rapport.accounts.models import User
from rapport.accounts.queries import librarians
from rapport.people.models import Group


def _fold(value: str) -> str:
    return " ".join(str(value).split()).casefold()


class StaffMap:
    """Staff as other systems record them (initials, user name, full name or e-mail) →
    librarian ids. Unknown or empty staff go to `fallback` and are counted."""

    def __init__(self, fallback: User) -> None:
        self.fallback = fallback.pk
        self.known: dict[str, int] = {}
        self.unknown: Counter[str] = Counter()
        # Initials last, so that they win over a user name that happens to equal them.
        for user in librarians().order_by("-pk"):
            names = [user.username, user.email, user.get_full_name(), user.initials]
            for name in names:
                if name and name.strip():
                    self.known[_fold(name)] = user.pk

    def author(self, staff: str | None) -> tuple[int, bool]:
        """The librarian id for this value, and whether it was recognised."""
        if not staff or not str(staff).strip():
            return self.fallback, True
        found = self.known.get(_fold(staff))
        if found is None:
            self.unknown[str(staff).strip()] += 1
            return self.fallback, False
        return found, True


class GroupMap:
    """Group names (any case and spacing) → group ids; unknown names are counted."""

    def __init__(self) -> None:
        self.known = {
            _fold(name): pk
            for pk, name in Group.objects.filter(archived_at=None)
            .order_by("-pk")
            .values_list("pk", "name")
        }
        self.unknown: Counter[str] = Counter()

    def get(self, name: str | None) -> tuple[int | None, bool]:
        if not name or not str(name).strip():
            return None, True
        found = self.known.get(_fold(name))
        if found is None:
            self.unknown[str(name).strip()] += 1
            return None, False
        return found, True


def merge_counts(summary: dict, key: str, counts: Counter[str]) -> None:
    """Add `counts` into summary[key] (a JSON object of value → count)."""
    merged = Counter(summary.get(key, {}))
    merged.update(counts)
    if merged:
        summary[key] = dict(merged.most_common())
    counts.clear()
