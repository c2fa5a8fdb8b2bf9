"""Access-scoped reads of duplicate candidates, merges and "not a duplicate" marks.

A librarian sees a pair only when they may see both people (`people_for`); managers see none.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from rapport.access import scoped_row
from rapport.accounts.models import User
from rapport.accounts.roles import require_detail, require_librarian
from rapport.duplicates import finding
from rapport.duplicates.models import Candidate, Merge, NotDuplicate, Scan
from rapport.errors import NotFound
from rapport.people.models import Person
from rapport.people.queries import access_person, people_for


def candidates_for(user: User) -> QuerySet[Candidate]:
    """Pairs of active people the user may both see, best first."""
    require_detail(user, what="people or their duplicates")
    visible = people_for(user).values("pk")
    return (
        Candidate.objects.filter(person_a__in=visible, person_b__in=visible)
        .select_related("person_a", "person_b")
        .order_by("-score", "id")
    )


def candidates_of(user: User, person: Person) -> QuerySet[Candidate]:
    """The stored pairs one person is in, among people the user may see, best first."""
    return candidates_for(user).filter(Q(person_a=person) | Q(person_b=person))


def access_pair(
    user: User, a: int | str, b: int | str, *, for_write: bool = False
) -> tuple[Person, Person]:
    """Two different people the user may see (archived ones too: a merge may be undone); for
    a write (a merge, a "not a duplicate" mark), two a librarian may change."""
    require_detail(user, what="people or their duplicates")
    first = access_person(user, a, for_write=for_write)
    second = access_person(user, b, for_write=for_write)
    if first.pk == second.pk:
        raise NotFound("That is one person twice, not a pair.")
    return first, second


def stored_pair(a: Person, b: Person) -> Candidate | None:
    low, high = sorted([a.pk, b.pk])
    return Candidate.objects.filter(person_a_id=low, person_b_id=high).first()


def merges_for(user: User) -> QuerySet[Merge]:
    """Merges (undone ones too) into people the user may see, newest first. The merged person's
    links (memberships, contacts) moved to the survivor, so the survivor decides."""
    require_detail(user, what="people or their duplicates")
    visible = people_for(user, include_archived=True).values("pk")
    return (
        Merge.objects.filter(keep__in=visible)
        .select_related("by", "undone_by")
        .order_by("-at", "-id")
    )


def access_merge(user: User, pk: int | str, *, for_write: bool = False) -> Merge:
    """A merge of people the user may see; for a write (undoing it), a librarian's."""
    if for_write:
        require_librarian(user, to="merge people")
    return scoped_row(
        merges_for(user),
        pk,
        for_write=for_write,
        missing=f"There is no merge {pk} that you can see.",
    )


def not_duplicates_for(user: User) -> QuerySet[NotDuplicate]:
    require_detail(user, what="people or their duplicates")
    visible = people_for(user, include_archived=True).values("pk")
    return (
        NotDuplicate.objects.filter(person_a__in=visible, person_b__in=visible)
        .select_related("person_a", "person_b", "by")
        .order_by("-at", "-id")
    )


def access_not_duplicate(user: User, pk: int | str, *, for_write: bool = False) -> NotDuplicate:
    """A "not a duplicate" mark on people the user may see; for a write (undoing it), a
    librarian's."""
    if for_write:
        require_librarian(user, to="merge people")
    return scoped_row(
        not_duplicates_for(user),
        pk,
        for_write=for_write,
        missing=f"There is no “not a duplicate” mark {pk} that you can see.",
    )


def active_merge_of(person: Person) -> Merge | None:
    """The merge that folded this person into another, if it has not been undone."""
    return Merge.objects.filter(merged=person, undone_at__isnull=True).first()


def survivor_of(person: Person) -> Person:
    """The person this one now lives on as (itself unless merged), following merges of merges:
    for importers that find an archived, merged person by e-mail or ORCID."""
    seen = {person.pk}
    while (merge := active_merge_of(person)) is not None and merge.keep_id not in seen:
        person = merge.keep
        seen.add(person.pk)
    return person


def survivor_ids(ids: Iterable[int]) -> dict[int, int]:
    """For each of these people merged into another (and not undone), the id of the person
    they now live on as, following merges of merges; people never merged are left out. A few
    queries for any number of ids: for importers, which find people by e-mail, ORCID or
    directory id, values a merged record keeps."""
    ids = list(ids)
    final: dict[int, int] = {}
    step: dict[int, int] = {}
    merges = Merge.objects.filter(undone_at__isnull=True)
    wanted = set(ids) if merges.exists() else set()
    while wanted:
        batch = sorted(wanted)
        found: dict[int, int] = {}
        for start in range(0, len(batch), 500):  # well under every backend's parameter limit
            found.update(
                merges.filter(merged_id__in=batch[start : start + 500]).values_list(
                    "merged_id", "keep_id"
                )
            )
        step.update(found)
        wanted = set(found.values()) - step.keys()
    for start in ids:
        pk, seen = start, {start}
        while pk in step and step[pk] not in seen:
            pk = step[pk]
            seen.add(pk)
        if pk != start:
            final[start] = pk
    return final


def survivors(people: Iterable[Person]) -> dict[int, Person]:
    """`survivor_ids` with the surviving people loaded: merged person's id → survivor."""
    ids = survivor_ids([p.pk for p in people])
    loaded = Person.objects.in_bulk(set(ids.values()))
    return {merged: loaded[keep] for merged, keep in ids.items() if keep in loaded}


def latest_scan() -> Scan | None:
    return Scan.objects.order_by("-created_at", "-id").first()


def access_scan(user: User, pk: int | str, *, for_write: bool = False) -> Scan:
    """Scans hold no personal data, only counts; any librarian may follow (or start) one."""
    require_detail(user, what="people or their duplicates")
    return scoped_row(
        Scan.objects.all(), pk, for_write=for_write, missing=f"There is no duplicate scan {pk}."
    )


def person_columns(ids: list[int]) -> list[tuple]:
    """The columns the evidence is weighed on, for these people."""
    columns = ("pk", "full_name", "email", "other_emails", "orcid", "directory_id", "department")
    return list(Person.objects.filter(pk__in=ids).order_by("pk").values_list(*columns))


def evidence_between(a: Person, b: Person) -> finding.Found:
    """The evidence about two people as they are now (for the pair page)."""
    rows = {row[0]: finding.row_of(*row) for row in person_columns([a.pk, b.pk])}
    return finding.weigh(rows[a.pk], rows[b.pk])


def history_counts(person: Person) -> dict[str, int]:
    """How much each record carries, for choosing which one stays (counts only, no content)."""
    from rapport.awareness.models import Interest, Publication
    from rapport.requests.models import Request

    return {
        "touchpoints": person.participations.count(),
        "memberships": person.memberships.count(),
        "requests": Request.objects.filter(people=person).count(),
        "publications": Publication.objects.filter(person=person).count(),
        "interests": Interest.objects.filter(person=person).count(),
        "referrals": Person.objects.filter(referred_by=person).count(),
    }
