"""How one object is fetched for a user: the one shape every `access_<thing>` shares.

Each type's `access_<thing>(user, pk, *, for_write=False)` (in its app's queries.py) is the
only way views, API routes, commands and services get one object: it starts from the type's
access-scoped query (so a row the user may not see is "not found", never "forbidden": we do
not say it exists), and with `for_write` applies the type's write rule (from
`rapport.accounts.roles`) and, inside a transaction, reads the row locked, so the service
that changes it works on the row as committed now (rapport/concurrency.py).
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models import QuerySet

from rapport.errors import NotFound

M = TypeVar("M", bound=models.Model)


def scoped_row(
    scope: QuerySet[M],
    pk: Any,
    *,
    for_write: bool,
    missing: str,
    shown: Callable[[QuerySet[M]], QuerySet[M]] | None = None,
) -> M:
    """The row `pk` of a scoped queryset, or NotFound(`missing`). Inside a transaction, a
    write reads the bare row locked (PostgreSQL's SELECT … FOR UPDATE of this table only;
    SQLite's IMMEDIATE transaction already holds the write lock); otherwise `shown` adds what
    a page shows beside it (related rows)."""
    try:
        key = int(pk)
    except (TypeError, ValueError, OverflowError):
        raise NotFound(missing) from None
    if for_write and transaction.get_connection(scope.db).in_atomic_block:
        scope = scope.select_for_update(of=("self",))
    elif shown is not None:
        scope = shown(scope)
    try:
        return scope.get(pk=key)
    except ObjectDoesNotExist:
        raise NotFound(missing) from None
