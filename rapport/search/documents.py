"""What is searchable: for each kind of object, its table and the text columns indexed.

SQLite keeps one FTS5 table per kind (external content: the index holds no copy of the text),
kept in step by triggers. PostgreSQL keeps each row's vector of the same columns in a stored
generated column, `search_vector`, indexed with GIN, so it is in step by construction and
parsed once per write. The migrations write these same names and expressions out in full (a
migration must not change when this module does); `tests/search` checks that the PostgreSQL
queries below use the indexes the migration made.
"""

from dataclasses import dataclass

PERSON = "person"
TOUCHPOINT = "touchpoint"
REQUEST = "request"
ITEM = "item"
KINDS = (PERSON, TOUCHPOINT, REQUEST, ITEM)
LABELS = {PERSON: "Person", TOUCHPOINT: "Touchpoint", REQUEST: "Request", ITEM: "Item"}

TOKENIZE = "porter unicode61 remove_diacritics 2"
PG_CONFIG = "english"


@dataclass(frozen=True)
class Document:
    kind: str
    table: str  # the source table
    fts: str  # the SQLite FTS5 table
    columns: tuple[str, ...]  # text columns, most telling first
    weights: tuple[float, ...]  # bm25 weight per column (SQLite)

    def pg_text(self, alias: str = "") -> str:
        """The columns as one text, the way the PostgreSQL index reads them."""
        prefix = f"{alias}." if alias else ""
        return " || ' ' || ".join(f"{prefix}{c}::text" for c in self.columns)

    def pg_vector(self, alias: str = "") -> str:
        """The stored vector (`to_tsvector('english', pg_text)`), which the GIN index is on."""
        prefix = f"{alias}." if alias else ""
        return f"{prefix}search_vector"


DOCUMENTS = {
    PERSON: Document(
        PERSON,
        "rapport_person",
        "search_person",
        ("full_name", "email", "job_title", "department", "notes"),
        (10.0, 5.0, 2.0, 2.0, 1.0),
    ),
    TOUCHPOINT: Document(
        TOUCHPOINT,
        "rapport_touchpoint",
        "search_touchpoint",
        ("topic", "question", "answer", "outcome", "tags"),
        (4.0, 2.0, 1.0, 1.0, 2.0),
    ),
    REQUEST: Document(
        REQUEST,
        "rapport_request",
        "search_request",
        ("title", "need", "purpose", "project", "scope", "outcome", "story", "story_tags"),
        (4.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0),
    ),
    ITEM: Document(
        ITEM,
        "awareness_item",
        "search_item",
        ("title", "abstract", "authors", "venue"),
        (4.0, 1.0, 2.0, 1.0),
    ),
}
