"""rapport restore FILE: an archive made by `rapport backup` into an empty database."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.backup.load import check_backup, restore_backup
from rapport.errors import RapportError


class Command(BaseCommand):
    help = (
        "Restore a backup into an empty database (migrated or not) and the uploads folder. "
        "With --check, only read the archive through and check it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the archive made by `rapport backup`")
        parser.add_argument(
            "--check", action="store_true", help="check the archive, change nothing"
        )

    def handle(self, *args: Any, file: Path, check: bool, verbosity: int, **options: Any) -> None:
        progress = self.stdout.write if verbosity > 0 else None
        try:
            if check:
                manifest = check_backup(file, progress=progress)
                self.stdout.write(
                    f"{file} is whole: {manifest.rows:,} rows in {len(manifest.tables)} tables "
                    f"and {len(manifest.files)} files, made by Rapport {manifest.rapport_version} "
                    f"at {manifest.created_at}."
                )
            else:
                restore_backup(file, progress=progress)
        except RapportError as err:
            raise CommandError(err.message) from None
