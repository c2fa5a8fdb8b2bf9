"""The SQLite side of the index: FTS5 tables with external content, and the triggers that keep
them in step with every insert, update and delete (bulk loads and raw SQL included).

The statements are built from plain arguments, not from `documents.DOCUMENTS`, so a migration
can pass its own frozen copy of the definitions and never change after it has run.
"""

TRIGGERS = ("ai", "ad", "au")


def create_statements(fts: str, table: str, columns: tuple[str, ...], tokenize: str) -> list[str]:
    """The FTS5 table, its three triggers, and a rebuild from the rows already there."""
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    delete_old = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert_new = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({cols}, content='{table}', "
        f"content_rowid='id', tokenize='{tokenize}')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN {delete_old} END",
        # Only when indexed text changes: the contact counts on a person change with every
        # touchpoint, and re-indexing the person each time would tax every capture.
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {cols} ON {table} "
        f"WHEN {changed} BEGIN {delete_old} {insert_new} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def drop_statements(fts: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {fts}_{t}" for t in TRIGGERS] + [f"DROP TABLE IF EXISTS {fts}"]
