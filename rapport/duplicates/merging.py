"""Merging two people into one, and undoing it exactly.

Everything in Rapport that points at a person is found from the models themselves (every
foreign key to `Person`, the many-to-many link tables included), so a table added later is
moved too. Each row of the merged person moves to the survivor, unless the survivor already has
the row a unique constraint allows once (the same touchpoint, request, contact, interest term,
publication title, item match, snooze): then one of the two is set aside, deleted and kept
whole in the merge's log. One-per-person rows (subscription, own cadence) move only when the
survivor has none, else they stay with the merged person, who is archived, never deleted.
The log lists the ids of every row moved, every row set aside and both people's fields before
and after, which is all `undo_merge` needs to put everything back.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_detail
from rapport.audit.services import record
from rapport.concurrency import next_version
from rapport.duplicates.models import Merge
from rapport.duplicates.queries import active_merge_of, survivor_of
from rapport.duplicates.rows import bump_versions, dump, move_rows, put_back
from rapport.errors import Invalid, NotFound
from rapport.people.models import Person
from rapport.people.queries import people_for
from rapport.relationships.models import Relationship
from rapport.relationships.services import refresh
from rapport.webhooks.events import emit

#: Fields whose value the librarian chooses when the two differ ("keep" or "merge").
CHOICE_FIELDS = [
    "full_name",
    "email",
    "orcid",
    "directory_id",
    "job_title",
    "status",
    "department",
    "building",
    "room",
    "desk",
    "referred_by",
]
#: The survivor's fields a merge may change (and an undo restores).
KEEP_FIELDS = [*CHOICE_FIELDS, "other_emails", "notes", "search_text", "updated_at"]
#: The merged person's: archived, and no longer counted as referred by anyone (the survivor is).
MERGED_FIELDS = ["archived_at", "referred_by", "updated_at"]
SIDES = ("keep", "merge")


def _values(person: Person, names: list[str]) -> dict[str, Any]:
    """Fields as JSON-ready values, to store and compare."""
    return dump([person], names)[0]["fields"]


def _apply(pk: int, values: dict[str, Any]) -> None:
    """Write JSON-ready field values back to a person, without touching anything else."""
    update = {}
    for name, value in values.items():
        field = Person._meta.get_field(name)
        update[field.attname] = field.to_python(value)  # type: ignore[union-attr]
    Person.objects.filter(pk=pk).update(**update, version=next_version())


def _empty(value: object) -> bool:
    return value in (None, "", [])


def _clean_choices(choices: dict[str, str] | None) -> dict[str, str]:
    choices = dict(choices or {})
    unknown = sorted(set(choices) - set(CHOICE_FIELDS))
    if unknown:
        raise Invalid(f"There is no field {', '.join(unknown)} to choose between.")
    bad = sorted(name for name, side in choices.items() if side not in SIDES)
    if bad:
        raise Invalid(f"Choose whose {bad[0].replace('_', ' ')} to keep: “keep” or “merge”.")
    return choices


def _check(by: User, keep: Person, merge: Person) -> tuple[Person, Person]:
    """Both people, locked and fresh, or the error that says why they cannot be merged."""
    require_detail(by, what="people or their duplicates")
    if keep.pk == merge.pk:
        raise Invalid("A person cannot be merged with themselves; choose two different people.")
    visible = set(
        people_for(by, include_archived=True)
        .filter(pk__in=[keep.pk, merge.pk])
        .values_list("pk", flat=True)
    )
    for person in (merge, keep):
        # A merged person's links went to the survivor: whoever sees the survivor is told.
        done = active_merge_of(person)
        if done is not None and people_for(by).filter(pk=survivor_of(person).pk).exists():
            raise Invalid(
                f"{person.full_name} was already merged into {done.keep_name}; "
                "undo that merge first if it was wrong."
            )
    for person in (keep, merge):
        if person.pk not in visible:
            raise NotFound(f"There is no person {person.pk} that you can see.")
    locked = Person.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk]).order_by("pk")
    fresh = {p.pk: p for p in locked}
    keep, merge = fresh[keep.pk], fresh[merge.pk]
    for person in (merge, keep):
        if active_merge_of(person) is not None:
            raise Invalid(f"{person.full_name} was already merged; undo that merge first.")
    if keep.archived_at is not None:
        raise Invalid(f"{keep.full_name} is archived; restore them before merging into them.")
    return keep, merge


def _survivor_fields(keep: Person, merge: Person, choices: dict[str, str]) -> dict[str, str]:
    """Set the survivor's fields from the choices; returns whose value each field took."""
    addresses = [keep.email, merge.email, *keep.other_emails, *merge.other_emails]
    used = {}
    for name in CHOICE_FIELDS:
        attname = Person._meta.get_field(name).attname  # type: ignore[union-attr]
        mine, theirs = getattr(keep, attname), getattr(merge, attname)
        side = choices.get(name) or ("merge" if _empty(mine) and not _empty(theirs) else "keep")
        used[name] = side
        setattr(keep, attname, theirs if side == "merge" else mine)
    if keep.referred_by_id in (keep.pk, merge.pk):
        keep.referred_by_id = None  # nobody refers themselves
    primary = keep.email.strip().lower()
    keep.other_emails = [
        a for a in dict.fromkeys(str(x).strip().lower() for x in addresses) if a and a != primary
    ]
    notes = [n.strip() for n in (keep.notes, merge.notes) if n.strip()]
    if len(notes) == 2 and notes[1] not in notes[0]:
        keep.notes = f"{notes[0]}\n\n{notes[1]}"
    elif notes:
        keep.notes = notes[0]
    keep.refresh_search_text()
    keep.updated_at = timezone.now()
    return used


def _copy_stage_override(keep: Person, merge: Person) -> dict[str, Any] | None:
    """A stage set by hand on the merged person carries over, unless the survivor has one."""
    theirs = Relationship.objects.filter(person=merge, stage_override__isnull=False).first()
    if theirs is None:
        return None
    refresh([keep.pk])
    mine = Relationship.objects.get(person=keep)
    if mine.stage_override is not None:
        return None
    Relationship.objects.filter(person=keep).update(
        stage_override=theirs.stage_override, stage_reason=theirs.stage_reason
    )
    return {"stage_override": theirs.stage_override, "stage_reason": theirs.stage_reason}


@transaction.atomic
def merge_people(
    *, by: User, keep: Person, merge: Person, choices: dict[str, str] | None = None
) -> Merge:
    """Merge `merge` into `keep`: every touchpoint, membership, request, contact, referral,
    interest, publication, match, subscription, digest, cadence and snooze moves to `keep`;
    `choices` says per differing field whose value stays ("keep" or "merge", default the
    survivor's unless empty); e-mail addresses and notes are combined. `merge` is archived."""
    chosen = _clean_choices(choices)
    keep, merge = _check(by, keep, merge)
    had_relationship = sorted(
        Relationship.objects.filter(person__in=[keep, merge]).values_list("person_id", flat=True)
    )
    referrers = [keep.referred_by_id, merge.referred_by_id]
    log: dict[str, Any] = {
        "moved": [],
        "deleted": [],
        "stayed": [],
        "keep_before": _values(keep, KEEP_FIELDS),
        "merged_before": _values(merge, MERGED_FIELDS),
        "had_relationship": had_relationship,
    }
    used = _survivor_fields(keep, merge, chosen)
    log["keep_after"] = _values(keep, KEEP_FIELDS)
    _apply(keep.pk, log["keep_after"])
    merge.archived_at = merge.archived_at or timezone.now()
    merge.referred_by_id = None
    merge.updated_at = timezone.now()
    log["merged_after"] = _values(merge, MERGED_FIELDS)
    _apply(merge.pk, log["merged_after"])
    move_rows(keep, merge, log)
    bump_versions(log)
    log["stage"] = _copy_stage_override(keep, merge)
    refresh([keep.pk, merge.pk, keep.referred_by_id, *referrers])
    done = Merge.objects.create(
        keep=keep,
        merged=merge,
        keep_name=keep.full_name,
        merged_name=merge.full_name,
        choices=used,
        log=log,
        by=by,
    )
    moved = {entry["model"]: len(entry["pks"]) for entry in log["moved"]}
    changes = {
        name: [log["keep_before"][name], value]
        for name, value in log["keep_after"].items()
        if name not in ("updated_at", "search_text") and log["keep_before"][name] != value
    }
    summary = f"{merge.full_name} (#{merge.pk}) merged into {keep.full_name} (#{keep.pk})"
    # Both were locked fresh by _check, and _apply counted one edit on each.
    record(
        actor=by,
        action="merge",
        obj=keep,
        summary=summary,
        changes={
            **changes,
            "merge": done.pk,
            "merged": merge.pk,
            "moved": moved,
            "version": [keep.version, keep.version + 1],
        },
    )
    record(
        actor=by,
        action="merged",
        obj=merge,
        summary=summary,
        changes={"merge": done.pk, "version": [merge.version, merge.version + 1]},
    )
    emit(
        "person.merged",
        {
            "merge": done.pk,
            "keep": {"id": keep.pk, "name": keep.full_name},
            "merged": {"id": merge.pk, "name": merge.full_name},
            "at": done.at.isoformat(),
        },
    )
    return done


def _restore(pk: int, before: dict[str, Any], after: dict[str, Any], now: dict[str, Any]) -> None:
    """Put back the fields the merge changed, unless someone has changed them since."""
    back = {
        name: value
        for name, value in before.items()
        if after.get(name) != value and now.get(name) == after.get(name)
    }
    if back:
        _apply(pk, back)


@transaction.atomic
def undo_merge(*, by: User, merge: Merge) -> Merge:
    """Put back precisely what a merge moved and set aside, and both people's fields; the
    merged person is active again (unless they were archived before the merge)."""
    require_detail(by, what="people or their duplicates")
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise Invalid(f"This merge was already undone on {merge.undone_at:%d %b %Y}.")
    later = active_merge_of(merge.keep)
    # The merged person's links went to the survivor: whoever sees the survivor may undo.
    if not people_for(by, include_archived=True).filter(pk=survivor_of(merge.keep).pk).exists():
        raise NotFound(f"There is no merge {merge.pk} that you can see.")
    if later is not None:
        raise Invalid(
            f"{merge.keep_name} has since been merged into {later.keep_name}; undo that first."
        )
    keep, merged = merge.keep, merge.merged
    list(Person.objects.select_for_update().filter(pk__in=[keep.pk, merged.pk]).order_by("pk"))
    log = merge.log
    try:
        with transaction.atomic():
            put_back(keep, merged, log)
    except IntegrityError:
        raise Invalid(
            "This merge cannot be undone automatically: rows it moved or set aside clash with "
            "changes made since."
        ) from None
    bump_versions(log)
    keep.refresh_from_db()
    merged.refresh_from_db()
    versions = {keep.pk: keep.version, merged.pk: merged.version}
    _restore(keep.pk, log["keep_before"], log["keep_after"], _values(keep, KEEP_FIELDS))
    _restore(merged.pk, log["merged_before"], log["merged_after"], _values(merged, MERGED_FIELDS))
    if log.get("stage"):
        Relationship.objects.filter(person=keep, **log["stage"]).update(
            stage_override=None, stage_reason=""
        )
    keep.refresh_from_db()
    merged.refresh_from_db()
    before = log["keep_before"]["referred_by"], log["merged_before"]["referred_by"]
    refresh([keep.pk, merged.pk, keep.referred_by_id, merged.referred_by_id, *before])
    Relationship.objects.filter(
        person__in=[keep.pk, merged.pk],
    ).exclude(person__in=log["had_relationship"]).delete()
    merge.undone_at = timezone.now()
    merge.undone_by = by
    merge.save(update_fields=["undone_at", "undone_by"])
    summary = f"Merge of {merge.merged_name} (#{merged.pk}) into {merge.keep_name} undone"
    for person, action in ((keep, "undo_merge"), (merged, "unmerged")):
        changes: dict[str, Any] = {"merge": merge.pk}
        if person.version != versions[person.pk]:  # _restore put fields back: an edit
            changes["version"] = [versions[person.pk], person.version]
        record(actor=by, action=action, obj=person, summary=summary, changes=changes)
    return merge
