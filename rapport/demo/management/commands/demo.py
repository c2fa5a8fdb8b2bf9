"""`rapport demo [--tier demo|S|M|L] [--seed N] [--force]`: load a generated library.

The demo tier is what `make run` loads into an empty database; S, M and L are the benchmark
tiers. The load is not audited: it is a loader, not a librarian's change.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.demo.base import TIERS
from rapport.demo.loader import existing_data, load
from rapport.demo.names import DEMO_PASSWORD
from rapport.errors import Invalid

ROLE_LABELS = {
    "librarian": "librarian",
    "manager": "manager (aggregates only)",
    "admin": "administrator",
}
SHOWN = (
    ("rapport_user", "accounts"),
    ("rapport_group", "groups"),
    ("rapport_person", "people"),
    ("rapport_membership", "memberships"),
    ("rapport_touchpoint", "touchpoints"),
    ("rapport_participation", "participations"),
    ("rapport_request", "requests"),
)


class Command(BaseCommand):
    help = "Load a realistic generated library (the demo, or a benchmark tier) into the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tier",
            choices=list(TIERS),
            default="demo",
            help="demo: 150 people; S: 10k people, 100k touchpoints; M: 100k and 1M; L: 1M and 10M",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="the same seed always gives the same rows"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="erase everything in the database first (accounts included)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        tier = TIERS[opts["tier"]]
        if opts["force"] and (present := existing_data()):
            held = ", ".join(f"{n:,} {name}" for name, n in present.items())
            self.stdout.write(f"Erasing the existing data ({held}).")
        try:
            loaded = load(
                tier,
                seed=opts["seed"],
                force=opts["force"],
                progress=self.progress(tier.touchpoints, opts["verbosity"]),
            )
        except Invalid as e:
            raise CommandError(e.message) from None
        name = "the demo library" if tier.name == "demo" else f"tier {tier.name}"
        self.stdout.write(f"Loaded {name} (seed {loaded.seed}) in {loaded.seconds:.1f} s:")
        self.stdout.write(
            "  " + " · ".join(f"{loaded.rows[table]:,} {label}" for table, label in SHOWN)
        )
        if loaded.awareness:
            self.stdout.write(
                "  " + " · ".join(f"{n:,} {what}" for what, n in loaded.awareness.items())
            )
        self.stdout.write(
            f"Sign in with one of these accounts; each has the password “{DEMO_PASSWORD}”:"
        )
        width = max(len(a.username) for a in loaded.accounts)
        for a in loaded.accounts:
            self.stdout.write(f"  {a.username:<{width}}  {a.name:<18}  {ROLE_LABELS[a.role]}")
        others = loaded.rows["rapport_user"] - len(loaded.accounts)
        if others:
            self.stdout.write(f"  and {others:,} more librarians with the same password.")
        self.stdout.write("The load is not audited: it is a loader, not a librarian's change.")

    def progress(self, total: int, verbosity: int):
        """Every few seconds on big loads, say how far the touchpoints have got."""
        if verbosity < 1 or total < 100_000:
            return None
        last = [time.monotonic()]

        def report(table: str, rows: int) -> None:
            now = time.monotonic()
            if table == "rapport_touchpoint" and now - last[0] > 5:
                last[0] = now
                self.stderr.write(f"  {rows:,} of {total:,} touchpoints…")

        return report
