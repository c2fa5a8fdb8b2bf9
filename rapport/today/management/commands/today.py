"""`rapport today --user NAME`: the Today page in the terminal."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.accounts.models import User
from rapport.errors import RapportError
from rapport.today.text import lines
from rapport.today.today import build


class Command(BaseCommand):
    help = "Print a librarian's Today list: follow-ups, requests due, people due a contact."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the librarian's username")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            user = User.objects.get(username=opts["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"There is no active user “{opts['user']}”.") from None
        try:
            today = build(user)
        except RapportError as e:
            raise CommandError(e.message) from None
        self.stdout.write(f"Today, {today.date:%A %d %B %Y}, for {user.display_name}")
        if today.empty:
            self.stdout.write("Nothing is due today.")
            return
        for section in today.sections:
            if not section.total:
                continue
            self.stdout.write("")
            self.stdout.write(f"{section.title} ({section.total})")
            for line in lines(section):
                self.stdout.write(f"  {line}")
