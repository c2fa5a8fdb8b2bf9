"""rapport backup [FILE]: the whole database and the uploaded files into one archive."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rapport.backup.dump import write_backup
from rapport.errors import RapportError


class Command(BaseCommand):
    help = (
        "Back up the whole database and every uploaded file into one archive (a zip). "
        "FILE defaults to $RAPPORT_DATA_DIR/backups/rapport-<date>-<time>.zip."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="where to write the archive")

    def handle(self, *args: Any, file: Path | None, verbosity: int, **options: Any) -> None:
        if file is None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            file = Path(settings.DATA_DIR) / "backups" / f"rapport-{stamp}.zip"
            file.parent.mkdir(parents=True, exist_ok=True)
        progress = self.stdout.write if verbosity > 0 else None
        try:
            write_backup(file, progress=progress)
        except RapportError as err:
            raise CommandError(err.message) from None
