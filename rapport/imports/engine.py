"""Working a job: reading a new workbook (its archive checked, its format detected, its
preview kept), the dry run (every row read and checked, nothing written) and the run (rows
written in chunks, each chunk committed together with the job's checkpoint and counts).

Each holds the job's lock while it works (`UploadJob.hold`) and names itself on the job, so a
worker that dies is seen at once and its job can be resumed (see rapport/uploads/models.py).

Both stream the file, so memory depends on the chunk size, not the file. A run that stops
(a crash, Ctrl-C, a worker killed) leaves every chunk before the checkpoint fully written and
nothing after it; resuming reads past the checkpoint and goes on. A file that cannot be read to
its end (damaged partway) never leaves half an import: the dry run finds it, and a run that
comes without one (the command line) reads the file through once before writing anything.
"""

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rapport.audit.services import record
from rapport.imports.files import detect_file, job_path, open_job
from rapport.imports.models import ImportIssue, ImportJob, Target
from rapport.imports.people import PeopleImport
from rapport.imports.resolve import merge_counts
from rapport.imports.sources import Row, Table, Unreadable
from rapport.imports.sources.table import STOPPED
from rapport.imports.touchpoints import Result, TouchpointImport
from rapport.uploads.models import this_worker

# Rows per committed chunk. Each commit writes every index page the chunk touched, and the
# rows' dates land all over the date indexes, so larger chunks write far less (1,000,000 rows:
# 21 s of commits at 10,000, 10 s at 25,000); memory grows with the chunk, not the file.
CHUNK = 25_000
CHUNK_CELLS = 1_000_000  # cells of details a chunk may hold: about 100 MB
DEFER_REFRESH_BYTES = 8 * 1024 * 1024  # larger files refresh relationships once, at the end
MAX_ISSUES = 20_000  # per job and phase; the report says how many more there were
Progress = Callable[[ImportJob], None]
Status = ImportJob.Status
Writer = TouchpointImport | PeopleImport


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Rows are plain acyclic values, freed as soon as their chunk is done; Python's cycle
    collector would only walk the chunk's objects again and again (a fifth of a large import's
    time). It is switched back on, and run once, at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Rows in chunks of `size`, or fewer when they carry many cells in their details (a
    wide file's columns with no field of their own): a chunk holds at most CHUNK_CELLS."""
    batch: list[Row] = []
    cells = 0
    for row in rows:
        batch.append(row)
        details = row.fields.get("details")
        if details:
            cells += len(details)
        if len(batch) >= size or cells >= CHUNK_CELLS:
            yield batch
            batch, cells = [], 0
    if batch:
        yield batch


def _writer(job: ImportJob) -> Writer:
    by = job.created_by
    assert by is not None  # a job whose uploader is gone fails before it gets here
    if job.target == Target.PEOPLE:
        return PeopleImport(by=by)
    return TouchpointImport(
        source_system=job.format or "import",
        by=by,
        fallback=job.staff_fallback or by,
        defer_refresh=job.size > DEFER_REFRESH_BYTES,
    )


def _keep_issues(job: ImportJob, phase: str, result: Result) -> None:
    """Store the chunk's issues, up to MAX_ISSUES per phase; count the rest in the summary."""
    bag = job.summary.setdefault(phase, {})
    stored = bag.get("issues", 0)
    room = max(0, MAX_ISSUES - stored)
    ImportIssue.objects.bulk_create(
        ImportIssue(job=job, phase=phase, row=row, level=level, message=message[:500])
        for row, level, message in result.issues[:room]
    )
    bag["issues"] = stored + len(result.issues)


def _fold_summary(job: ImportJob, phase: str, writer: Writer, result: Result) -> None:
    """Add the chunk's counts (people created, unknown staff…) to the phase's summary."""
    bag = job.summary.setdefault(phase, {})
    for name, count in result.counts.items():
        bag[name] = bag.get(name, 0) + count
    if isinstance(writer, TouchpointImport):
        merge_counts(bag, "unknown_staff", writer.staff.unknown)
    merge_counts(bag, "unknown_groups", writer.groups.unknown)


GONE = "The librarian who uploaded this file no longer exists; upload it again."


def _claim(job_id: int, current: str, **changes: object) -> bool:
    """Take a job in status `current` that no process works yet, naming this one (hold its
    lock first)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=current, worker="").update(
        worker=this_worker(), updated_at=timezone.now(), **changes
    )
    return bool(claimed)


def read_job(job_id: int) -> ImportJob:
    """Read a workbook the web process kept without opening: check its archive, detect its
    format, propose a mapping and keep the preview. A file that cannot be read, or that would
    unpack to more than a workbook may, fails the job with the reason and is removed; nothing
    else changes. Safe to call twice."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status != Status.READING:
        return job
    with job.hold() as held:
        if not (held and _claim(job_id, Status.READING)):
            return ImportJob.objects.get(pk=job_id)
        job.refresh_from_db()
        try:
            found, shown = detect_file(
                job_path(job), target=job.target, format=job.format, sheet=job.sheet
            )
        except Unreadable as err:
            job.end(Status.FAILED, str(err))
            job.remove_file()
            return job
        except BaseException as err:
            job.end(Status.FAILED, f"The file could not be read: {err}")
            raise
        job.format, job.score, job.sheet, job.sheets = (
            found.format, found.score, found.sheet, found.sheets,
        )  # fmt: skip
        if job.saved_mapping_id is None:
            job.mapping = found.mapping
        job.preview, job.status, job.worker = shown, Status.UPLOADED, ""
        job.save(
            update_fields=[
                "format", "score", "sheet", "sheets", "mapping", "preview", "status", "worker",
                "updated_at",
            ]
        )  # fmt: skip
    return job


def check_job(job_id: int, *, progress: Progress | None = None, chunk: int = CHUNK) -> ImportJob:
    """The dry run of a job whose status is Checking: what a run would do, nothing written."""
    job = ImportJob.objects.select_related("created_by", "staff_fallback").get(pk=job_id)
    if job.status != Status.CHECKING:
        return job  # done already, or not asked for: safe to call twice
    with job.hold() as held:
        if not (held and _claim(job_id, Status.CHECKING)):
            return ImportJob.objects.get(pk=job_id)
        job.worker = this_worker()
        return _check(job, progress, chunk)


def _check(job: ImportJob, progress: Progress | None, chunk: int) -> ImportJob:
    if job.created_by is None:
        job.end(Status.FAILED, GONE)
        return job
    ImportIssue.objects.filter(job=job, phase=ImportIssue.Phase.CHECK).delete()
    job.summary.pop(ImportIssue.Phase.CHECK, None)
    counts = {"created": 0, "updated": 0, "skipped": 0, "failed": 0, "rows": 0}
    with _no_cycle_collection():
        try:
            writer = _writer(job)
            table, fmt, mapping = open_job(job)
            for batch in _chunks(fmt.rows(table, mapping), chunk):
                result = writer.chunk(batch, write=False)
                for name in ("created", "updated", "skipped", "failed"):
                    counts[name] += getattr(result, name)
                counts["rows"] += len(batch)
                _keep_issues(job, ImportIssue.Phase.CHECK, result)
                _fold_summary(job, ImportIssue.Phase.CHECK, writer, result)
                job.done_rows = counts["rows"]
                ImportJob.objects.filter(pk=job.pk).update(done_rows=job.done_rows)
                if progress:
                    progress(job)
        except Unreadable as err:
            job.end(Status.FAILED, str(err))
            job.refresh_from_db()
            return job
        except BaseException as err:
            job.end(Status.FAILED, f"The dry run stopped: {err}")
            raise
    job.dry_run, job.dry_run_mapping = counts, job.mapping
    job.total_rows, job.status, job.error, job.worker = counts["rows"], Status.CHECKED, "", ""
    job.save(
        update_fields=[
            "dry_run", "dry_run_mapping", "total_rows", "status", "error", "summary", "worker",
            "updated_at",
        ]
    )  # fmt: skip
    return job


def run_job(job_id: int, *, progress: Progress | None = None, chunk: int = CHUNK) -> ImportJob:
    """Work a queued run from its checkpoint. Safe to call twice: only a queued job is claimed,
    by one process (the one holding its lock)."""
    job = ImportJob.objects.get(pk=job_id)
    with job.hold() as held:
        if not (held and _claim(job_id, Status.QUEUED, status=Status.RUNNING, error="")):
            return ImportJob.objects.get(pk=job_id)
        job = ImportJob.objects.select_related("created_by", "staff_fallback").get(pk=job_id)
        return _run_claimed(job, progress, chunk)


def _run_claimed(job: ImportJob, progress: Progress | None, chunk: int) -> ImportJob:
    if job.created_by is None:
        job.end(Status.FAILED, GONE)
        return job
    if job.started_at is None:
        job.started_at = timezone.now()
        ImportJob.objects.filter(pk=job.pk).update(started_at=job.started_at)
    try:
        with _no_cycle_collection():
            _run(job, progress, chunk)
    except Unreadable as err:  # the file changed on disk since its dry run
        job.end(Status.FAILED, str(err))
    except KeyboardInterrupt:
        job.end(Status.INTERRUPTED, "Interrupted; resume to go on from the checkpoint.")
        raise
    except BaseException as err:
        job.end(Status.FAILED, f"The run stopped: {err}. Resume to go on.")
        raise
    job.refresh_from_db()
    return job


def _readable_to_the_end(table: Table) -> None:
    """Raise Unreadable if the file breaks off partway; reads it without converting a row."""
    for number, _cells, problems in table.records():
        if problems and problems[-1].startswith(STOPPED):
            raise Unreadable(
                f"Row {number}: {problems[-1]}. Nothing was imported: repair or export the "
                "file again."
            )


def _run(job: ImportJob, progress: Progress | None, chunk: int) -> None:
    writer = _writer(job)
    resumed = job.checkpoint > 0
    table, fmt, mapping = open_job(job)
    checked = bool(job.dry_run) and job.dry_run_mapping == job.mapping
    if not (checked or resumed):
        _readable_to_the_end(table)
    rows = (row for row in fmt.rows(table, mapping) if row.number > job.checkpoint)
    for batch in _chunks(rows, chunk):
        with transaction.atomic():
            result = writer.chunk(batch, write=True)
            _keep_issues(job, ImportIssue.Phase.RUN, result)
            _fold_summary(job, ImportIssue.Phase.RUN, writer, result)
            job.checkpoint = batch[-1].number
            job.done_rows += len(batch)
            for name in ("created", "updated", "skipped", "failed"):
                setattr(job, name, getattr(job, name) + getattr(result, name))
            ImportJob.objects.filter(pk=job.pk).update(
                checkpoint=job.checkpoint,
                done_rows=F("done_rows") + len(batch),
                created=F("created") + result.created,
                updated=F("updated") + result.updated,
                skipped=F("skipped") + result.skipped,
                failed=F("failed") + result.failed,
                summary=job.summary,
                updated_at=timezone.now(),
            )
        if progress:
            progress(job)
    with transaction.atomic():
        writer.finish(resumed=resumed)
        job.refresh_from_db()
        job.status, job.finished_at, job.worker = Status.DONE, timezone.now(), ""
        job.save(update_fields=["status", "finished_at", "worker", "updated_at"])
        record(
            actor=job.created_by,
            action="import",
            obj=job,
            summary=f"Imported {job.original_name}: {job.created} created, {job.updated} "
            f"updated, {job.skipped} skipped, {job.failed} failed",
            changes={
                "file": job.original_name,
                "sha256": job.sha256,
                "target": job.target,
                "format": job.format,
                "created": job.created,
                "updated": job.updated,
                "skipped": job.skipped,
                "failed": job.failed,
            },
        )
