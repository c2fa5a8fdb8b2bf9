"""`rapport retention`: run the retention schedule (daily from cron), or say what it would do."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rapport.privacy import retention, services


class Command(BaseCommand):
    help = (
        "Remove the text of records past their retention period and detach the people they "
        "name, keeping every figure; --dry-run says what would go. Set the periods on the "
        "Privacy page. Safe to run daily (e.g. from cron): a second run finds nothing to do."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would go, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        labels = retention.record_labels()
        if not retention.rules():
            self.stdout.write(
                "No retention period is set: every record is kept. Set periods on the "
                "Privacy page (/privacy/)."
            )
            return
        if options["dry_run"]:
            figures = retention.plan()
            verb = "would remove"
        else:
            figures = retention.Figures(services.apply_retention(by=None).counts)
            verb = "removed"
        if not figures.counts:
            self.stdout.write("Nothing is past its retention period.")
            return
        for name in sorted(figures.counts):
            found = figures.counts[name]
            self.stdout.write(
                f"{labels.get(name, name)}: {verb} the text of "
                f"{found.get('stripped', 0):,}, detached people from {found.get('detached', 0):,} "
                f"participation{'s' if found.get('detached', 0) != 1 else ''}"
                + (f"; oldest {found['oldest']}" if found.get("oldest") else "")
            )
