"""Full-text indexes over people, touchpoints, requests and items.

SQLite: an FTS5 table per kind with external content, kept in step by triggers (so bulk
inserts and raw SQL stay in step too), filled from the rows already there. PostgreSQL: a GIN
index on `to_tsvector('english', ...)` over the same columns, in step by construction.

The definitions are frozen here; `rapport/search/documents.py` holds the live copy the queries
use, and a test checks that PostgreSQL's plans use these indexes.
"""

from django.db import migrations

from rapport.search.sqlite import create_statements, drop_statements

TOKENIZE = "porter unicode61 remove_diacritics 2"
# (FTS5 table / index name, source table, text columns)
SOURCES = (
    ("search_person", "rapport_person", ("full_name", "email", "job_title", "department", "notes")),
    ("search_touchpoint", "rapport_touchpoint", ("topic", "question", "answer", "outcome", "tags")),
    (
        "search_request",
        "rapport_request",
        ("title", "need", "purpose", "project", "scope", "outcome", "story", "story_tags"),
    ),
    ("search_item", "awareness_item", ("title", "abstract", "authors", "venue")),
)


def pg_vector(columns):
    text = " || ' ' || ".join(f"{c}::text" for c in columns)
    return f"to_tsvector('english'::regconfig, {text})"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table, columns in SOURCES:
        if vendor == "sqlite":
            statements = create_statements(name, table, columns, TOKENIZE)
        elif vendor == "postgresql":
            statements = [
                f"CREATE INDEX IF NOT EXISTS {name}_tsv ON {table} USING gin ({pg_vector(columns)})"
            ]
        else:
            statements = []  # other databases search nothing until they get an index here
        for sql in statements:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, _table, _columns in SOURCES:
        if vendor == "sqlite":
            statements = drop_statements(name)
        elif vendor == "postgresql":
            statements = [f"DROP INDEX IF EXISTS {name}_tsv"]
        else:
            statements = []
        for sql in statements:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("touchpoints", "0002_report_index"),
        ("requests", "0001_initial"),
        ("awareness", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
