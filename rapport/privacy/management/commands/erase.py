"""`rapport erase PERSON_ID --confirm`: erase a person on their request."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.errors import RapportError
from rapport.privacy import erasure, services
from rapport.privacy.commands import acting_admin, person_by_id


class Command(BaseCommand):
    help = (
        "Erase one person: their record, and the text of every touchpoint and request they "
        "took part in, go; the work stays counted without their name. Without --confirm it "
        "only says what would go."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person_id", type=int)
        parser.add_argument("--confirm", action="store_true", help="really erase")
        parser.add_argument("--reference", default="", help="at whose request, and how")
        parser.add_argument("--by", help="the administrator's username, for the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            by = acting_admin(options["by"])
            person = person_by_id(options["person_id"])
            if not options["confirm"]:
                found = erasure.counts(person)
                listed = ", ".join(
                    f"{n} {what.replace('_', ' ')}" for what, n in found.items() if n
                )
                self.stdout.write(
                    f"Would erase person #{person.pk} ({listed or 'nothing else held'}). "
                    "Run again with --confirm to erase."
                )
                return
            done = services.erase_person(by=by, person=person, reference=options["reference"])
        except RapportError as err:
            raise CommandError(err.message) from err
        self.stdout.write(f"Erased person #{done.person_id}.")
