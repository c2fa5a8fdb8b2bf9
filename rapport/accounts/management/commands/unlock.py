"""`rapport unlock USER` / `rapport unlock --address IP`: lift a sign-in lock at once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.accounts.throttle import unlock_sign_in
from rapport.errors import RapportError


class Command(BaseCommand):
    help = (
        "Let an account (or an address) sign in again at once after too many wrong passwords, "
        "instead of waiting for the lock to lift."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", default="", help="the account, as typed")
        parser.add_argument("--address", default="", help="an IP address to unlock")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            forgotten = unlock_sign_in(by=None, username=opts["username"], address=opts["address"])
        except RapportError as e:
            raise CommandError(e.message) from None
        what = " and ".join(
            part
            for part in (
                opts["username"].strip() and f"“{opts['username'].strip()}”",
                opts["address"].strip() and f"address {opts['address'].strip()}",
            )
            if part
        )
        if forgotten:
            plural = "" if forgotten == 1 else "s"
            self.stdout.write(f"Unlocked {what}: forgot {forgotten} failed sign-in{plural}.")
        else:
            self.stdout.write(f"No failed sign-ins counted against {what}; nothing to unlock.")
