"""`rapport log "<capture line>" --user NAME`: log a touchpoint from the command line."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rapport.accounts.models import User
from rapport.errors import RapportError
from rapport.touchpoints.services import capture


class Command(BaseCommand):
    help = "Log a touchpoint from one capture line, as the given librarian."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("line", help='e.g. "@Ana Ruiz asked for PRISMA strings ~20m read:4"')
        parser.add_argument("--user", required=True, help="the librarian's username")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create people mentioned who do not exist yet",
        )
        parser.add_argument("--confidential", action="store_true")
        parser.add_argument("--answer", default="", help="the answer or notes")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            user = User.objects.get(username=opts["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"There is no active user “{opts['user']}”.") from None
        try:
            tp = capture(
                by=user,
                line=opts["line"],
                create_missing=opts["create_missing"],
                confidential=opts["confidential"],
                answer=opts["answer"],
            )
        except RapportError as e:
            raise CommandError(e.message) from None
        withheld = {p.pk: p.email or "someone" for p in tp.withheld}
        names = [withheld.get(p.pk, p.full_name) for p in tp.people.all()]
        people = ", ".join(names) or "no one in particular"
        when = timezone.localtime(tp.occurred_at)
        details = [
            tp.get_kind_display(),
            tp.get_channel_display(),
            f"origin {tp.origin}",
            f"initiated by {tp.initiated_by}",
        ]
        if tp.read_level:
            details.append(f"READ {tp.read_level}")
        if tp.minutes:
            details.append(f"{tp.minutes} min")
        if tp.tags:
            details.append(" ".join(f"#{t}" for t in tp.tags))
        self.stdout.write(f"Logged touchpoint {tp.pk} with {people}, {when:%a %d %b %Y %H:%M}:")
        self.stdout.write(f"  {tp.topic}")
        self.stdout.write("  " + " · ".join(details))
        for address in withheld.values():
            self.stdout.write(
                f"  {address} is in the care of colleagues: their page and history stay with "
                "them until one of them or an administrator shares this person with you."
            )
