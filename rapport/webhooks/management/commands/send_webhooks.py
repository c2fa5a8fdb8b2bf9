"""`rapport send_webhooks`: attempt every webhook delivery that is due now.

`rapport worker` already sends deliveries and their retries (each retry is queued to run when
it is due); this sweep is for running from cron instead, or to catch up after the worker was
down. Both use the same claim, so a delivery is never attempted twice at once. It also keeps
the log short: delivered and failed deliveries older than 30 days are forgotten.
"""

from typing import Any

from django.core.management.base import BaseCommand

from rapport.webhooks.sending import KEEP_DAYS, prune, send_due


class Command(BaseCommand):
    help = (
        "Send webhook deliveries that are due (new ones and retries). Safe to run from a "
        "scheduler as often as you like, beside `rapport worker`."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        result = send_due()
        removed = prune()
        self.stdout.write(
            f"Delivered {result.delivered}; will retry {result.retrying}; "
            f"failed for good {result.failed}. "
            f"Forgot {removed} finished deliveries older than {KEEP_DAYS} days."
        )
