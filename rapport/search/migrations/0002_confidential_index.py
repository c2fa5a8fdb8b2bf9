"""A small partial index of confidential touchpoints, so search can leave out others'
confidential entries without reading every touchpoint."""

from django.db import migrations

NAME = "search_touchpoint_confidential"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON rapport_touchpoint (author_id) "
            "WHERE confidential"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
