"""Load a generated library into the database, fast.

This is a loader, like a restore, not a librarian's write: it bypasses the services and is
**not audited**. It writes every row with explicit ids in one transaction, in big batches —
`executemany` on SQLite (with PRAGMAs that suit a bulk load), `COPY` on PostgreSQL — and
streams the generator's batches, so memory stays bounded even at tier L. Derived fields
(`Person.search_text`, contact dates and counts, `Person.contacts`, a request's status against
its status changes and its follow-up date) are written as the services would compute them;
the tests check that against a recompute. Relationship state
(stages and the other aggregates) is then computed by `relationships.services.refresh_all`,
in the same transaction.
"""

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.demo.awareness import add_awareness
from rapport.demo.base import TIERS, Batch, Tier
from rapport.demo.generator import Account, default_end, generate
from rapport.demo.names import DEMO_ACCOUNTS, DEMO_PASSWORD
from rapport.errors import Invalid
from rapport.people.models import Group, Membership, Person
from rapport.relationships.defaults import add_default_rules
from rapport.relationships.services import refresh_all
from rapport.requests.models import Deliverable, Request, StatusChange
from rapport.touchpoints.models import Participation, Touchpoint

MODELS = (
    User,
    Group,
    Group.librarians.through,
    Person,
    Membership,
    Touchpoint,
    Participation,
    Person.contacts.through,
    Request,
    Request.people.through,
    Request.touchpoints.through,
    StatusChange,
    Deliverable,
)
KNOWN_ACCOUNTS = [a[0] for a in DEMO_ACCOUNTS]
# A larger page cache while loading keeps the index pages of the big tables in memory. (The
# safety level cannot change inside a transaction, and with WAL it costs little anyway.)
SQLITE_LOAD_PRAGMAS = {"cache_size": -262_144}


@dataclass
class Loaded:
    tier: Tier
    seed: int
    end: dt.datetime
    seconds: float = 0.0
    rows: Counter = field(default_factory=Counter)  # table -> rows inserted
    accounts: list[Account] = field(default_factory=list)
    awareness: dict[str, int] = field(default_factory=dict)  # items, publications, …


def existing_data(using: str = "default") -> dict[str, int]:
    """What would be overwritten: counts of the main tables that hold anything."""
    counts = {
        "accounts": User.objects.using(using).count(),
        "people": Person.objects.using(using).count(),
        "groups": Group.objects.using(using).count(),
        "touchpoints": Touchpoint.objects.using(using).count(),
        "requests": Request.objects.using(using).count(),
    }
    return {k: v for k, v in counts.items() if v}


def demo_password_hash(seed: int) -> str:
    """One hash for all demo accounts, salted by the seed so reloads give identical rows."""
    return make_password(DEMO_PASSWORD, salt=f"rapportdemo{seed}")


class SqliteSink:
    """`executemany` on the Django connection, with bulk-load PRAGMAs set for the load only."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.cursor = connection.cursor()
        self.saved = {}
        for name, value in SQLITE_LOAD_PRAGMAS.items():
            self.saved[name] = self.cursor.execute(f"PRAGMA {name}").fetchone()[0]
            self.cursor.execute(f"PRAGMA {name} = {value}")

    def write(self, batch: Batch) -> None:
        self.cursor.executemany(sql_for(batch, "%s"), batch.rows)

    def finish(self) -> None:
        pass

    def close(self) -> None:
        for name, value in self.saved.items():
            self.cursor.execute(f"PRAGMA {name} = {value}")
        self.cursor.close()


class PostgresSink:
    """`COPY … FROM STDIN`; updates go through a temporary table and one `UPDATE … FROM`."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.cursor = connection.cursor()
        # Check foreign keys per statement: deferred checks would queue one event per row
        # until commit, which at tier L is more memory than the rows themselves.
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.updates: dict[str, tuple[str, ...]] = {}

    def write(self, batch: Batch) -> None:
        table = batch.table
        if batch.op == "update":
            if table not in self.updates:
                self.cursor.execute(
                    f"CREATE TEMPORARY TABLE demo_update_{table} AS "
                    f"SELECT {quoted(batch.columns)}, id FROM {table} WITH NO DATA"
                )
                self.updates[table] = batch.columns
            table = f"demo_update_{table}"
            columns = (*batch.columns, "id")
        else:
            columns = batch.columns
        with self.cursor.cursor.copy(f"COPY {table} ({quoted(columns)}) FROM STDIN") as copy:
            for row in batch.rows:
                copy.write_row(row)

    def finish(self) -> None:
        for table, columns in self.updates.items():
            assignments = ", ".join(f'"{c}" = u."{c}"' for c in columns)
            self.cursor.execute(
                f"UPDATE {table} SET {assignments} FROM demo_update_{table} u "
                f"WHERE {table}.id = u.id"
            )
            # Dropped now, not at commit: a caller's outer transaction may load again.
            self.cursor.execute(f"DROP TABLE demo_update_{table}")
        for sql in self.connection.ops.sequence_reset_sql(no_style(), MODELS):
            self.cursor.execute(sql)

    def close(self) -> None:
        self.cursor.close()


def quoted(columns: Iterable[str]) -> str:
    """Column names quoted, for the ones that are SQL keywords (`Request.grant`)."""
    return ", ".join(f'"{c}"' for c in columns)


def sql_for(batch: Batch, mark: str) -> str:
    """The INSERT (or UPDATE by id) statement for a batch, with `mark` as the placeholder."""
    if batch.op == "update":
        sets = ", ".join(f'"{c}" = {mark}' for c in batch.columns)
        return f"UPDATE {batch.table} SET {sets} WHERE id = {mark}"
    marks = ", ".join([mark] * len(batch.columns))
    return f"INSERT INTO {batch.table} ({quoted(batch.columns)}) VALUES ({marks})"


def sink_for(connection):
    if connection.vendor == "sqlite":
        return SqliteSink(connection)
    if connection.vendor == "postgresql":
        return PostgresSink(connection)
    raise Invalid(f"The demo loader supports SQLite and PostgreSQL, not {connection.vendor}.")


def load(
    tier: str | Tier = "demo",
    *,
    seed: int = 1,
    end: dt.datetime | None = None,
    force: bool = False,
    using: str = "default",
    progress: Callable[[str, int], None] | None = None,
) -> Loaded:
    """Fill an empty database with a generated library (with `force`, empty it first)."""
    if isinstance(tier, str):
        if tier not in TIERS:
            raise Invalid(f"There is no tier “{tier}”; use one of {', '.join(TIERS)}.")
        tier = TIERS[tier]
    present = existing_data(using)
    if present and not force:
        held = ", ".join(f"{n:,} {name}" for name, n in present.items())
        raise Invalid(
            f"The database already holds data ({held}); the demo library loads only into an "
            "empty one. Use --force to erase everything in it first."
        )
    tz = timezone.get_current_timezone()
    end = end or default_end(tier, tz, timezone.localtime())
    loaded = Loaded(tier, seed, end)
    started = time.perf_counter()
    batches = generate(tier, seed=seed, end=end, tz=tz, password=demo_password_hash(seed))
    with transaction.atomic(using):  # erase and reload together: a failed load erases nothing
        if present:
            if connections[using].vendor == "postgresql":
                # TRUNCATE refuses tables with deferred checks pending in this transaction.
                with connections[using].cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            call_command("flush", interactive=False, verbosity=0, database=using)
        write(batches, using=using, counts=loaded.rows, progress=progress)
        if using == "default":  # the relationship services work on the default database
            add_default_rules()
            refresh_all()
            if tier.name == "demo":  # the benchmark tiers measure other things
                loaded.awareness = add_awareness(seed)
    loaded.seconds = time.perf_counter() - started
    known = User.objects.using(using).filter(username__in=KNOWN_ACCOUNTS).order_by("pk")
    loaded.accounts = [
        Account(*a) for a in known.values_list("username", "first_name", "last_name", "role")
    ]
    return loaded


def write(
    batches: Iterable[Batch],
    *,
    using: str = "default",
    counts: Counter | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> None:
    """Stream batches into the database in one transaction."""
    connection = connections[using]
    counts = Counter() if counts is None else counts
    with transaction.atomic(using):
        sink = sink_for(connection)
        try:
            for batch in batches:
                sink.write(batch)
                if batch.op == "insert":
                    counts[batch.table] += len(batch.rows)
                    if progress:
                        progress(batch.table, counts[batch.table])
            sink.finish()
        finally:
            sink.close()
