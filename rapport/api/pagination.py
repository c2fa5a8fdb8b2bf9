"""Limit/offset pages: {"count", "limit", "offset", "items"}.

One COUNT and one slice per page. Counting a scoped list of 100,000 rows is an indexed scan
that costs milliseconds; an offset far past the end simply returns no items.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from rapport.api.schemas import Paging


def paginate(
    qs: QuerySet[Any], paging: Paging, convert: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    count = qs.count()
    items: list[Any] = []
    if paging.offset < count:
        items = list(qs[paging.offset : paging.offset + paging.limit])
    if convert is not None:
        items = [convert(item) for item in items]
    return {"count": count, "limit": paging.limit, "offset": paging.offset, "items": items}
