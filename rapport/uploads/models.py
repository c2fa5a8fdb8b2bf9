"""An uploaded file run as a job: what every import keeps about its file (touchpoint and people
imports, vCards, calendars), and how large a file may be. Storing a file and saving its job
are in `services.py`; the pages' upload step is in `views.py`.

A job keeps the file under a name of its own (`<folder>/<year>/<month>/<random>-<name>` under
MEDIA_ROOT), its original name, size and SHA-256, who uploaded it, why it failed, and when it
was made, started and finished. Each import adds its own statuses and counts; the statuses
"checking", "queued" and "running" mean a worker has the job or is about to, and "done" and
"failed" that it has ended.

The limit on a file is `RAPPORT_IMPORT_MAX_MB` (default 200); an import that reads a whole
file into memory may set a smaller cap of its own.

A worker that dies (kill -9, a crash, the machine's power) cannot say so, and its job would
stay "running" for ever. So the process working a job holds an exclusive lock on a small file
of its own (`<MEDIA_ROOT>/locks/`), taken before it claims the job and let go after it has
recorded the end, and names itself on the job (`worker`, host:pid). The operating system lets
go of a dead process's locks at once, however it died: a busy job that names a worker whose
lock is free has lost it (`worker_gone`), and may be resumed straight away. A lock on a file
works the same under SQLite and PostgreSQL and needs no writes while the job works (under
SQLite a heartbeat row could not be written while the job's own transaction holds the write
lock, and a one-transaction run holds it throughout); web and worker processes already share
MEDIA_ROOT, where the uploads are. Where the file system cannot lock, a job on this host whose
worker's process is gone counts as lost too.
"""

import contextlib
import errno
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

try:
    import fcntl
except ImportError:  # Windows has no fcntl: the process check below stands alone
    fcntl = None  # type: ignore[assignment]

from django.conf import settings
from django.db import models
from django.utils import timezone

DEFAULT_MAX_MB = 200
MB = 1024 * 1024
ERROR_LENGTH = 1000


def upload_path(job: "UploadJob", filename: str) -> str:
    """Where Django's storage puts a file saved through the field (the services store their
    uploads themselves, under the same scheme, with `services.store_upload`)."""
    now = timezone.now()
    return f"{job.upload_folder}/{now:%Y}/{now:%m}/{uuid.uuid4().hex[:12]}-{filename}"


class UploadJob(models.Model):
    """The fields and facts an uploaded-file job has whatever it imports."""

    upload_folder: ClassVar[str] = "uploads"
    BUSY: ClassVar[tuple[str, ...]] = ("checking", "queued", "running")
    ENDED: ClassVar[tuple[str, ...]] = ("done", "failed")

    file = models.FileField(upload_to=upload_path, max_length=300, blank=True)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who uploaded it (the job stays if their account goes)",
    )
    error = models.CharField(max_length=ERROR_LENGTH, blank=True)
    worker = models.CharField(
        max_length=150,
        blank=True,
        help_text="The process working the job (host:pid), while it does",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Every job has a status; each kind of job declares it again with its own choices, which
    # hold the lifecycle's (`kinds.Statuses`). Declared here so the lifecycle may query it.
    status = models.CharField(max_length=12)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def get_absolute_url(self) -> str:
        """The job's page."""
        raise NotImplementedError

    @property
    def busy(self) -> bool:
        """A worker has the job, or is about to: the page follows it."""
        return self.status in self.BUSY

    @property
    def finished(self) -> bool:
        return self.status in self.ENDED

    # What the one status page shows of any job (`uploads/job.html`); each job may say more.

    unit: ClassVar[str] = "items"  # what its file holds, for the progress bar
    all_or_nothing: ClassVar[bool] = True  # a failed run left nothing behind
    resume_note: ClassVar[str] = "Nothing was changed; start it again."
    resume_label: ClassVar[str] = "Resume"

    @property
    def resumable(self) -> bool:
        """The job can go on: its worker is gone."""
        return self.worker_gone

    @property
    def done_so_far(self) -> int | None:
        """Items the worker has got through, while it says."""
        return self.progress

    @property
    def total_items(self) -> int:
        """Items the progress bar goes up to (0: not known yet)."""
        return 0

    @property
    def run_label(self) -> str:
        return "Import"

    @property
    def nothing_to_run(self) -> bool:
        return False

    def end(self, status: str, error: str = "") -> None:
        """Record in one UPDATE that the job stopped now, as `status`, and why. Outside any
        lock on purpose: it is how a worker says it failed, whatever it was doing."""
        fields = {
            "status": status,
            "error": error[:ERROR_LENGTH],
            "finished_at": timezone.now(),
            "worker": "",
        }
        type(self)._default_manager.filter(pk=self.pk).update(**fields)
        for name, value in fields.items():
            setattr(self, name, value)

    def remove_file(self) -> None:
        """Delete the stored upload once its contents are in the database (other people's
        details need not be kept twice); the job keeps the name, size and hash."""
        if self.file:
            self._progress_path().unlink(missing_ok=True)
            self.file.delete(save=False)
        self.file.name = ""
        type(self)._default_manager.filter(pk=self.pk).update(file="")

    # Who works the job: a lock held for as long as a process does (see the module's note).

    def _lock_path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / "locks" / f"{self._meta.label_lower}-{self.pk}.lock"

    @contextlib.contextmanager
    def hold(self) -> Iterator[bool]:
        """Take the job's lock for this process: True while held, False if another process
        holds it (it works the job; leave it be). Claim the job (naming `this_worker()`) only
        once it is held, and record its end before letting go."""
        path = self._lock_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            held = _try_lock(fd)
            if held is False:
                yield False
                return
            try:
                yield True
            finally:
                path.unlink(missing_ok=True)  # while still held: nobody else can lose a race
        finally:
            os.close(fd)

    @property
    def worker_gone(self) -> bool:
        """Busy and claimed by a process that no longer works it: its lock is free (it died,
        however it died), or, where files cannot be locked, its process on this host is gone."""
        if not self.busy:
            return False
        if not self.worker:
            # Running without a name: claimed before jobs named their worker (every claim
            # names it now), so nobody holds a lock for it. Otherwise it waits in the queue.
            return self.status == "running"
        try:
            fd = os.open(self._lock_path(), os.O_RDWR)
        except FileNotFoundError:
            return True  # removed by the worker as it ended, or never made: nobody holds it
        try:
            held = _try_lock(fd)
        finally:
            os.close(fd)  # lets go of the lock if this process just took it
        if held is None:
            return _process_gone(self.worker)
        return held

    # Progress for a run that is one transaction: its own writes are invisible to the page
    # until it commits (and on SQLite it holds the only write lock), so the count lives in a
    # small file beside the upload, replaced whole each time.

    def _progress_path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / f"{self.file.name}.progress"

    def note_progress(self, done: int) -> None:
        """Say how many items the running job has got through (the page shows it)."""
        if not self.file:
            return
        path = self._progress_path()
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        partial.write_text(str(done))
        partial.replace(path)

    @property
    def progress(self) -> int | None:
        """How many items the checking or running job has got through, if it has said."""
        if not (self.status in ("checking", "running") and self.file):
            return None  # queued after a check, the count is the check's
        try:
            return int(self._progress_path().read_text())
        except (OSError, ValueError):
            return None


def this_worker() -> str:
    """How a job names the process working it."""
    return f"{socket.gethostname()[:120]}:{os.getpid()}"


def _try_lock(fd: int) -> bool | None:
    """Lock the open file without waiting: True if taken, False if another process holds
    it, None if the file system cannot lock."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as err:
        if err.errno in (errno.EAGAIN, errno.EACCES):
            return False
        return None  # ENOLCK, EOPNOTSUPP, …
    return True


def _process_gone(worker: str) -> bool:
    """Whether the named worker's process has ended; only known for this host."""
    host, _, pid = worker.rpartition(":")
    if os.name != "posix" or host != socket.gethostname()[:120] or not pid.isdecimal():
        return False  # (signal 0 would end the process on Windows, not probe it)
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, someone else's
    return False


def upload_limit(cap_mb: int | None = None) -> int:
    """The largest file accepted, in bytes: RAPPORT_IMPORT_MAX_MB, or an import's own cap
    when that is smaller."""
    mb = int(getattr(settings, "RAPPORT_IMPORT_MAX_MB", DEFAULT_MAX_MB))
    return min(mb, cap_mb) * MB if cap_mb is not None else mb * MB


def _size(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n / 1024:,.0f} KB"


def too_large(limit: int, cap_mb: int | None = None) -> str:
    """What to tell someone whose file is over `limit` bytes."""
    if cap_mb is not None and limit == cap_mb * MB and limit < upload_limit():
        return f"That file is larger than the {_size(limit)} this import reads; split it."
    return (
        f"That file is larger than the {_size(limit)} allowed for imports "
        "(RAPPORT_IMPORT_MAX_MB). Split it, or ask an administrator to raise the limit."
    )
