"""`rapport import-vcards FILE [--dry-run] [--as USERNAME]`: bring people in from vCards."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.accounts.models import Role, User
from rapport.contacts.models import ContactImport
from rapport.errors import RapportError
from rapport.uploads import lifecycle

PROBLEMS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import people from a vCard file (2.1, 3.0 or 4.0), as a librarian; "
        "--dry-run counts what would change and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the .vcf file")
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
        parser.add_argument(
            "--as",
            dest="username",
            help="the librarian who imports (default: the first administrator)",
        )

    def _user(self, username: str | None) -> User:
        users = User.objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"There is no active user “{username}”.")
            return user
        admin = (users.filter(role=Role.ADMIN) | users.filter(is_superuser=True)).order_by("pk")
        if not admin.exists():
            raise CommandError("There is no administrator; say who imports with --as USERNAME.")
        return admin.first()  # type: ignore[return-value]

    def _progress(self, cards: int) -> None:
        if self.verbosity >= 2:
            self.stderr.write(f"  {cards:,} cards read")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        self.verbosity = opts["verbosity"]
        by = self._user(opts["username"])
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        try:
            with path.open("rb") as stream:
                job = lifecycle.upload("vcards", by=by, stream=stream, name=path.name, how="caller")
            if not opts["dry_run"]:  # straight to the run: it reads every card as a check does
                job = lifecycle.run(by=by, job=job, how="caller", checked=False)
            job = lifecycle.work("vcards", job.pk, progress=self._progress)
        except RapportError as e:
            raise CommandError(e.message) from None
        if job.status == ContactImport.Status.FAILED:
            raise CommandError(f"The import failed and changed nothing: {job.error}")
        self._report(job, opts["dry_run"])

    def _report(self, job: ContactImport, dry_run: bool) -> None:
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {job.original_name}: {job.cards} cards; {job.created} created, "
            f"{job.updated} updated, {job.unchanged} unchanged, {job.skipped} skipped, "
            f"{job.failed} unreadable."
        )
        for number, name, message in job.problems[:PROBLEMS_SHOWN]:
            label = f"card {number}" + (f" ({name})" if name else "")
            self.stdout.write(f"  {label}: {message}")
        if job.problem_count > PROBLEMS_SHOWN:
            self.stdout.write(f"  … and {job.problem_count - PROBLEMS_SHOWN} more problems.")
        if dry_run:
            self.stdout.write("Nothing was changed (dry run).")
