"""The verbs every upload job answers to (see `kinds.py` for the lifecycle), and `FileKind`,
the lifecycle of an importer that is a reader plus a writer.

Pages, the API and commands call `upload`, `check`, `run` and `resume`; the worker calls
`work`. `how` says where the work happens: "auto" (in the request for a file the kind reads
quickly, else queued for `rapport worker`), "queue", "inline", or "caller" (nothing queued:
the command line works the job itself with `work`, printing progress).
"""

import logging
from typing import IO, Any, ClassVar

from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian
from rapport.audit.services import record
from rapport.errors import Invalid, RapportError
from rapport.uploads.kinds import Kind, Progress, Statuses, kind_named, kind_of
from rapport.uploads.models import UploadJob, this_worker
from rapport.uploads.services import Stored, reopen_lost_job, save_upload_job, store_upload

log = logging.getLogger(__name__)
UNEXPECTED = "An unexpected error stopped it."
GONE = "The librarian who uploaded this file can no longer import it; upload it again."
NOT_CHECKED = "This import has already been started, or is not checked yet."
S = Statuses


# The verbs ------------------------------------------------------------------------------------


def upload(
    kind: str, *, by: User, stream: IO[bytes], name: str, how: str = "auto", **options: Any
) -> Any:
    """Keep an uploaded file as a job of `kind` and start its check; nothing imported."""
    return kind_named(kind).upload(by=by, stream=stream, name=name, how=how, **options)


def check(*, by: User, job: UploadJob, how: str = "auto") -> Any:
    """Check the job again (after its mapping or the people it matches changed)."""
    return kind_of(job).check(by=by, job=job, how=how)


def run(*, by: User, job: UploadJob, how: str = "auto", checked: bool = True) -> Any:
    """Import a checked job. The command line may go straight on (`checked=False`): the run
    reads every item as the check does."""
    return kind_of(job).run(by=by, job=job, how=how, checked=checked)


def resume(*, by: User, job: UploadJob, how: str = "auto") -> Any:
    """Go on with a job whose worker stopped (killed, crashed) or, for imports that keep a
    checkpoint, a run that stopped part way. Invalid while a live worker has it."""
    return kind_of(job).resume(by=by, job=job, how=how)


def work(kind: str, job_id: int, progress: Any = None) -> Any:
    """The worker's side: do what the job's status asks (read, check or run); safe to call
    twice, and one process at a time works a job."""
    return kind_named(kind).work(job_id, progress)


def queue(kind: Kind, job: UploadJob, how: str) -> None:
    """Hand the job to `rapport worker` once the transaction commits ("caller": nobody)."""
    from rapport.uploads import tasks  # the task finds the kinds, which import this module

    if how != "caller":
        transaction.on_commit(lambda: tasks.enqueue(kind.name, job.pk))


# A reader plus a writer -----------------------------------------------------------------------


class FileKind:
    """The lifecycle of an importer that supplies a reader and a writer: `accept`,
    `check_file` and `write_file` (and `access`, `model`, `name`, `details`, `list_url`).

        checking ──→ checked ──→ queued ──→ running ──→ done
            └──→ failed                         └──→ failed

    A check changes nothing; a run is one transaction, so a run that fails or is stopped
    leaves nothing behind and `resume` starts it again from the start. The worker holds the
    job's lock while it works (`UploadJob.hold`). The file is removed once its contents are
    in, or once a check finds it cannot be imported."""

    name: ClassVar[str]
    model: ClassVar[type[UploadJob]]
    details: ClassVar[str]
    list_url: ClassVar[str]
    title: ClassVar[str]
    urls: ClassVar[dict[str, str]]
    cap_mb: ClassVar[int | None] = None
    to: ClassVar[str] = "import"  # what a manager is told they may not do
    inline_bytes: ClassVar[int] = 0  # files up to this size are checked in the request

    # What an importer supplies ---------------------------------------------------------------

    def access(self, user: User, pk: int | str, *, for_write: bool = False) -> Any:
        raise NotImplementedError

    def accept(self, by: User, stored: Stored, **options: Any) -> UploadJob:
        """An unsaved job for the stored file, once its start shows it is this kind's file
        (Invalid with the reason, and nothing is kept, if not)."""
        return self.model()

    def upload_summary(self, job: UploadJob) -> tuple[str, dict[str, Any]]:
        """The upload's audit summary and the job's own facts for its entry."""
        return f"Uploaded {job.original_name} for import", {}

    def check_file(self, job: Any, by: User, progress: Progress) -> None:
        """Fill the job with what running it would do; change nothing (Invalid: it fails)."""
        raise NotImplementedError

    def write_file(self, job: Any, by: User, progress: Progress) -> tuple[str, dict[str, Any]]:
        """Import the file inside the run's transaction and fill the job with what was done;
        return the audit entry's summary and facts."""
        raise NotImplementedError

    # The lifecycle -----------------------------------------------------------------------------

    def upload(
        self, *, by: User, stream: IO[bytes], name: str, how: str = "auto", **options: Any
    ) -> Any:
        require_librarian(by, to=self.to)
        stored = store_upload(
            stream, folder=self.model.upload_folder, name=name, cap_mb=self.cap_mb
        )
        try:
            job = self.accept(by, stored, **options)
        except BaseException:
            stored.discard()
            raise
        job.status = S.CHECKING
        job.original_name, job.size = stored.name, stored.size
        summary, facts = self.upload_summary(job)
        with transaction.atomic():
            job = save_upload_job(job, by=by, stored=stored, summary=summary, changes=facts)
            if not self._inline(job, how):
                queue(self, job, how)
        return self._work_inline(job, how)

    def _inline(self, job: UploadJob, how: str) -> bool:
        return how == "inline" or (how == "auto" and job.size <= self.inline_bytes)

    def _work_inline(self, job: UploadJob, how: str) -> Any:
        """A small file is checked here and now, once its job is saved."""
        return self.work(job.pk) if self._inline(job, how) else job

    def check(self, *, by: User, job: UploadJob, how: str = "auto") -> Any:
        job = self.access(by, job.pk, for_write=True)
        with transaction.atomic():
            moved = self.model._default_manager.filter(pk=job.pk, status=S.CHECKED).update(
                status=S.CHECKING
            )
            if not moved:
                raise Invalid("This import has already been started.")
            job.status = S.CHECKING
            if not self._inline(job, how):
                queue(self, job, how)
        return self._work_inline(job, how)

    def run(self, *, by: User, job: UploadJob, how: str = "auto", checked: bool = True) -> Any:
        job = self.access(by, job.pk, for_write=True)
        allowed = (S.CHECKED,) if checked else (S.CHECKING, S.CHECKED)
        with transaction.atomic():
            moved = self.model._default_manager.filter(
                pk=job.pk, status__in=allowed, worker="", started_at=None
            ).update(status=S.QUEUED)
            if not moved:
                raise Invalid(NOT_CHECKED)
            queue(self, job, how)
        job.refresh_from_db()
        return job

    @transaction.atomic
    def resume(self, *, by: User, job: UploadJob, how: str = "auto") -> Any:
        job = self.access(by, job.pk, for_write=True)
        status = S.CHECKING if job.status == S.CHECKING else S.QUEUED
        job = reopen_lost_job(job, by=by, status=status)
        queue(self, job, how)
        return job

    def work(self, job_id: int, progress: Progress = None) -> Any:
        status = self.model._default_manager.values_list("status", flat=True).get(pk=job_id)
        if status == S.CHECKING:
            return self._check(job_id, progress)
        if status == S.QUEUED:
            return self._run(job_id, progress)
        return self.model._default_manager.get(pk=job_id)

    # The worker's side --------------------------------------------------------------------------

    def _noting(self, job: UploadJob, progress: Progress) -> Progress:
        """Progress for the page (noted beside the file: a one-transaction run's writes are
        invisible until it ends) and for the caller."""
        job.note_progress(0)

        def note(done: int) -> None:
            job.note_progress(done)
            if progress:
                progress(done)

        return note

    def _uploader(self, job: UploadJob) -> User:
        by = job.created_by
        if by is None or not by.is_active:
            raise Invalid(GONE)
        return by

    def _fail(self, job: UploadJob, exc: Exception, *, remove: bool) -> Any:
        if not isinstance(exc, RapportError):
            log.exception("%s %s failed", self.model.__name__, job.pk)
        job.end(S.FAILED, exc.message if isinstance(exc, RapportError) else UNEXPECTED)
        if remove:
            job.remove_file()
        return self.model._default_manager.get(pk=job.pk)

    def _check(self, job_id: int, progress: Progress) -> Any:
        manager = self.model._default_manager
        job = manager.select_related("created_by").get(pk=job_id)
        with job.hold() as held:
            claimed = held and manager.filter(pk=job_id, status=S.CHECKING, worker="").update(
                worker=this_worker()
            )
            if not claimed:
                return manager.get(pk=job_id)
            try:
                self.check_file(job, self._uploader(job), self._noting(job, progress))
            except Exception as exc:
                # A file that cannot be imported is not kept: it holds other people's details.
                return self._fail(job, exc, remove=True)
            job.status, job.worker = S.CHECKED, ""
            job.save()
        return job

    def _run(self, job_id: int, progress: Progress) -> Any:
        manager = self.model._default_manager
        unread = self.model()  # only its lock is taken before the job is read
        unread.pk = job_id
        with unread.hold() as held:
            with transaction.atomic():
                job = manager.select_for_update().get(pk=job_id)
                if not held or job.status != S.QUEUED or job.worker:
                    return job
                job.status, job.started_at, job.worker = S.RUNNING, timezone.now(), this_worker()
                job.save(update_fields=["status", "started_at", "worker"])
            try:
                by = self._uploader(job)
                with transaction.atomic():
                    summary, facts = self.write_file(job, by, self._noting(job, progress))
                    job.status, job.worker, job.finished_at = S.DONE, "", timezone.now()
                    job.save()
                    record(
                        actor=by,
                        action="import",
                        obj=job,
                        summary=summary[:200],
                        changes={"file": job.original_name, "sha256": job.sha256, **facts},
                    )
            except Exception as exc:
                return self._fail(job, exc, remove=False)
        # The contents are in the database now; the uploaded copy of them is not needed.
        job.remove_file()
        return job
