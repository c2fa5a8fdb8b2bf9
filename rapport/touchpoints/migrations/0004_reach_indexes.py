"""PostgreSQL: a librarian's own and their groups' touchpoints read off an index alone.

The reach of a librarian (their own touchpoints, their groups', those about their people) is
listed by search and by the reports. SQLite's indexes carry the row id, so those lists come
from the author and group indexes alone; PostgreSQL's carry a row address, and it read the
table for each id: about 11,000 rows, 18 ms at a million touchpoints. These two indexes include
the id. SQLite is unchanged.
"""

from django.db import migrations

INDEXES = (
    ("touchpoint_author_reach", "author_id"),
    ("touchpoint_group_reach", "group_id"),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON rapport_touchpoint ({column}) INCLUDE (id)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    # Its code makes indexes, no rows: a restore must refuse a database holding touchpoints,
    # not clear them as it clears what `migrate` itself fills (rapport/backup/load.py).
    seeds_rows = False
    dependencies = [("touchpoints", "0003_details")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
