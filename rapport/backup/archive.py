"""The archive: one zip file holding a manifest, one JSON Lines file per table and every
uploaded file. This module knows its layout and checks it; `dump` writes and `load` restores.

    manifest.json          format and version, Rapport's version, the migration state, when,
                           and per table its columns, row count and SHA-256 (likewise per file)
    data/<table>.jsonl     one JSON array of column values per row, in primary-key order
    media/<path>           the files under MEDIA_ROOT (request deliverables, import uploads)

The manifest is written last, once every count and checksum is known.
"""

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from rapport.errors import Invalid

FORMAT = "rapport-backup"
#: Raise when a change means an older Rapport could misread the archive.
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA_DIR = "data/"
MEDIA_DIR = "media/"


@dataclass
class Table:
    model: str
    table: str
    columns: list[str]
    rows: int = 0
    sha256: str = ""

    @property
    def member(self) -> str:
        return f"{DATA_DIR}{self.table}.jsonl"


@dataclass
class File:
    path: str
    size: int
    sha256: str

    @property
    def member(self) -> str:
        return f"{MEDIA_DIR}{self.path}"


@dataclass
class Manifest:
    rapport_version: str
    created_at: str
    database: str
    migrations: dict[str, list[str]]
    tables: list[Table] = field(default_factory=list)
    files: list[File] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def to_json(self) -> str:
        data = {
            "format": self.format,
            "format_version": self.format_version,
            "rapport_version": self.rapport_version,
            "created_at": self.created_at,
            "database": self.database,
            "migrations": self.migrations,
            "tables": [vars(t) for t in self.tables],
            "files": [vars(f) for f in self.files],
            "excluded": self.excluded,
        }
        return json.dumps(data, indent=1, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise Invalid("This file is not a Rapport backup (its manifest says otherwise).")
            version = data["format_version"]
            if not isinstance(version, int) or version > FORMAT_VERSION:
                raise Invalid(
                    f"This backup was made by a newer Rapport ({data.get('rapport_version')}, "
                    f"archive format {version}); this Rapport reads formats up to "
                    f"{FORMAT_VERSION}. Upgrade Rapport, then restore."
                )
            return cls(
                rapport_version=data["rapport_version"],
                created_at=data["created_at"],
                database=data["database"],
                migrations={k: list(v) for k, v in data["migrations"].items()},
                tables=[Table(**t) for t in data["tables"]],
                files=[File(**f) for f in data["files"]],
                excluded=dict(data.get("excluded", {})),
                format_version=version,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise Invalid(f"The backup's manifest is damaged ({err}).") from None


def open_archive(path: Any) -> tuple[zipfile.ZipFile, Manifest]:
    """The archive and its manifest, checked for format and version; nothing else read yet."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise Invalid(f"There is no file {path}.") from None
    except (zipfile.BadZipFile, OSError) as err:
        raise Invalid(
            f"{path} is not a readable backup: it is damaged or incomplete ({err})."
        ) from None
    try:
        text = archive.read(MANIFEST).decode("utf-8")
    except KeyError:
        archive.close()
        raise Invalid(f"{path} has no manifest: it is not a Rapport backup.") from None
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError) as err:
        archive.close()
        raise Invalid(f"The backup's manifest is damaged ({err}).") from None
    try:
        manifest = Manifest.from_json(text)
    except Invalid:
        archive.close()
        raise
    for item in manifest.files:
        safe_media_path(item.path)
    return archive, manifest


def safe_media_path(path: str) -> PurePosixPath:
    """A file's path inside MEDIA_ROOT; refuses anything that would land outside it."""
    parts = PurePosixPath(path)
    if parts.is_absolute() or ".." in parts.parts or not parts.parts:
        raise Invalid(f"The backup names a file outside the uploads folder: {path!r}.")
    return parts
