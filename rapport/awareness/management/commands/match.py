"""rapport match --profiles PROFILES.jsonl --items ITEMS.jsonl [--mode M] [--top K]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.awareness.engine import MODES, EngineUnavailable
from rapport.awareness.engine.batch import BatchError, match


class Command(BaseCommand):
    help = (
        "Score items against interest profiles read from JSON Lines files and write "
        '{"profile", "item", "score"} lines to standard output: every pair, or with --top '
        "each profile's best K items."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--profiles", type=Path, required=True, help="profiles, JSON Lines")
        parser.add_argument("--items", type=Path, required=True, help="items, JSON Lines")
        parser.add_argument("--mode", choices=MODES, default="lexical")
        parser.add_argument("--top", type=int, help="keep each profile's best K items")

    def handle(self, *args, **options) -> None:
        try:
            match(
                options["profiles"],
                options["items"],
                self.stdout,
                mode=options["mode"],
                top=options["top"],
            )
        except (BatchError, EngineUnavailable) as exc:
            raise CommandError(str(exc), returncode=2) from exc
