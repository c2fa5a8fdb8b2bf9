"""Clients editing one person or touchpoint at the same time, through the real API.

Each client PATCHes a different field, all at once, each in its own thread with its own
database connection: afterwards every field holds its client's value, and the audit trail,
replayed from the starting values, gives exactly the row as it is.
"""

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from rapport.accounts.services import create_api_token
from rapport.audit.models import AuditEntry
from rapport.people.models import Person
from rapport.touchpoints.models import Touchpoint

PERSON_EDITS = {
    "job_title": "Professor of Chemistry",
    "department": "Chemistry",
    "building": "North Wing",
    "room": "2.14",
    "desk": "7",
    "notes": "Prefers e-mail before ten.",
}
TOUCHPOINT_EDITS = {
    "minutes": 25,
    "read_level": 4,
    "topic": "PRISMA flow diagram",
    "answer": "Sent the template and two examples.",
    "outcome": "Used in the protocol",
    "tags": ["prisma", "sr"],
}


@contextmanager
def on_a_real_database(tmp_path: Path) -> Iterator[None]:
    """On SQLite, the threads work on a copy of the test database in a WAL file, as Rapport
    runs, and the result is copied back afterwards.

    The SQLite test database lives in memory with a shared cache, where a writer that meets
    another's lock is refused at once ("database table is locked") and readers wait for
    writers: neither is how SQLite behaves on a file with WAL, where the probe lost updates.
    Every connection opened in a thread reads the database's name from the same settings.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    memory = connection.connection
    path = tmp_path / "rapport.sqlite3"
    with closing(sqlite3.connect(path)) as disk:
        memory.backup(disk)
        # WAL before the threads meet: switching a file to WAL needs it to itself, and a
        # connection that tries while others hold it is refused at once, with no wait.
        disk.execute("PRAGMA journal_mode=WAL")
    name = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.settings_dict["NAME"] = name
        with closing(sqlite3.connect(path)) as disk:
            disk.backup(memory)


def _patch_all_at_once(
    path: str, token: str, edits: dict[str, Any], tmp_path: Path
) -> dict[str, int]:
    """One thread per field, released together; each answer's status by field."""
    start = threading.Barrier(len(edits))
    statuses: dict[str, int] = {}

    def patch(field: str, value: Any) -> None:
        client = Client()
        try:
            start.wait()
            response = client.patch(
                path,
                data=json.dumps({field: value}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            statuses[field] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=patch, args=item) for item in edits.items()]
    with on_a_real_database(tmp_path):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return statuses


def _replayed(start: dict[str, Any], object_type: str, pk: int) -> tuple[dict[str, Any], list]:
    """The starting values with every audited update applied in order, and the versions each
    update went from and to."""
    values = dict(start)
    versions = []
    entries = AuditEntry.objects.filter(
        object_type=object_type, object_id=str(pk), action="update"
    ).order_by("id")
    for entry in entries:
        changes = dict(entry.changes)
        versions.append(changes.pop("version"))
        for field, (before, after) in changes.items():
            assert values[field] == before, f"{field}: audit says {before!r}, was {values[field]!r}"
            values[field] = after
    return values, versions


@pytest.mark.django_db(transaction=True)
def test_six_clients_patching_different_fields_of_a_person_lose_nothing(world, tmp_path):
    _, token = create_api_token(by=world.alice, name="concurrency")
    person = world.ana
    start = {field: getattr(person, field) for field in PERSON_EDITS}

    statuses = _patch_all_at_once(f"/api/v1/people/{person.pk}", token, PERSON_EDITS, tmp_path)

    assert statuses == dict.fromkeys(PERSON_EDITS, 200)
    person = Person.objects.get(pk=person.pk)
    assert {field: getattr(person, field) for field in PERSON_EDITS} == PERSON_EDITS
    replayed, versions = _replayed(start, "person", person.pk)
    assert replayed == PERSON_EDITS
    assert versions == [[n, n + 1] for n in range(1, 7)]
    assert person.version == 7


@pytest.mark.django_db(transaction=True)
def test_six_clients_patching_different_fields_of_a_touchpoint_lose_nothing(world, tmp_path):
    _, token = create_api_token(by=world.alice, name="concurrency")
    tp = world.ana_question
    start = {field: getattr(tp, field) for field in TOUCHPOINT_EDITS}

    statuses = _patch_all_at_once(f"/api/v1/touchpoints/{tp.pk}", token, TOUCHPOINT_EDITS, tmp_path)

    assert statuses == dict.fromkeys(TOUCHPOINT_EDITS, 200)
    tp = Touchpoint.objects.get(pk=tp.pk)
    assert {field: getattr(tp, field) for field in TOUCHPOINT_EDITS} == TOUCHPOINT_EDITS
    replayed, versions = _replayed(start, "touchpoint", tp.pk)
    assert replayed == TOUCHPOINT_EDITS
    assert versions == [[n, n + 1] for n in range(1, 7)]
    assert tp.version == 7
