"""rapport find-duplicates: search the whole library for duplicate people now, with progress."""

from django.core.management.base import BaseCommand, CommandParser

from rapport.duplicates import services
from rapport.duplicates.models import Scan


class Command(BaseCommand):
    help = (
        "Find people who may be the same person (same e-mail, ORCID or directory id, or a "
        "similar name in the same department) and store them for review at /duplicates/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue",
            action="store_true",
            help="queue the search for `rapport worker` instead of running it here",
        )

    def handle(self, *args, **options) -> None:
        if options["queue"]:
            scan = services.start_scan(by=None)
            self.stdout.write(f"Queued duplicate scan {scan.pk}; `rapport worker` will run it.")
            return
        scan = services.start_scan(by=None, queue=False)
        shown = {"step": ""}

        def report(s: Scan) -> None:
            if s.step and s.step != shown["step"]:
                shown["step"] = s.step
                self.stdout.write(f"{s.step}…")
            if s.total and s.status == Scan.Status.RUNNING and s.step.startswith("Comparing"):
                self.stdout.write(f"  {s.done:,} of {s.total:,} pairs weighed")

        scan = services.run_scan(scan.pk, report=report)
        seconds = (scan.finished_at - scan.started_at).total_seconds()  # type: ignore[operator]
        self.stdout.write(
            f"{scan.people:,} people, {scan.total:,} pairs weighed, "
            f"{scan.pairs_found:,} candidate pair{'s' if scan.pairs_found != 1 else ''} "
            f"found in {seconds:.1f} s. Review them at /duplicates/."
        )
