"""Writes for uploaded files: keep an upload under MEDIA_ROOT within the limit, hashed, and save
the job made for it with its audit entry. Each import's service calls these, then adds its own
checks (a format detected, a card or an event found) and discards the file when they fail.
"""

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from rapport.accounts.models import User
from rapport.audit.services import record
from rapport.errors import Invalid
from rapport.uploads.models import MB, UploadJob, too_large, upload_limit

STILL_WORKING = "This import is being worked on; it can be resumed only if it stops."

NAME_LENGTH = 200  # of the original name, as kept and as stored


@dataclass(frozen=True)
class Stored:
    """An upload as kept: its path under MEDIA_ROOT, original name, size and SHA-256."""

    path: str
    name: str
    size: int
    sha256: str

    @property
    def full_path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / self.path

    def discard(self) -> None:
        """Remove the kept file: the upload was refused after all."""
        self.full_path.unlink(missing_ok=True)


def store_upload(stream: IO[bytes], *, folder: str, name: str, cap_mb: int | None = None) -> Stored:
    """Copy an upload under MEDIA_ROOT, hashing it as it goes. Too large or empty: Invalid,
    and nothing is kept."""
    limit = upload_limit(cap_mb)
    # The name as shown keeps its spaces and accents; the one on disk is made safe.
    name = " ".join(Path((name or "").replace("\\", "/")).name.split())[:NAME_LENGTH] or "upload"
    now = timezone.now()
    try:
        safe = get_valid_filename(name)
    except SuspiciousFileOperation:  # nothing usable left: "..", "???"
        safe = "upload"
    relative = f"{folder}/{now:%Y}/{now:%m}/{uuid.uuid4().hex[:12]}-{safe}"
    stored = Path(settings.MEDIA_ROOT) / relative
    stored.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    try:
        with open(stored, "wb") as out:
            while block := stream.read(MB):
                size += len(block)
                if size > limit:
                    raise Invalid(too_large(limit, cap_mb), {"file": ["Too large."]})
                digest.update(block)
                out.write(block)
        if size == 0:
            raise Invalid("That file is empty.", {"file": ["Empty."]})
    except BaseException:
        stored.unlink(missing_ok=True)
        raise
    return Stored(path=relative, name=name, size=size, sha256=digest.hexdigest())


Job = TypeVar("Job", bound=UploadJob)


def save_upload_job(
    job: Job, *, by: User, stored: Stored, summary: str, changes: dict[str, Any] | None = None
) -> Job:
    """Save a new job for a stored upload, with its audit entry, in one transaction; if that
    fails, the file goes too."""
    job.file = stored.path
    job.original_name, job.size, job.sha256 = stored.name, stored.size, stored.sha256
    job.created_by = by
    try:
        with transaction.atomic():
            job.save()
            record(
                actor=by,
                action="upload",
                obj=job,
                summary=summary[:200],
                changes={
                    "file": stored.name,
                    "size": stored.size,
                    "sha256": stored.sha256,
                    **(changes or {}),
                },
            )
    except BaseException:
        stored.discard()
        raise
    return job


def reopen_lost_job(job: Job, *, by: User, status: str) -> Job:
    """Make a job whose worker is gone (killed, crashed: `UploadJob.worker_gone`) workable
    again, as `status`, naming no worker, with an audit entry; the caller queues it (the job
    is saved in the caller's transaction, so queue with `transaction.on_commit`). Invalid if
    its worker is alive or it is not busy: a live worker keeps its job."""
    with transaction.atomic():
        locked = type(job)._default_manager.select_for_update().get(pk=job.pk)
        if not locked.worker_gone:
            raise Invalid(STILL_WORKING if locked.busy else "This import is not stopped.")
        was = locked.status
        locked.status, locked.worker, locked.error = status, "", ""
        locked.save(update_fields=["status", "worker", "error"])
        record(
            actor=by,
            action="resume",
            obj=locked,
            summary=f"Resumed {locked.original_name}, whose worker had stopped"[:200],
            changes={"status": [was, status]},
        )
    return locked
