"""The one registry of exportable lists: a name, its columns, and a scoped selection of rows.

Each list reads through the same access-scoped query as its page, with the same filters and
sort taken from the same query string, so an export never shows more than the page would.
Lists about people are refused to managers here, in one place: managers may export only
the lists marked `managers` (aggregate figures, and the public awareness items and search,
whose manager pages show items only).
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

from rapport.accounts.models import User
from rapport.accounts.roles import require_detail
from rapport.errors import NotFound

CHUNK = 1_000


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]


@dataclass
class Selection:
    """The rows to write (consumed lazily, once) and a word for the file name."""

    objects: Iterable[Any]
    label: str = ""


Select = Callable[[User, QueryDict], Selection]


@dataclass(frozen=True)
class ExportList:
    name: str
    title: str
    columns: tuple[Column, ...]
    select: Select
    #: Figures or public items only: managers may export it too.
    managers: bool = False

    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def selection(self, user: User, params: QueryDict) -> Selection:
        """Access is checked now, before any byte is sent; rows are read while writing."""
        if not self.managers:
            require_detail(user, what="people or touchpoints")
        return self.select(user, params)

    def rows(self, selection: Selection) -> Iterator[list[Any]]:
        for obj in selection.objects:
            yield [c.value(obj) for c in self.columns]


LISTS: dict[str, ExportList] = {}


def exportable(
    name: str, title: str, columns: Sequence[Column], *, managers: bool = False
) -> Callable[[Select], Select]:
    """Register `select` as the rows of the list `name`."""

    def register(select: Select) -> Select:
        LISTS[name] = ExportList(name, title, tuple(columns), select, managers)
        return select

    return register


def get_export(name: str) -> ExportList:
    from rapport.exports import lists  # noqa: F401  (registers every list)

    try:
        return LISTS[name]
    except KeyError:
        raise NotFound(f"There is no list “{name}” to export.") from None


def in_chunks(
    qs: QuerySet[Any], prepare: Callable[[list[Any]], None] | None = None
) -> Iterator[Any]:
    """Rows of a queryset read a chunk at a time (prefetches included), each chunk first
    handed to `prepare` (e.g. to mark which participants the reader may see)."""
    batch: list[Any] = []
    for obj in qs.iterator(chunk_size=CHUNK):
        batch.append(obj)
        if len(batch) == CHUNK:
            if prepare:
                prepare(batch)
            yield from batch
            batch = []
    if batch:
        if prepare:
            prepare(batch)
        yield from batch
