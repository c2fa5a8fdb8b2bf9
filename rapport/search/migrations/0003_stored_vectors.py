"""PostgreSQL: keep each row's search vector in a stored generated column, indexed with GIN, in
place of the GIN index on the expression.

With the expression index, every row a search ranks or checks had its text parsed again by
`to_tsvector`: ranking a librarian's reach for a common word parsed thousands of texts (about
180 ms at a million touchpoints). A stored vector is parsed once, when the row is written, and
PostgreSQL keeps it in step by itself. SQLite is unchanged (FTS5 tables).

A later migration that changes the type of one of these text columns must drop the column
`search_vector` first and add it again after (PostgreSQL refuses to retype a column a
generated column reads); `docs/search.md` says so.
"""

from django.db import migrations

# (index name prefix, source table, text columns): as in 0001, frozen.
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


def expression(columns):
    text = " || ' ' || ".join(f"{c}::text" for c in columns)
    return f"to_tsvector('english'::regconfig, {text})"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, columns in SOURCES:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression(columns)}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {name}_vector ON {table} USING gin (search_vector)")
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}_tsv")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, columns in SOURCES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name}_tsv ON {table} USING gin ({expression(columns)})"
        )
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_confidential_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
