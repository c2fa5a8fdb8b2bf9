"""rapport import FILE [--format NAME] [--mapping NAME] [--sheet S] [--people] [--dry-run]
[--as USERNAME] · rapport import --resume JOB"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.accounts.models import Role, User
from rapport.errors import RapportError
from rapport.imports.models import ImportJob, Target
from rapport.imports.queries import access_import, get_mapping_by_name, issues_for
from rapport.imports.report import summary_lines
from rapport.uploads import lifecycle

SHOWN_ISSUES = 20


def _user(username: str | None) -> User:
    if username:
        try:
            return User.objects.get(username__iexact=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"There is no active user “{username}”.") from None
    admins = list(User.objects.filter(role=Role.ADMIN, is_active=True)[:2])
    if len(admins) != 1:
        raise CommandError("Say who is importing: --as USERNAME (a librarian or administrator).")
    return admins[0]


class Command(BaseCommand):
    help = (
        "Import touchpoints (LibAnswers, Gimlet, LibStats, LibInsight, Desk Tracker, any CSV "
        "or XLSX) or people (--people) from a file: detect the format, then import in chunks, "
        "checking every row, printing progress and a report (--dry-run: check only, write "
        "nothing). Running it again on the same file creates nothing twice. Exit status 2: "
        "the file cannot be read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="CSV, TSV or XLSX file")
        parser.add_argument("--format", default="", help="skip detection: the format's name")
        parser.add_argument("--mapping", default="", help="a saved mapping's name")
        parser.add_argument("--sheet", default="", help="the XLSX sheet to read")
        parser.add_argument("--people", action="store_true", help="import people, not touchpoints")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--as", dest="username", metavar="USERNAME", help="who imports")
        parser.add_argument("--resume", type=int, metavar="JOB", help="resume a stopped import")

    def handle(self, *args: Any, **opts: Any) -> None:
        by = _user(opts["username"])
        try:
            if opts["resume"]:
                job = access_import(by, opts["resume"])
                job = lifecycle.resume(by=by, job=job, how="caller")
                if job.status == ImportJob.Status.READING:
                    job = lifecycle.work("imports", job.pk)
                if job.status == ImportJob.Status.CHECKING:
                    self._check(by, job, started=True)
                    return
                self._run(job)
                return
            job = self._upload(by, opts)
            if opts["dry_run"]:
                self._check(by, job)
            else:
                # Straight to the run: it checks every row as the dry run would.
                lifecycle.run(by=by, job=job, how="caller", checked=False)
                self._run(job)
        except RapportError as err:
            raise CommandError(err.message, returncode=2) from None

    def _upload(self, by: User, opts: dict[str, Any]) -> ImportJob:
        path: Path | None = opts["file"]
        if path is None:
            raise CommandError("Name the file to import (or --resume JOB).")
        if not path.is_file():
            raise CommandError(f"{path}: no such file.", returncode=2)
        saved = get_mapping_by_name(by, opts["mapping"]) if opts["mapping"] else None
        with path.open("rb") as stream:
            job = lifecycle.upload(
                "imports",
                by=by,
                stream=stream,
                name=path.name,
                target=Target.PEOPLE if opts["people"] else Target.TOUCHPOINTS,
                format=opts["format"],
                mapping=saved,
                sheet=opts["sheet"],
                how="caller",
            )
        if job.status == ImportJob.Status.READING:  # a workbook: this process is the worker
            job = lifecycle.work("imports", job.pk)
            if job.status == ImportJob.Status.FAILED:
                raise CommandError(job.error, returncode=2)
        sheet = f", sheet {job.sheet}" if job.sheet else ""
        self.stdout.write(
            f"Import {job.pk}: {job.original_name} ({job.size:,} bytes{sheet}), "
            f"format {job.format} (detection score {job.score:.2f})"
            + (f", mapping {saved.name}" if saved else "")
        )
        return job

    def _progress(self, verb: str):
        def report(job: ImportJob) -> None:
            total = f" of {job.total_rows:,}" if job.total_rows else ""
            self.stdout.write(f"  {verb} {job.done_rows:,}{total} rows")
            self.stdout.flush()

        return report

    def _issues(self, job: ImportJob, phase: str) -> None:
        for issue in issues_for(job, phase)[:SHOWN_ISSUES]:
            self.stdout.write(f"  row {issue.row}: {issue.level}: {issue.message}")

    def _check(self, by: User, job: ImportJob, started: bool = False) -> None:
        if not started:
            lifecycle.check(by=by, job=job, how="caller")
        job = lifecycle.work("imports", job.pk, progress=self._progress("checked"))
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.error, returncode=2)
        self.stdout.write("Dry run: " + " ".join(summary_lines(job, "check")))
        self._issues(job, "check")

    def _run(self, job: ImportJob) -> None:
        try:
            job = lifecycle.work("imports", job.pk, progress=self._progress("imported"))
        except KeyboardInterrupt:
            job.refresh_from_db()
            raise CommandError(
                f"Interrupted after row {job.checkpoint:,}; everything before it is in. "
                f"Resume with: rapport import --resume {job.pk}"
            ) from None
        if job.status == ImportJob.Status.FAILED:  # the file could not be read to its end
            raise CommandError(job.error, returncode=2)
        if job.status != ImportJob.Status.DONE:
            raise CommandError(job.error or f"The import stopped ({job.status}).")
        self.stdout.write("Done: " + " ".join(summary_lines(job, "run")))
        self._issues(job, "run")
        if job.failed:
            self.stdout.write(f"Per-row report: /imports/{job.pk}/report.csv?phase=run")
