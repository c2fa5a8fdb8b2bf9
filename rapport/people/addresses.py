"""People by any of their e-mail addresses, many addresses at a time.

A person has a main address (`email`, indexed) and other addresses (`other_emails`, a JSON
list, which no index covers). Importers look up a whole chunk of addresses at once: the main
ones through the index, the other ones in one pass over the people who have any, the list
opened by the database itself (`json_each` on SQLite, `jsonb_array_elements_text` on
PostgreSQL). Every write path stores addresses lower-cased (`clean_person`, the importers); the
other addresses are compared lower-cased all the same, as a list may be written by hand.
"""

import json
from collections.abc import Iterable

from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from rapport.people.models import Person


def normalised(addresses: Iterable[str]) -> list[str]:
    """The addresses as they are compared: trimmed, lower-cased, once each, sorted."""
    return sorted({a.strip().lower() for a in addresses if a and a.strip()})


def _other_address_ids(wanted: list[str], using: str) -> RawSQL:
    """The ids of people one of whose other addresses is in `wanted` (lower-cased): one
    subquery, a single parameter however many addresses there are."""
    table = Person._meta.db_table
    if connections[using].vendor == "postgresql":
        return RawSQL(
            f"SELECT p.id FROM {table} p WHERE p.other_emails <> '[]'::jsonb AND EXISTS "
            "(SELECT 1 FROM jsonb_array_elements_text(p.other_emails) e "
            "WHERE lower(e) = ANY(%s))",
            (wanted,),
        )
    return RawSQL(
        f"SELECT DISTINCT p.id FROM {table} p, json_each(p.other_emails) e "
        "WHERE p.other_emails <> '[]' AND lower(e.value) IN (SELECT value FROM json_each(%s))",
        (json.dumps(wanted),),
    )


def with_other_address(people: QuerySet[Person], addresses: Iterable[str]) -> QuerySet[Person]:
    """Those of `people` who have one of `addresses` among their other addresses."""
    wanted = normalised(addresses)
    if not wanted:
        return people.none()
    return people.filter(pk__in=_other_address_ids(wanted, people.db))


def with_address(people: QuerySet[Person], addresses: Iterable[str]) -> QuerySet[Person]:
    """Those of `people` who have one of `addresses` as their main or another address."""
    wanted = normalised(addresses)
    if not wanted:
        return people.none()
    return people.filter(Q(email__in=wanted) | Q(pk__in=_other_address_ids(wanted, people.db)))


def by_address(people: Iterable[Person], addresses: Iterable[str]) -> dict[str, Person]:
    """Each of `addresses` (lower-cased) → the person who has it: the one whose main address it
    is before one who has it as another address, else the first in `people`'s order."""
    wanted = set(normalised(addresses))
    found: dict[str, Person] = {}
    others: list[tuple[str, Person]] = []
    for person in people:
        main = person.email.strip().lower()
        if main in wanted:
            found.setdefault(main, person)
        others.extend(
            (address, person)
            for other in person.other_emails or []
            if (address := str(other).strip().lower()) in wanted
        )
    for address, person in others:
        found.setdefault(address, person)
    return found
