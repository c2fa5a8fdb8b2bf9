"""`rapport createuser NAME --role ROLE`: create a librarian, manager or administrator."""

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.accounts.models import Role
from rapport.accounts.services import create_user
from rapport.errors import Invalid


class Command(BaseCommand):
    help = "Create a Rapport account (librarian, manager or admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.LIBRARIAN)
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from standard input instead of prompting.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("The passwords do not match; nothing was created.")
        try:
            user = create_user(
                by=None,
                username=opts["username"],
                password=password,
                role=opts["role"],
                email=opts["email"],
                first_name=opts["first_name"],
                last_name=opts["last_name"],
            )
        except Invalid as e:
            raise CommandError(e.message) from None
        self.stdout.write(f"Created {user.role} “{user.username}”.")
