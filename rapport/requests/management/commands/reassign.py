"""`rapport reassign --from USERNAME --to USERNAME`: hand a leaving librarian's work over."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.accounts.models import Role, User
from rapport.errors import RapportError
from rapport.requests.services import reassign_all


def _user(username: str) -> User:
    try:
        return User.objects.get(username__iexact=username)
    except User.DoesNotExist:
        raise CommandError(f"There is no user “{username}”.") from None


class Command(BaseCommand):
    help = (
        "Move every open request and pending follow-up of one librarian to another, e.g. when "
        "someone leaves. Each move is audited; closed and declined requests keep their owner."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="from_user", required=True, metavar="USERNAME")
        parser.add_argument("--to", dest="to_user", required=True, metavar="USERNAME")

    def handle(self, *args: Any, **opts: Any) -> None:
        from_user, to_user = _user(opts["from_user"]), _user(opts["to_user"])
        # The command line is an administrator's tool; the audit names no person as the actor.
        operator = User(username="rapport reassign", role=Role.ADMIN)
        try:
            moved = reassign_all(by=operator, from_user=from_user, to_user=to_user)
        except RapportError as err:
            raise CommandError(err.message) from None
        for req in moved:
            due = f", due {req.due_on:%Y-%m-%d}" if req.due_on else ""
            follow = (
                f", follow-up {req.follow_up_on:%Y-%m-%d}"
                if req.status == "delivered" and req.follow_up_on
                else ""
            )
            self.stdout.write(
                f"#{req.pk} {req.title} ({req.get_status_display().lower()}{due}{follow})"
            )
        s = "" if len(moved) == 1 else "s"
        self.stdout.write(
            f"Moved {len(moved)} open request{s} from {from_user.username} to {to_user.username}."
        )
