"""`rapport token create|list|revoke --user NAME`: personal access tokens for the API.

For an operator setting up a script or an integration on someone's behalf; librarians manage
their own tokens on their account page.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.services import create_api_token, revoke_api_token
from rapport.errors import RapportError


class Command(BaseCommand):
    help = "Create, list or revoke a user's personal access tokens for the API."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="create a token and print it, once")
        create.add_argument("--user", required=True, help="the username")
        create.add_argument("--name", required=True, help="what the token is for")
        listing = actions.add_parser("list", help="list the user's tokens")
        listing.add_argument("--user", required=True, help="the username")
        revoke = actions.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("--user", required=True, help="the username")
        revoke.add_argument("id", type=int, help="the token's id, as `list` shows it")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            user = User.objects.get(username=opts["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"There is no active user “{opts['user']}”.") from None
        try:
            getattr(self, f"_{opts['action']}")(user, opts)
        except RapportError as e:
            raise CommandError(e.message) from None

    def _create(self, user: User, opts: dict[str, Any]) -> None:
        token, raw = create_api_token(by=user, name=opts["name"])
        self.stdout.write(
            f"Created token {token.pk} “{token.name}” for {user.username}. "
            "Copy it now; it will not be shown again:"
        )
        self.stdout.write(raw)

    def _list(self, user: User, opts: dict[str, Any]) -> None:
        # The operator asked about this one user's tokens; the hash never leaves the database.
        tokens = user.api_tokens.order_by("created_at", "id")
        if not tokens:
            self.stdout.write(f"{user.username} has no tokens.")
            return
        self.stdout.write("id\thint\tname\tcreated\tlast used\tstate")
        for token in tokens:
            last = _when(token.last_used_at) if token.last_used_at else "never used"
            state = f"revoked {_when(token.revoked_at)}" if token.revoked_at else "active"
            self.stdout.write(
                f"{token.pk}\t{token.hint}…\t{token.name}\tcreated {_when(token.created_at)}"
                f"\t{last}\t{state}"
            )

    def _revoke(self, user: User, opts: dict[str, Any]) -> None:
        if not 1 <= opts["id"] < 2**63:  # the database could not even look such an id up
            raise CommandError(f"{user.username} has no token {opts['id']}.")
        token = revoke_api_token(by=user, token_id=opts["id"])
        self.stdout.write(
            f"Token {token.pk} “{token.name}” of {user.username} is revoked "
            f"(since {_when(token.revoked_at)})."
        )


def _when(moment: Any) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
