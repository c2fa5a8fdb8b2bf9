"""Telling identical rows apart, in bounded memory.

Rows without an id of their own are keyed by a hash of their cells; identical rows (a tally
sheet with "5 March, directional" three times) are separate events, so each repeat gets a
number. Counting repeats means remembering every hash seen: up to KEYS_IN_MEMORY in a dict,
then in a private temporary SQLite database (on disk, deleted when the read ends).
"""

from __future__ import annotations

import sqlite3

KEYS_IN_MEMORY = 100_000


class Repeats:
    def __init__(self, limit: int = KEYS_IN_MEMORY) -> None:
        self.limit = limit
        self.memory: dict[str, int] = {}
        self.db: sqlite3.Connection | None = None

    def seen_before(self, key: str) -> int:
        """How many times this key came before; counts this one."""
        if self.db is None:
            count = self.memory.get(key, 0)
            self.memory[key] = count + 1
            if len(self.memory) > self.limit:
                self._spill()
            return count
        found = self.db.execute("SELECT n FROM seen WHERE key = ?", (key,)).fetchone()
        if found is None:
            self.db.execute("INSERT INTO seen VALUES (?, 1)", (key,))
            return 0
        self.db.execute("UPDATE seen SET n = n + 1 WHERE key = ?", (key,))
        return int(found[0])

    def _spill(self) -> None:
        # "" is SQLite's private temporary database: a file that goes when it is closed.
        self.db = sqlite3.connect("", isolation_level=None)
        self.db.execute("PRAGMA cache_size=-4000")  # 4 MB of pages at most
        self.db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID")
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO seen VALUES (?, ?)", self.memory.items())
        self.db.execute("COMMIT")
        self.memory = {}

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
