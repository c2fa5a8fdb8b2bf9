"""vCard imports: keep the file, preview it (a dry run), then run it, audited as one entry.

The preview is the real import inside a transaction that is rolled back, so its counts are
exactly what the run will do. The run is one transaction: an import that fails or is stopped
leaves nothing behind, and running the same file again finds every person it created.
"""

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.audit.services import record
from rapport.contacts.importer import Importer, Report
from rapport.contacts.models import ContactImport
from rapport.contacts.reader import read_cards
from rapport.errors import Forbidden, Invalid

log = logging.getLogger(__name__)


class _Rollback(Exception):
    """Raised to undo a dry run after it has counted everything."""


def require_importer(by: User) -> None:
    if by.is_manager:
        raise Forbidden("Managers see aggregate figures only and cannot import people.")


def _fill(job: ContactImport, report: Report) -> None:
    for name in ("cards", "created", "updated", "unchanged", "skipped", "failed"):
        setattr(job, name, getattr(report, name))
    job.problems = [list(p) for p in report.problems]
    job.problem_count = report.problem_count


def _import(job: ContactImport, by: User, progress: Callable[[int], None] | None) -> Report:
    with job.file.open("rb") as stored:
        # The file object itself: Django's File proxies every readline through Python.
        stream = getattr(stored, "file", stored)
        return Importer(by, progress).run(read_cards(stream))


def dry_run(job: ContactImport, by: User, progress: Callable[[int], None] | None = None) -> Report:
    """Everything the import would do, counted, then undone."""
    report = Report()
    try:
        with transaction.atomic():
            report = _import(job, by, progress)
            raise _Rollback
    except _Rollback:
        pass
    return report


def upload_vcards(
    *,
    by: User,
    file: IO[bytes],
    filename: str,
    preview: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ContactImport:
    """Keep an uploaded vCard file and (unless told not to) count what importing it would do."""
    require_importer(by)
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    if size == 0:
        raise Invalid("The file is empty.", {"file": ["The file is empty."]})
    file.seek(0)
    job = ContactImport(
        filename=Path(filename).name[:255], size=size, sha256=digest.hexdigest(), created_by=by
    )
    job.file.save(f"{job.sha256[:16]}.vcf", File(file), save=False)
    report = dry_run(job, by, progress) if preview else Report(cards=-1)
    if report.cards == 0:
        job.file.delete(save=False)
        raise Invalid(
            "No vCards found in that file (nothing between BEGIN:VCARD and END:VCARD).",
            {"file": ["Not a vCard file."]},
        )
    if preview:
        _fill(job, report)
    job.save()
    return job


def start_vcard_import(*, by: User, job: ContactImport) -> ContactImport:
    """Queue a previewed import for the worker."""
    require_importer(by)
    if job.created_by_id != by.pk and not by.is_admin:
        raise Forbidden("Only the person who uploaded this file can run its import.")
    with transaction.atomic():
        updated = ContactImport.objects.filter(
            pk=job.pk, status=ContactImport.Status.PREVIEWED
        ).update(status=ContactImport.Status.QUEUED)
        if not updated:
            raise Invalid("This import has already been started.")
        from rapport.contacts.tasks import enqueue_import

        transaction.on_commit(lambda: enqueue_import(job.pk))
    job.refresh_from_db()
    return job


def run_vcard_import(job_id: int, progress: Callable[[int], None] | None = None) -> ContactImport:
    """Run a queued (or, from the command line, previewed) import; safe to call twice."""
    with transaction.atomic():
        job = ContactImport.objects.select_for_update().get(pk=job_id)
        if job.status not in (ContactImport.Status.QUEUED, ContactImport.Status.PREVIEWED):
            return job
        job.status = ContactImport.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    by = job.created_by
    try:
        if by is None:
            raise Invalid("The librarian who uploaded this file no longer exists.")
        with transaction.atomic():
            report = _import(job, by, progress)
            if report.cards == 0:
                raise Invalid("No vCards found in that file.")
            _fill(job, report)
            job.status = ContactImport.Status.DONE
            job.finished_at = timezone.now()
            job.save()
            record(
                actor=by,
                action="import",
                obj=job,
                summary=(
                    f"vCards from {job.filename}: {report.created} created, "
                    f"{report.updated} updated"
                ),
                changes={
                    "file": job.filename,
                    "sha256": job.sha256,
                    "cards": report.cards,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "skipped": report.skipped,
                    "failed": report.failed,
                    "created_ids": report.created_ids,
                    "updated_ids": report.updated_ids,
                },
            )
    except Exception as exc:
        log.exception("vCard import %s failed", job_id)
        message = exc.message if isinstance(exc, Invalid) else "An unexpected error stopped it."
        ContactImport.objects.filter(pk=job_id).update(
            status=ContactImport.Status.FAILED, error=message[:500], finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    # The people are in the database now; the uploaded copy of their details is not needed.
    job.file.delete(save=True)
    return job
