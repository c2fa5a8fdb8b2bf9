"""`rapport reencrypt`: encrypt every stored secret again with the current encryption key.

Run it after putting a new key first in RAPPORT_ENCRYPTION_KEY (the old one still after it);
once it has run, the old key can be dropped. Today the webhook signing secrets are the only
secrets stored encrypted (see docs/webhooks.md, "Secrets at rest").
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rapport.errors import Invalid
from rapport.webhooks.services import reencrypt_secrets


class Command(BaseCommand):
    help = (
        "Encrypt every stored webhook secret again with the first key of "
        "RAPPORT_ENCRYPTION_KEY (after a key rotation); the secrets themselves do not change."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            count = reencrypt_secrets()
        except Invalid as err:
            raise CommandError(f"Nothing was changed. {err.message}") from None
        self.stdout.write(f"Encrypted {count} webhook secret(s) with the current key.")
