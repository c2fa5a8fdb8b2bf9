"""`rapport rematch`: match every profile against recent items (nightly, or after a big import)."""

from django.core.management.base import BaseCommand

from rapport.awareness import matching
from rapport.awareness.services import start_matching


class Command(BaseCommand):
    help = "Match everyone against the items of the last 90 days; --now works it here."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Work the run in this process, not the worker."
        )

    def handle(self, *args, now: bool, **options):
        run = start_matching(by=None, scope="all")
        if not now:
            self.stdout.write(f"Queued matching run {run.pk}; `rapport worker` will work it.")
            return
        run = matching.run_matching(run.pk)
        self.stdout.write(
            f"Matched {run.total:,} people: {run.matches_kept:,} suggestions kept (run {run.pk})."
        )
