"""`rapport subject-access PERSON_ID`: everything held about a person, as JSON on stdout."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from rapport.errors import RapportError
from rapport.privacy import services
from rapport.privacy.commands import acting_admin, person_by_id


class Command(BaseCommand):
    help = (
        "Write everything Rapport holds about one person (confidential entries included, "
        "marked) as JSON, for a subject access request. Recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person_id", type=int)
        parser.add_argument("--by", help="the administrator's username, for the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            by = acting_admin(options["by"])
            person = person_by_id(options["person_id"])
            doc = services.open_subject_access(by=by, person=person, where="command line")
        except RapportError as err:
            raise CommandError(err.message) from err
        self.stdout.write(json.dumps(doc, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
