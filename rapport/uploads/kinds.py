"""The kinds of upload job, and the one lifecycle they share.

Every import of a file goes through the same steps, with the same verbs:

    upload ──→ check ──→ run ──→ done          (resume: a job whose worker stopped goes on)
                  └──→ failed

`upload` keeps the file and makes its job; `check` reads every item and says what the run
would do, changing nothing; `run` writes; `resume` hands a job whose worker died (killed,
crashed) back to the queue. A page, the API or a command calls these through
`rapport.uploads.lifecycle`; the worker works a job with `work`, which does what the job's
status asks, through the one background task (`rapport.uploads.tasks`).

A new importer is a `FileKind`: a reader (`accept` looks at the start of the stored file,
`check_file` counts what importing it would do) and a writer (`write_file`, inside the run's
one transaction), registered from its app's `ready()`. Storing, the job and its audit
entries, claiming the job for one worker, progress, failures, removing the file once its
contents are in, and resuming are the lifecycle's (`FileKind`'s own methods). An importer
with a lifecycle of its own (touchpoint and people imports: a workbook read by the worker,
chunked runs that resume from a checkpoint) implements the same verbs itself.
"""

from collections.abc import Callable
from typing import Any, ClassVar, Protocol

from rapport.accounts.models import User
from rapport.uploads.models import UploadJob

Progress = Callable[[int], None] | None


class Kind(Protocol):
    """What the lifecycle asks of every kind of upload job. Its facts are read, never set,
    through the protocol, so a kind may state them as class attributes, and narrow them (its
    own model, a cap that is always there or never)."""

    @property
    def name(self) -> str:
        """The task's argument: keep it stable, queued tasks carry it."""

    @property
    def model(self) -> type[UploadJob]: ...

    @property
    def details(self) -> str:
        """The template of the kind's own part of the status page."""

    @property
    def list_url(self) -> str:
        """The kind's upload page (URL name)."""

    @property
    def title(self) -> str:
        """Its jobs, for a link back to them."""

    @property
    def urls(self) -> dict[str, str]:
        """The URL names of the status page's buttons: "check", "run", "resume"."""

    @property
    def cap_mb(self) -> int | None: ...

    @property
    def inline_bytes(self) -> int:
        """Files up to this size are checked in the request."""

    def access(self, user: User, pk: int | str, *, for_write: bool = False) -> Any: ...
    def upload(self, *, by: User, stream: Any, name: str, how: str, **options: Any) -> Any: ...
    def check(self, *, by: User, job: Any, how: str) -> Any: ...
    def run(self, *, by: User, job: Any, how: str, checked: bool) -> Any: ...
    def resume(self, *, by: User, job: Any, how: str) -> Any: ...
    def work(self, job_id: int, progress: Any = None) -> Any: ...


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Make a kind known to the task and the pages (from its app's `ready()`)."""
    known = _KINDS.get(kind.name)
    if known is not None and known.model is not kind.model:
        raise ValueError(f"Two kinds of upload job are named {kind.name!r}.")
    _KINDS[kind.name] = kind
    return kind


def kind_named(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"No kind of upload job is named {name!r}.") from None


def kind_of(job: UploadJob | type[UploadJob]) -> Kind:
    model = job if isinstance(job, type) else type(job)
    for kind in _KINDS.values():
        if kind.model is model:
            return kind
    raise LookupError(f"{model.__name__} is no registered kind of upload job.")


def kinds() -> list[Kind]:
    return list(_KINDS.values())


class Statuses:
    """The statuses every job of a `FileKind` goes through (its model's `Status` choices
    must hold these values)."""

    CHECKING: ClassVar[str] = "checking"
    CHECKED: ClassVar[str] = "checked"
    QUEUED: ClassVar[str] = "queued"
    RUNNING: ClassVar[str] = "running"
    DONE: ClassVar[str] = "done"
    FAILED: ClassVar[str] = "failed"
