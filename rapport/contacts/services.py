"""vCard imports as jobs: keep the file, check it (a dry run), then run it; the upload and
the run are each one audit entry.

    upload ──→ checking ──→ previewed ──→ queued ──→ running ──→ done
                  └──→ failed              (the command line goes straight to running)

Checking is the real import inside a transaction that is rolled back, so its counts are
exactly what the run will do. The run is one transaction: an import that fails or is stopped
leaves nothing behind, and running the same file again finds every person it created. Both
happen in the background (`tasks.py`), so a large file never holds a web request; the count
of cards done is noted beside the file as they go (`UploadJob.note_progress`), since the
transaction's own writes are invisible until it ends.

The process checking or running a job holds its lock (`UploadJob.hold`): if it dies, the job
shows that its worker is gone and `resume_vcard_import` starts it again at once (a check or a
run that stopped left nothing behind, being one transaction).
"""

import io
import logging
from collections.abc import Callable
from typing import IO

from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian
from rapport.audit.services import record
from rapport.contacts.importer import Importer, Report
from rapport.contacts.models import ContactImport
from rapport.contacts.queries import access_contact_import
from rapport.contacts.reader import read_cards
from rapport.errors import Invalid
from rapport.uploads.models import this_worker
from rapport.uploads.services import reopen_lost_job, save_upload_job, store_upload

log = logging.getLogger(__name__)
Progress = Callable[[int], None] | None
# A vCard file shows a card in its first megabyte, or it is not one.
SNIFF_BYTES = 1024 * 1024
UNEXPECTED = "An unexpected error stopped it."
Status = ContactImport.Status


class _Rollback(Exception):
    """Raised to undo a dry run after it has counted everything."""


def _fill(job: ContactImport, report: Report) -> None:
    for name in ("cards", "created", "updated", "unchanged", "skipped", "failed"):
        setattr(job, name, getattr(report, name))
    job.problems = [list(p) for p in report.problems]
    job.problem_count = report.problem_count


def _counting(job: ContactImport, progress: Progress) -> Callable[[int], None]:
    """Progress for the page (cards so far, once a batch is written) and for the caller."""
    job.note_progress(0)

    def note(cards: int) -> None:
        job.note_progress(cards)
        if progress:
            progress(cards)

    return note


def _import(job: ContactImport, by: User, progress: Progress) -> Report:
    with job.file.open("rb") as stored:
        # The file object itself: Django's File proxies every readline through Python.
        stream = getattr(stored, "file", stored)
        report = Importer(by, _counting(job, progress)).run(read_cards(stream))
    if report.cards == 0:
        raise Invalid("No vCards found in that file.")
    return report


def upload_vcards(*, by: User, file: IO[bytes], filename: str, check: bool = True) -> ContactImport:
    """Keep a vCard file for import and queue its check (`check=False`: the caller runs it)."""
    require_librarian(by, to="import people")
    stored = store_upload(file, folder=ContactImport.upload_folder, name=filename)
    with stored.full_path.open("rb") as kept:
        head = kept.read(SNIFF_BYTES)
    if next(read_cards(io.BytesIO(head)), None) is None:
        stored.discard()
        raise Invalid(
            "No vCards found in that file (no BEGIN:VCARD); is it an address book export?",
            {"file": ["Not a vCard file."]},
        )
    with transaction.atomic():
        job = save_upload_job(
            ContactImport(status=Status.CHECKING),
            by=by,
            stored=stored,
            summary=f"Uploaded {stored.name} for a vCard import",
        )
        if check:
            _enqueue(job.pk)
    return job


def _enqueue(job_id: int) -> None:
    from rapport.contacts.tasks import enqueue_import

    transaction.on_commit(lambda: enqueue_import(job_id))


def _fail(job: ContactImport, exc: Exception) -> ContactImport:
    if not isinstance(exc, Invalid):
        log.exception("vCard import %s failed", job.pk)
    job.end(Status.FAILED, exc.message if isinstance(exc, Invalid) else UNEXPECTED)
    return ContactImport.objects.get(pk=job.pk)


def _claim(job_id: int, allowed: tuple[str, ...], to: str) -> ContactImport | None:
    """Move the job on, naming this process as its worker, if it is in one of `allowed` and
    no process works it; else None (someone else did it). Hold the job's lock first."""
    with transaction.atomic():
        job = ContactImport.objects.select_for_update().get(pk=job_id)
        if job.status not in allowed or job.worker:
            return None
        job.status = to
        job.started_at = timezone.now()
        job.worker = this_worker()
        job.save(update_fields=["status", "started_at", "worker"])
    return job


def check_vcard_import(job_id: int, progress: Progress = None) -> ContactImport:
    """Count what importing the file would do, change nothing; safe to call twice."""
    job = ContactImport.objects.get(pk=job_id)
    if job.status != Status.CHECKING:
        return job
    with job.hold() as held:
        claimed = held and ContactImport.objects.filter(
            pk=job_id, status=Status.CHECKING, worker=""
        ).update(worker=this_worker())
        if not claimed:
            return ContactImport.objects.get(pk=job_id)
        return _check(job, progress)


def _check(job: ContactImport, progress: Progress) -> ContactImport:
    try:
        if job.created_by is None:
            raise Invalid("The librarian who uploaded this file no longer exists.")
        try:
            with transaction.atomic():
                report = _import(job, job.created_by, progress)
                raise _Rollback
        except _Rollback:
            pass
    except Exception as exc:
        return _fail(job, exc)
    _fill(job, report)
    job.status, job.worker = Status.PREVIEWED, ""
    job.save()
    return job


def start_vcard_import(*, by: User, job: ContactImport) -> ContactImport:
    """Queue a checked import for the worker."""
    job = access_contact_import(by, job.pk, for_write=True)
    with transaction.atomic():
        moved = ContactImport.objects.filter(pk=job.pk, status=Status.PREVIEWED).update(
            status=Status.QUEUED
        )
        if not moved:
            raise Invalid("This import has already been started, or is not checked yet.")
        _enqueue(job.pk)
    job.refresh_from_db()
    return job


@transaction.atomic
def resume_vcard_import(*, by: User, job: ContactImport) -> ContactImport:
    """Start again a check or a run whose worker stopped (killed, crashed): it left nothing
    behind. Invalid while its worker is alive."""
    job = access_contact_import(by, job.pk, for_write=True)
    status = Status.CHECKING if job.status == Status.CHECKING else Status.QUEUED
    job = reopen_lost_job(job, by=by, status=status)
    _enqueue(job.pk)
    return job


def run_vcard_import(job_id: int, progress: Progress = None) -> ContactImport:
    """Run a queued import (from the command line, an unchecked one); safe to call twice."""
    with ContactImport(pk=job_id).hold() as held:
        allowed = (Status.QUEUED, Status.CHECKING, Status.PREVIEWED)
        job = _claim(job_id, allowed, Status.RUNNING) if held else None
        if job is None:
            return ContactImport.objects.get(pk=job_id)
        return _run(job, progress)


def _run(job: ContactImport, progress: Progress) -> ContactImport:
    by = job.created_by
    try:
        if by is None:
            raise Invalid("The librarian who uploaded this file no longer exists.")
        with transaction.atomic():
            report = _import(job, by, progress)
            _fill(job, report)
            job.status, job.worker = Status.DONE, ""
            job.finished_at = timezone.now()
            job.save()
            record(
                actor=by,
                action="import",
                obj=job,
                summary=(
                    f"vCards from {job.original_name}: {report.created} created, "
                    f"{report.updated} updated"
                ),
                changes={
                    "file": job.original_name,
                    "sha256": job.sha256,
                    **{
                        name: getattr(report, name)
                        for name in ("cards", "created", "updated", "unchanged", "skipped")
                    },
                    "failed": report.failed,
                    "created_ids": report.created_ids,
                    "updated_ids": report.updated_ids,
                },
            )
    except Exception as exc:
        return _fail(job, exc)
    # The people are in the database now; the uploaded copy of their details is not needed.
    job.remove_file()
    return job


def work_on(job_id: int) -> ContactImport:
    """What the worker does with a job: check it, or run it, as its status says."""
    job = ContactImport.objects.get(pk=job_id)
    if job.status == Status.CHECKING:
        return check_vcard_import(job_id)
    return run_vcard_import(job_id) if job.status == Status.QUEUED else job
