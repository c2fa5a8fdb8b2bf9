"""The benchmark's bare baseline really inserts the loader's rows, into a plain SQLite file."""

import datetime as dt
import sqlite3
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.db.models import Max

from benchmarks.build import bare_insert, fingerprint
from benchmarks.run import p95
from rapport.demo.loader import MODELS, load
from rapport.people.models import Person

END = dt.datetime(2026, 11, 27, 15, 0, tzinfo=ZoneInfo("Europe/London"))


def empty_schema(path) -> None:
    """The project's tables in a fresh SQLite file, whatever backend the tests run on."""
    wrapper = DatabaseWrapper(
        {
            **connection.settings_dict,
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {},
        },
        alias="bench_schema",
    )
    with wrapper.schema_editor(atomic=False) as editor:
        for model in MODELS:
            if not model._meta.auto_created:
                editor.create_model(model)  # creates the many-to-many tables too
    wrapper.close()


def test_bare_insert_writes_the_same_rows_as_the_loader(db, tmp_path):
    path = tmp_path / "bare.sqlite3"
    empty_schema(path)
    loaded = load("demo", seed=1, end=END)

    figures = bare_insert(path, "demo", 1, END)

    con = sqlite3.connect(path)
    for table in ("rapport_person", "rapport_touchpoint", "rapport_participation"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == loaded.rows[table]
    last = Person.objects.aggregate(last=Max("last_contact_at"))["last"].astimezone(dt.UTC)
    stats = con.execute("SELECT sum(touchpoint_count), max(last_contact_at) FROM rapport_person")
    assert stats.fetchone() == (loaded.rows["rapport_participation"], f"{last:%Y-%m-%d %H:%M:%S}")
    assert figures["rows"] > sum(loaded.rows.values())  # plus the person updates
    assert figures["bare_insert_s"] > 0


def test_fingerprint_is_stable_and_p95_is_nearest_rank():
    assert fingerprint() == fingerprint()
    assert p95([float(n) for n in range(1, 101)]) == 95.0
    assert p95([3.0]) == 3.0
