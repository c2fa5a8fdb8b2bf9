"""`rapport refresh`: recompute every person's relationship state from the touchpoints."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from rapport.relationships.services import refresh_all


class Command(BaseCommand):
    help = (
        "Recompute every person's relationship state (contact dates, counts, effort, stage) "
        "from their touchpoints. Writes keep it current; run this after a bulk import."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if opts["verbosity"] > 0:
                self.stderr.write(f"\r  {done:,} of {total:,} people", ending="")
                self.stderr.flush()

        n = refresh_all(progress)
        if opts["verbosity"] > 0 and n:
            self.stderr.write("")
        self.stdout.write(f"Refreshed {n:,} people in {time.perf_counter() - started:.1f} s.")
