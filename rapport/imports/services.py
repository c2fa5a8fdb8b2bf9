"""Writes to import jobs and saved mappings: upload, mapping, check (the dry run), run, resume
(the verbs every upload job answers to: `rapport.uploads.lifecycle`).

Uploading stores the file (size-limited, hashed). A text file (CSV, TSV) is read there and
then, a bounded amount (its first 256 KiB, its headings, 500 rows cut short): its format is
detected and its preview kept, so a file that cannot be read is refused before any job exists.
A workbook (XLSX: a zip archive, which may unpack to far more than it weighs) is never opened
in the web process: the job waits as "reading" for `rapport worker`, which checks the archive,
reads it, and fails the job with the reason if it cannot. The dry run and the run are queued
too, or worked at once for small text files (`INLINE_BYTES`); see `engine.py` for the work.
"""

import logging
from typing import IO, Any

from django.db import transaction

from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian
from rapport.audit.services import record
from rapport.errors import Invalid
from rapport.imports.files import check_format, check_mapping, detect_file, is_workbook
from rapport.imports.models import ImportIssue, ImportJob, SavedMapping, Target
from rapport.imports.queries import access_import
from rapport.imports.sources import Unreadable
from rapport.uploads.lifecycle import queue
from rapport.uploads.services import save_upload_job, store_upload

INLINE_BYTES = 256 * 1024  # smaller files are checked and run in the request itself
Status = ImportJob.Status
logger = logging.getLogger(__name__)


def _require_file(job: ImportJob) -> None:
    if not job.file:
        raise Invalid("This file was refused or has been removed; upload it again.")


def upload(
    *,
    by: User,
    stream: IO[bytes],
    name: str,
    how: str = "auto",
    target: str = Target.TOUCHPOINTS,
    format: str = "",
    mapping: SavedMapping | None = None,
    sheet: str = "",
) -> ImportJob:
    """Store an uploaded file and, for a text file, detect its format and propose a mapping;
    a workbook is read by the worker (`how`: see `_work`). Nothing imported."""
    require_librarian(by, to="import")
    if target not in Target.values:
        raise Invalid(f"Import “{target}”? Choose touchpoints or people.", {"target": ["?"]})
    if mapping is not None and mapping.target != target:
        raise Invalid(
            f"The saved mapping “{mapping.name}” is for {mapping.get_target_display().lower()}.",
            {"mapping": ["Wrong kind of import."]},
        )
    chosen = format or (mapping.format if mapping else "")
    check_format(chosen, target)
    stored = store_upload(stream, folder=ImportJob.upload_folder, name=name)
    try:
        if is_workbook(stored.full_path):
            job = ImportJob(status=Status.READING, format=chosen, sheet=sheet[:100])
        else:
            found, shown = detect_file(stored.full_path, target=target, format=chosen, sheet=sheet)
            job = ImportJob(
                format=found.format,
                score=found.score,
                sheet=found.sheet,
                sheets=found.sheets,
                mapping=found.mapping,
                preview=shown,
            )
    except Unreadable as err:
        stored.discard()
        raise Invalid(str(err), {"file": [str(err)]}) from None
    except BaseException:
        stored.discard()
        raise
    job.target, job.saved_mapping = target, mapping
    if mapping is not None:
        job.mapping = mapping.mapping
    with transaction.atomic():
        job = save_upload_job(
            job,
            by=by,
            stored=stored,
            summary=f"Uploaded {stored.name} for import ({job.format or 'a workbook'})",
            changes={"format": job.format},
        )
        if job.status == Status.READING:
            _work(job, "read", "queue" if how == "auto" else how)
    return job


@transaction.atomic
def update_mapping(
    *,
    by: User,
    job: ImportJob,
    mapping: dict[str, Any] | None = None,
    saved: SavedMapping | None = None,
    staff_fallback: User | None = None,
) -> ImportJob:
    """Change how the job's columns are read; its dry run has to be done again."""
    job = access_import(by, job.pk, for_write=True)
    if job.busy or job.status in (Status.DONE, Status.INTERRUPTED) or job.checkpoint:
        raise Invalid("This file is being or has been imported; upload it again to change how.")
    if saved is not None:
        if saved.target != job.target:
            raise Invalid(f"The saved mapping “{saved.name}” is for another kind of import.")
        mapping = saved.mapping
        job.saved_mapping = saved
    if mapping is not None:
        job.mapping = check_mapping(job, mapping)
    if staff_fallback is not None:
        if staff_fallback.is_manager or not staff_fallback.is_active:
            raise Invalid("Unknown staff can only be logged as an active librarian.")
        job.staff_fallback = staff_fallback
    job.status, job.dry_run, job.dry_run_mapping = Status.UPLOADED, {}, None
    job.save()
    return job


@transaction.atomic
def save_mapping(*, by: User, job: ImportJob, name: str) -> SavedMapping:
    """Keep the job's mapping under a name (replacing one of the same name)."""
    require_librarian(by, to="import")
    name = " ".join(name.split())[:100]
    if not name:
        raise Invalid("Give the mapping a name.", {"name": ["Required."]})
    saved, created = SavedMapping.objects.update_or_create(
        name=name,
        defaults={
            "target": job.target,
            "format": job.format,
            # What the librarian chose, without this file's guesses: another file with the
            # same headings must not call the saved columns guesses.
            "mapping": {k: v for k, v in (job.mapping or {}).items() if k != "guesses"},
            "created_by": by,
        },
    )
    job.saved_mapping = saved
    job.save(update_fields=["saved_mapping", "updated_at"])
    record(
        actor=by,
        action="create" if created else "update",
        obj=saved,
        summary=f"Saved import mapping {name}",
        changes={"mapping": saved.mapping},
    )
    return saved


@transaction.atomic
def delete_mapping(*, by: User, saved: SavedMapping) -> None:
    require_librarian(by, to="import")
    record(actor=by, action="delete", obj=saved, summary=f"Deleted import mapping {saved.name}")
    saved.delete()


def _work(job: ImportJob, task: str, how: str) -> None:
    """Work the job after commit: "auto" here for small text files, else on the queue (a
    workbook is never opened in the web process); "queue"; "inline"; or "caller" (the command
    line works it itself, printing progress). `task` is "read", "check" or "run", which the
    job's status says too: the queued task works what the status asks."""
    if how == "caller":
        return
    small_text = job.size <= INLINE_BYTES and not job.is_workbook and task != "read"
    if how == "inline" or (how == "auto" and small_text):

        def now() -> None:
            try:
                work(job.pk)
            except Exception:  # the engine marked the job failed, with the reason, for the page
                logger.exception("Import %s failed", job.pk)

        transaction.on_commit(now)
    else:
        queue(TABLES, job, how)


def work(job_id: int, progress: Any = None) -> ImportJob:
    """What the worker does with a job: read a workbook, check or run, as its status says."""
    from rapport.imports import engine  # the engine imports the files these import

    status = ImportJob.objects.values_list("status", flat=True).get(pk=job_id)
    if status == Status.READING:
        return engine.read_job(job_id)
    if status == Status.CHECKING:
        return engine.check_job(job_id, progress=progress)
    if status == Status.QUEUED:
        return engine.run_job(job_id, progress=progress)
    return ImportJob.objects.get(pk=job_id)


@transaction.atomic
def check(*, by: User, job: ImportJob, how: str = "auto") -> ImportJob:
    """Read and check every row (nothing written); the counts say what a run would do."""
    job = access_import(by, job.pk, for_write=True)
    if job.busy or job.checkpoint or job.status in (Status.DONE, Status.INTERRUPTED):
        raise Invalid("This file is being or has been imported; its dry run is over.")
    _require_file(job)
    job.status, job.done_rows, job.error = Status.CHECKING, 0, ""
    job.save(update_fields=["status", "done_rows", "error", "updated_at"])
    _work(job, "check", how)
    return job


@transaction.atomic
def run(*, by: User, job: ImportJob, how: str = "auto", checked: bool = True) -> ImportJob:
    """Import the rows the dry run checked. The command line may go straight to the run
    (`checked=False`): the run checks every row exactly as the dry run does."""
    job = access_import(by, job.pk, for_write=True)
    _require_file(job)
    if checked:
        if job.status != Status.CHECKED or job.dry_run_mapping != job.mapping:
            raise Invalid("Do a dry run with this mapping first; it shows what the import will do.")
    elif job.status not in (Status.UPLOADED, Status.CHECKED) or job.started_at:
        raise Invalid("This file is being or has been imported; upload it again.")
    else:
        check_mapping(job, job.mapping)
    ImportIssue.objects.filter(job=job, phase=ImportIssue.Phase.RUN).delete()
    job.summary.pop(ImportIssue.Phase.RUN, None)
    job.created = job.updated = job.skipped = job.failed = job.done_rows = job.checkpoint = 0
    job.status, job.started_at, job.finished_at = Status.QUEUED, None, None
    job.save()
    _work(job, "run", how)
    return job


@transaction.atomic
def resume(*, by: User, job: ImportJob, how: str = "auto") -> ImportJob:
    """Go on with an interrupted or failed run from its checkpoint; or with a job whose worker
    is gone (killed, crashed) whatever it was doing: reading, checking or running. A worker
    that is alive keeps its job."""
    job = access_import(by, job.pk, for_write=True)
    if not job.resumable:
        if job.busy:
            raise Invalid("This import is being worked on; it can be resumed only if it stops.")
        raise Invalid("Only a run that stopped part way can be resumed.")
    task = {"reading": "read", "checking": "check"}.get(str(job.status), "run")
    if task == "run":
        job.status = Status.QUEUED
    job.error, job.worker = "", ""
    job.save(update_fields=["status", "error", "worker", "updated_at"])
    record(
        actor=by,
        action="resume",
        obj=job,
        summary=f"Resumed the import of {job.original_name} after row {job.checkpoint}",
        changes={"status": job.status, "checkpoint": job.checkpoint},
    )
    _work(job, task, how)
    return job


class Tables:
    """Touchpoint and people imports as a kind of upload job: the lifecycle's verbs are the
    ones above (a workbook read by the worker first; chunked runs that resume from their
    checkpoint), so pages, commands and the worker treat them like every other import."""

    name = "imports"
    model = ImportJob
    details = "imports/job_details.html"
    list_url = "imports:list"
    title = "imports"
    urls = {"check": "imports:dry_run", "run": "imports:run", "resume": "imports:resume"}
    cap_mb = None
    inline_bytes = INLINE_BYTES

    def access(self, user: User, pk: int | str, *, for_write: bool = False) -> ImportJob:
        return access_import(user, pk, for_write=for_write)

    def upload(
        self, *, by: User, stream: IO[bytes], name: str, how: str = "auto", **options: Any
    ) -> ImportJob:
        return upload(by=by, stream=stream, name=name, how=how, **options)

    def check(self, *, by: User, job: ImportJob, how: str = "auto") -> ImportJob:
        return check(by=by, job=job, how=how)

    def run(
        self, *, by: User, job: ImportJob, how: str = "auto", checked: bool = True
    ) -> ImportJob:
        return run(by=by, job=job, how=how, checked=checked)

    def resume(self, *, by: User, job: ImportJob, how: str = "auto") -> ImportJob:
        return resume(by=by, job=job, how=how)

    def work(self, job_id: int, progress: Any = None) -> ImportJob:
        return work(job_id, progress)


TABLES = Tables()
