"""Privacy writes, for administrators: the retention schedule and its runs, erasure, and
subject access (a read, but one the law cares about, so it is audited like a write)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_admin
from rapport.audit.services import diff, record
from rapport.errors import Invalid, NotFound
from rapport.people.models import Person
from rapport.privacy import access, erasure, retention
from rapport.privacy.models import RECORDS, Erasure, RetentionRule, RetentionRun

MAX_MONTHS = 1200  # a century: longer is "keep forever", which an empty field says


@transaction.atomic
def save_retention_rules(*, by: User, months: dict[str, Any]) -> list[RetentionRule]:
    """Set the period of each record named in `months` (a whole number of months, or empty
    for "keep forever"). Records not named keep their period."""
    require_admin(by, to="change the retention schedule")
    known = dict(RECORDS)
    errors: dict[str, list[str]] = {}
    clean: dict[str, int | None] = {}
    for name, value in months.items():
        if name not in known:
            errors[name] = [f"There is no kind of record “{name}”."]
            continue
        if value in (None, ""):
            clean[name] = None
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            number = 0
        if not 1 <= number <= MAX_MONTHS:
            errors[name] = [
                f"{known[name]}: give a whole number of months from 1 to {MAX_MONTHS}, "
                "or leave it empty to keep them forever."
            ]
            continue
        clean[name] = number
    if errors:
        raise Invalid(next(iter(errors.values()))[0], errors)
    before: dict[str, int | None] = dict(RetentionRule.objects.values_list("record", "months"))
    rules = []
    for name, months_set in clean.items():
        rule, _ = RetentionRule.objects.update_or_create(
            record=name, defaults={"months": months_set, "updated_by": by}
        )
        rules.append(rule)
    changes = diff({k: before.get(k) for k in clean}, clean)
    if changes and rules:
        record(
            actor=by,
            action="retention_rules",
            obj=rules[0],
            summary="Retention schedule changed",
            changes=changes,
        )
    return rules


def apply_retention(
    *,
    by: User | None,
    now: dt.datetime | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> RetentionRun:
    """Run the schedule now (`rapport retention`, the daily task, the "Run now" button): strip
    and detach what is past its period, in chunks, then one audit entry with the counts. `by`
    is None when the system runs it (cron, the worker)."""
    require_admin(by, to="run the retention schedule")
    now = now or timezone.now()
    run = RetentionRun.objects.create(started_at=now, by=by)
    figures = retention.run(now, progress)
    with transaction.atomic():
        run.counts = figures.counts
        run.status = RetentionRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "status", "finished_at"])
        record(
            actor=by,
            action="retention",
            obj=run,
            summary=f"Retention run: {figures.total} changes",
            changes=figures.counts,
        )
    return run


def open_subject_access(*, by: User | None, person: Person, where: str = "page") -> dict[str, Any]:
    """Everything held about `person` (see `access`), recorded in the audit trail with the
    confidential touchpoints it disclosed."""
    require_admin(by, to="make a subject access export")
    now = timezone.now()
    with transaction.atomic():
        doc = access.document(person, by=by, now=now)
        record(
            actor=by,
            action="subject_access",
            obj=person,
            summary=f"Subject access ({where})",
            changes={"confidential_touchpoints": access.confidential_ids(doc)},
        )
    return doc


def erase_person(*, by: User | None, person: Person, reference: str = "") -> Erasure:
    """Erase `person` (see `erasure`): identity and text go, the figures stay. `reference`
    says who asked and how (e.g. "e-mail from the person, ticket 123")."""
    require_admin(by, to="erase a person")
    reference = " ".join(reference.split())
    if len(reference) > 200:
        raise Invalid("Keep the reference under 200 characters.", {"reference": ["Too long."]})
    now = timezone.now()
    with transaction.atomic():
        pk = person.pk
        # Read afresh, locked: the caller's copy may predate another erasure (of whoever
        # referred them, say), and an id already erased must not be erased "again".
        fresh = Person.objects.select_for_update().filter(pk=pk).first()
        if fresh is None:
            raise NotFound(f"There is no person {pk}: they may have been erased already.")
        found, files = erasure.erase(fresh, now=now)
        first = found.pop("first_contact_at")
        done = Erasure.objects.create(
            person_id=pk,
            erased_at=now,
            by=by,
            reference=reference,
            first_contact_at=dt.datetime.fromisoformat(first) if first else None,
            counts=found,
        )
        record(
            actor=by,
            action="erase",
            obj=done,
            summary=f"Erased person #{pk}" + (f" ({reference})" if reference else ""),
            changes={"person": pk, **found},
        )
        transaction.on_commit(lambda: _delete_files(files))
    return done


def _delete_files(names: list[str]) -> None:
    """Deliverables' files of stripped requests, once the erasure has committed."""
    for name in names:
        default_storage.delete(name)
