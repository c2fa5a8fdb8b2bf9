"""`rapport send_digests`: email each subscribed person their digest when it is due, and retry
any digest the mail server has not accepted yet."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rapport.awareness.sending import send_digests


class Command(BaseCommand):
    help = (
        "Send personal alert digests that are due, and retry those not yet accepted by the mail "
        "server. Never sends a digest twice; safe to run from a scheduler as often as you like."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        result = send_digests()
        self.stdout.write(
            f"Composed {result.composed}; sent {result.sent}; failed {result.failed}"
            f" (will retry); given back {result.released} (alerts turned off)."
        )
        if result.errors:
            raise CommandError("Could not send: " + "; ".join(result.errors))
