"""Migration operations Django's own do not cover.

SQLite cannot add a NOT NULL column with ALTER TABLE as Django's schema editor sees it, so
Django rebuilds the whole table: every row is copied, and the search index's triggers on the
table are dropped with the old one (`docs/search.md`, "Care with later migrations"). SQLite can
in fact add such a column in place when its default is a constant, which a `db_default` is.
"""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


class AddFieldInPlace(migrations.AddField):
    """AddField for a NOT NULL column with a constant `db_default` (no unique, no index, no
    foreign key), added with ALTER TABLE … ADD COLUMN on SQLite too: no table rebuild, the
    triggers stay, and it takes no time whatever the table's size. PostgreSQL (11 and later)
    adds such a column without rewriting the table anyway."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        to_model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, to_model):
            from_model = from_state.apps.get_model(app_label, self.model_name)
            field = to_model._meta.get_field(self.name)
            assert field.has_db_default() and not (field.unique or field.db_index), field
            # The generic ALTER TABLE … ADD COLUMN, which SQLite's editor overrides with a
            # rebuild whenever the column is NOT NULL.
            BaseDatabaseSchemaEditor.add_field(schema_editor, from_model, field)
        return None
