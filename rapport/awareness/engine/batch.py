"""`rapport match`: profiles and items from JSON Lines files, scores out as JSON Lines.

Input is read and checked in full before anything is scored, so bad input writes nothing.
A profile line is ``{"id": …, "documents": [{"title": …, "text": …, "weight": …}, …]}``
(a document's text is its title and text; weight is optional), an item line is
``{"id": …, "title": …, "text": …}``. Blank lines are skipped.
"""

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar

from rapport.awareness.engine import Document, ItemText, Profile, get_engine

T = TypeVar("T")


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


class BatchError(Exception):
    """Bad input, with the file and line it was found at."""


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise BatchError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise BatchError(f"{path}, line {number}: not JSON ({exc.msg})") from exc
                if not isinstance(value, dict):
                    raise BatchError(f"{path}, line {number}: expected a JSON object")
                yield number, value
        except UnicodeDecodeError as exc:
            raise BatchError(f"{path}: not UTF-8 text ({exc.reason})") from exc


def _text(value: Any, where: str, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BatchError(f"{where}: {name} must be a string")
    return value


def _read(path: Path, parse: Callable[[str, str, dict[str, Any]], T]) -> list[T]:
    seen: dict[str, int] = {}
    out = []
    for number, row in _lines(path):
        where = f"{path}, line {number}"
        raw = row.get("id")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raise BatchError(f"{where}: missing id")
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            raise BatchError(f"{where}: id must be a string or a number")
        key = str(raw)
        if key in seen:
            raise BatchError(f"{where}: duplicate id {key!r} (first on line {seen[key]})")
        seen[key] = number
        out.append(parse(key, where, row))
    return out


def _profile(key: str, where: str, row: dict[str, Any]) -> Profile:
    documents = row.get("documents", [])
    if not isinstance(documents, list):
        raise BatchError(f"{where}: documents must be a list")
    parsed = []
    for n, doc in enumerate(documents, start=1):
        if not isinstance(doc, dict):
            raise BatchError(f"{where}: document {n} must be an object")
        title = _text(doc.get("title"), where, f"document {n} title")
        text = _text(doc.get("text"), where, f"document {n} text")
        weight = doc.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise BatchError(f"{where}: document {n} weight must be a number")
        if not math.isfinite(weight) or weight < 0:
            raise BatchError(f"{where}: document {n} weight must be zero or more")
        ref = _text(doc.get("ref"), where, f"document {n} ref") or f"{key}#{n}"
        body = ". ".join(part for part in (title.strip(), text.strip()) if part)
        parsed.append(Document(text=body, weight=float(weight), ref=ref))
    return Profile(id=key, documents=tuple(parsed))


def _item(key: str, where: str, row: dict[str, Any]) -> ItemText:
    return ItemText(
        id=key,
        title=_text(row.get("title"), where, "title"),
        text=_text(row.get("text"), where, "text"),
    )


def read_profiles(path: Path) -> list[Profile]:
    return _read(path, _profile)


def read_items(path: Path) -> list[ItemText]:
    return _read(path, _item)


def match(
    profiles_path: Path, items_path: Path, out: Writer, *, mode: str = "lexical", top: int | None
) -> int:
    """Score every profile against every item and write JSON Lines; the number of lines."""
    if top is not None and top < 1:
        raise BatchError("--top must be at least 1")
    profiles = read_profiles(profiles_path)
    items = read_items(items_path)
    engine = get_engine(mode)
    written = 0
    lines: list[str] = []
    dumps = json.dumps
    for hit in engine.score(profiles, items, top=top, explain=False):
        lines.append(
            dumps({"profile": hit.profile, "item": hit.item, "score": round(hit.score, 6)})
        )
        if len(lines) >= 10_000:
            out.write("\n".join(lines) + "\n")
            written += len(lines)
            lines = []
    if lines:
        out.write("\n".join(lines) + "\n")
        written += len(lines)
    return written
