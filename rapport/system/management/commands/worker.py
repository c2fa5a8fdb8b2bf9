"""`rapport worker`: work the background queue (matching runs, digests) until stopped."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Work background tasks (matching, digests, imports, duplicate searches, webhooks) "
        "from the database queue until stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Work what is queued now, then stop."
        )
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")

    def handle(self, *args, batch: bool, interval: float, **options):
        arguments = ["--interval", str(interval)]
        if batch:
            arguments.append("--batch")
        call_command("db_worker", *arguments, verbosity=options.get("verbosity", 1))
