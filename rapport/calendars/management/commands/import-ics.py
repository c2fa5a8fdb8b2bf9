"""`rapport import-ics FILE [--as USERNAME] [--since DATE] [--dry-run]`: log meetings."""

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.accounts.models import Role, User
from rapport.calendars.models import CalendarImport
from rapport.errors import RapportError
from rapport.uploads import lifecycle

SHOWN = 50


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"“{value}” is not a date; write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Log the meetings in an .ics file as touchpoints of a librarian, attendees matched to "
        "people by e-mail; the same file twice logs nothing twice. --dry-run only reports."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the .ics file")
        parser.add_argument(
            "--as",
            dest="username",
            help="the librarian whose meetings they are (needed unless there is only one)",
        )
        parser.add_argument(
            "--since", type=_date, help="meetings from this day (YYYY-MM-DD; default 90 days ago)"
        )
        parser.add_argument("--dry-run", action="store_true", help="report, log nothing")

    def _user(self, username: str | None) -> User:
        users = User.objects.filter(is_active=True).exclude(role=Role.MANAGER, is_superuser=False)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"There is no active librarian “{username}”.")
            return user
        if users.count() != 1:
            raise CommandError("Say whose meetings these are with --as USERNAME.")
        return users.get()

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        by = self._user(opts["username"])
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        try:
            with path.open("rb") as stream:
                job = lifecycle.upload(
                    "ics", by=by, stream=stream, name=path.name, since=opts["since"], how="caller"
                )
            job = lifecycle.work("ics", job.pk)  # this process is the worker: the check
            if not opts["dry_run"] and job.status == CalendarImport.Status.CHECKED:
                job = lifecycle.run(by=by, job=job, how="caller")
                job = lifecycle.work("ics", job.pk)
        except RapportError as e:
            raise CommandError(e.message) from None
        if job.status == CalendarImport.Status.FAILED:
            raise CommandError(f"The import failed and logged nothing: {job.error}")
        self._report(job, opts["dry_run"])

    def _report(self, job: CalendarImport, dry_run: bool) -> None:
        w = self.stdout.write
        verb = "Would log" if dry_run else "Logged"
        w(
            f"{verb} {job.meetings} meeting{'s' * (job.meetings != 1)} from {job.original_name} "
            f"(since {job.since:%Y-%m-%d}): {job.events} events read, "
            f"{job.already} logged before, {job.skipped_total} left out."
        )
        for reason, count in job.skipped.items():
            w(f"  left out: {count} {reason}")
        if dry_run:
            for when, topic, minutes, channel, names in job.planned[:SHOWN]:
                length = f", {minutes} min" if minutes is not None else ""
                w(f"  {when} {topic} ({channel}{length}) with {', '.join(names)}")
        for email, name, count in job.unmatched[:SHOWN]:
            who = f"{name} <{email}>" if name else email
            w(f"  no one has the address of {who} ({count} meeting{'s' * (count != 1)})")
        for where, message in job.problems[:SHOWN]:
            w(f"  problem in {where}: {message}")
        if job.problem_count > SHOWN:
            w(f"  … and {job.problem_count - SHOWN} more problems.")
        if dry_run:
            w("Nothing was logged (dry run).")
