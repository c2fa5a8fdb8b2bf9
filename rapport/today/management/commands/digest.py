"""`rapport digest`: email each librarian who asked for it their Today list, once a day."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rapport.today.digest import send_digests


class Command(BaseCommand):
    help = (
        "Send the daily digest (one email per librarian who turned it on, none when nothing "
        "is due, never twice a day). Safe to run from a scheduler as often as you like."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        result = send_digests()
        self.stdout.write(
            f"Sent {len(result.sent)}; nothing due for {len(result.nothing_due)}; "
            f"already sent today to {len(result.already_sent)}."
        )
        if result.failed:
            raise CommandError("Could not send to " + "; ".join(result.failed))
