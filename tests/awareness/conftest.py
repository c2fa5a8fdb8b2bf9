"""Awareness on top of the shared world: items and publications written directly."""

import datetime as dt
from typing import Any

from rapport.awareness.formats import title_key
from rapport.awareness.models import Item, Publication, SourceKind


def make_item(title: str, **fields: Any) -> Item:
    fields.setdefault("source_kind", SourceKind.MANUAL)
    return Item.objects.create(title=title, title_key=title_key(title), **fields)


def make_publication(person, title: str, **fields: Any) -> Publication:
    fields.setdefault("source_kind", SourceKind.BIBTEX)
    fields.setdefault("published_on", dt.date(2025, 6, 1))
    return Publication.objects.create(
        person=person, title=title, title_key=title_key(title), **fields
    )
