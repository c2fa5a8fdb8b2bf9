"""vCard imports: a reader (the file's cards) and a writer (people matched or added), on the
lifecycle every upload job shares (`rapport.uploads.lifecycle.FileKind`: upload, check, run,
resume; the worker's `work`).

The check is the real import inside a transaction that is rolled back, so its counts are
exactly what the run will do. The run is one transaction: an import that fails or is stopped
leaves nothing behind, and running the same file again finds every person it created. The
count of cards done is noted beside the file as they go (`UploadJob.note_progress`), since
the transaction's own writes are invisible until it ends.
"""

import io
from typing import Any

from django.db import transaction

from rapport.accounts.models import User
from rapport.contacts.importer import Importer, Report
from rapport.contacts.models import ContactImport
from rapport.contacts.queries import access_contact_import
from rapport.contacts.reader import read_cards
from rapport.errors import Invalid
from rapport.uploads.kinds import Progress
from rapport.uploads.lifecycle import FileKind
from rapport.uploads.services import Stored

# A vCard file shows a card in its first megabyte, or it is not one.
SNIFF_BYTES = 1024 * 1024
COUNTS = ("cards", "created", "updated", "unchanged", "skipped")


class _Rollback(Exception):
    """Raised to undo a check after it has counted everything."""


def _fill(job: ContactImport, report: Report) -> None:
    for name in (*COUNTS, "failed"):
        setattr(job, name, getattr(report, name))
    job.problems = [list(p) for p in report.problems]
    job.problem_count = report.problem_count


def _import(job: ContactImport, by: User, progress: Progress) -> Report:
    with job.file.open("rb") as stored:
        # The file object itself: Django's File proxies every readline through Python.
        stream = getattr(stored, "file", stored)
        report = Importer(by, progress).run(read_cards(stream))
    if report.cards == 0:
        raise Invalid("No vCards found in that file.")
    return report


class VCards(FileKind):
    """People from an address book's vCards (2.1, 3.0, 4.0)."""

    name = "vcards"
    model = ContactImport
    details = "contacts/job_details.html"
    list_url = "contacts:import"
    title = "vCard imports"
    urls = {"run": "contacts:import_run", "resume": "contacts:import_resume"}
    to = "import people"

    def access(self, user: User, pk: int | str, *, for_write: bool = False) -> ContactImport:
        return access_contact_import(user, pk, for_write=for_write)

    def accept(self, by: User, stored: Stored, **options: Any) -> ContactImport:
        with stored.full_path.open("rb") as kept:
            head = kept.read(SNIFF_BYTES)
        if next(read_cards(io.BytesIO(head)), None) is None:
            raise Invalid(
                "No vCards found in that file (no BEGIN:VCARD); is it an address book export?",
                {"file": ["Not a vCard file."]},
            )
        return ContactImport()

    def upload_summary(self, job: Any) -> tuple[str, dict[str, Any]]:
        return f"Uploaded {job.original_name} for a vCard import", {}

    def check_file(self, job: Any, by: User, progress: Progress) -> None:
        try:
            with transaction.atomic():
                report = _import(job, by, progress)
                raise _Rollback
        except _Rollback:
            pass
        _fill(job, report)

    def write_file(self, job: Any, by: User, progress: Progress) -> tuple[str, dict[str, Any]]:
        report = _import(job, by, progress)
        _fill(job, report)
        summary = (
            f"vCards from {job.original_name}: {report.created} created, {report.updated} updated"
        )
        return summary, {
            **{name: getattr(report, name) for name in COUNTS},
            "failed": report.failed,
            "created_ids": report.created_ids,
            "updated_ids": report.updated_ids,
        }


VCARDS = VCards()
