"""Finding duplicate candidates: blocking keys, evidence in words, and a score.

Nobody compares 100,000 people with each other. Each person is filed under a few keys (each
e-mail address, the ORCID, the directory id, and each full word of the name within the
department) and only people sharing a key are compared; then every pair's evidence is weighed
as a whole. Pure Python over plain rows; `services.run_scan` reads the rows and stores pairs.
"""

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapport.duplicates.names import blocking_words, compare_names, department_key, fold

# The weights of each piece of evidence. A pair is proposed at MIN_SCORE or more; the score is
# kept between 0 and 100.
SAME_ORCID = 60
SAME_DIRECTORY_ID = 60
SAME_EMAIL = 50
SAME_NAME = 35
SIMILAR_NAME = 25
SAME_DEPARTMENT = 15  # only together with a same or similar name
NAMES_DIFFER = -10  # when other evidence brought the pair together
DIFFERENT_ORCID = -60
DIFFERENT_DIRECTORY_ID = -40
MIN_SCORE = 40

#: An address, ORCID or directory id shared by more people than this is a shared mailbox or a
#: data-entry error, not evidence about any two of them.
MAX_SHARED_KEY = 5
#: Name words within one department: more people than this under one word (a very common name
#: in a very large department) are still compared, but only this many of them.
MAX_NAME_BLOCK = 300


@dataclass(frozen=True)
class PersonRow:
    """What the scan needs of a person."""

    id: int
    full_name: str
    emails: tuple[str, ...] = ()
    orcid: str = ""
    directory_id: str = ""
    department: str = ""


@dataclass
class Found:
    """A candidate pair, lower id first, with its score and the evidence in words."""

    a: int
    b: int
    score: int
    evidence: list[str] = field(default_factory=list)


def row_of(
    pk: int,
    full_name: str,
    email: str,
    other_emails: object,
    orcid: str,
    directory_id: str,
    department: str,
) -> PersonRow:
    """A PersonRow from the columns as stored (other_emails is a JSON list)."""
    extra = other_emails if isinstance(other_emails, list) else []
    emails = tuple(dict.fromkeys(e.strip().lower() for e in [email, *extra] if str(e).strip()))
    return PersonRow(
        id=pk,
        full_name=full_name,
        emails=emails,
        orcid=(orcid or "").strip().upper(),
        directory_id=fold((directory_id or "").strip()),
        department=(department or "").strip(),
    )


def weigh(a: PersonRow, b: PersonRow) -> Found:
    """Every piece of evidence about two people, and the score it adds up to."""
    score, evidence = 0, []
    shared = [e for e in a.emails if e in b.emails]
    if shared:
        score += SAME_EMAIL
        evidence.append(f"same e-mail {', '.join(shared)}")
    if a.orcid and b.orcid:
        if a.orcid == b.orcid:
            score += SAME_ORCID
            evidence.append(f"same ORCID {a.orcid}")
        else:
            score += DIFFERENT_ORCID
            evidence.append(f"different ORCIDs {a.orcid} and {b.orcid}")
    if a.directory_id and b.directory_id:
        if a.directory_id == b.directory_id:
            score += SAME_DIRECTORY_ID
            evidence.append(f"same directory id {a.directory_id}")
        else:
            score += DIFFERENT_DIRECTORY_ID
            evidence.append(f"different directory ids {a.directory_id} and {b.directory_id}")
    names = compare_names(a.full_name, b.full_name)
    if names == "same":
        score += SAME_NAME
        both = f"'{a.full_name}'"
        if a.full_name != b.full_name:
            both = f"'{a.full_name}' and '{b.full_name}'"
        evidence.append(f"same name {both}")
    elif names == "similar":
        score += SIMILAR_NAME
        evidence.append(f"names '{a.full_name}' and '{b.full_name}'")
    else:
        score += NAMES_DIFFER
        evidence.append(f"different names '{a.full_name}' and '{b.full_name}'")
    if names and a.department and department_key(a.department) == department_key(b.department):
        score += SAME_DEPARTMENT
        evidence.append(f"same department {a.department}")
    low, high = (a.id, b.id) if a.id < b.id else (b.id, a.id)
    return Found(low, high, max(0, min(100, score)), evidence)


def blocks(rows: Iterable[PersonRow]) -> dict[tuple[str, str], list[int]]:
    """Each blocking key with the ids filed under it (keys with one person left out)."""
    filed: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in rows:
        for address in row.emails:
            filed[("email", address)].append(row.id)
        if row.orcid:
            filed[("orcid", row.orcid)].append(row.id)
        if row.directory_id:
            filed[("directory", row.directory_id)].append(row.id)
        if row.department:
            dept = department_key(row.department)
            for word in blocking_words(row.full_name):
                filed[("name", f"{dept}|{word}")].append(row.id)
    return {key: ids for key, ids in filed.items() if len(ids) > 1}


def candidate_pairs(filed: dict[tuple[str, str], list[int]]) -> set[tuple[int, int]]:
    """The pairs worth weighing: people who share at least one usable key."""
    pairs: set[tuple[int, int]] = set()
    for (kind, _), ids in filed.items():
        if kind != "name" and len(ids) > MAX_SHARED_KEY:
            continue
        members = sorted(set(ids))[:MAX_NAME_BLOCK]
        pairs.update(itertools.combinations(members, 2))
    return pairs


def find(
    rows: list[PersonRow],
    *,
    skip: set[tuple[int, int]] = frozenset(),  # type: ignore[assignment]
    progress: Callable[[int, int], None] | None = None,
) -> list[Found]:
    """The candidate pairs among these people scoring MIN_SCORE or more, best first; pairs in
    `skip` (marked "not a duplicate", lower id first) are never proposed."""
    by_id = {row.id: row for row in rows}
    pairs = sorted(candidate_pairs(blocks(rows)) - set(skip))
    found = []
    step = max(1, len(pairs) // 20)
    for done, (a, b) in enumerate(pairs, 1):
        pair = weigh(by_id[a], by_id[b])
        if pair.score >= MIN_SCORE:
            found.append(pair)
        if progress and done % step == 0:
            progress(done, len(pairs))
    if progress:
        progress(len(pairs), len(pairs))
    found.sort(key=lambda p: (-p.score, p.a, p.b))
    return found
