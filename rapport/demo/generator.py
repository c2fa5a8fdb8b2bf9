"""The realistic library generator: one stream of row batches for a tier and a seed.

Same tier, seed and end → the same rows, byte for byte: every random draw comes from
`random.Random` streams seeded by strings (hashed with SHA-512, so not subject to Python's
per-process hash seed), and nothing iterates over an unordered collection.
"""

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rapport.demo import names
from rapport.demo.activity import Activity
from rapport.demo.base import BENCH_END, USER, Batch, Calendar, Tier, ascii_name, stamp
from rapport.demo.institutions import plan
from rapport.demo.population import Builder
from rapport.demo.requests import Requests


@dataclass(frozen=True)
class Account:
    username: str
    first_name: str
    last_name: str
    role: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def default_end(tier: Tier, tz: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The demo ends now, so its pages show this week; benchmark tiers end on a fixed day."""
    if tier.name == "demo":
        return now
    return dt.datetime(*BENCH_END, tzinfo=tz)


def accounts(tier: Tier, librarians: int, rng: random.Random) -> list[Account]:
    """The demo's five named accounts; bigger tiers add librarians with generated names."""
    fixed = [Account(*a) for a in names.DEMO_ACCOUNTS]
    if tier.name == "demo":
        return fixed
    staff = [a for a in fixed if a.role == "librarian"][:1]
    taken = {a.username for a in fixed}
    while len(staff) < librarians:
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.SURNAMES)
        username = base = f"{ascii_name(first)[0]}{ascii_name(last)}"
        n = 1
        while username in taken:
            n += 1
            username = f"{base}{n}"
        taken.add(username)
        staff.append(Account(username, first, last, "librarian"))
    return staff + [a for a in fixed if a.role != "librarian"]


def generate(
    tier: Tier, *, seed: int, end: dt.datetime, tz: ZoneInfo, password: str
) -> Iterator[Batch]:
    """Every row of a library, parents before children. `password` is the encoded hash that
    all accounts share (hashed once by the caller: hashing is slow on purpose)."""
    cal = Calendar(end, tier.years, tz)
    stream = f"{seed}:{tier.name}"
    rng = random.Random(f"{stream}:plan")
    institutions = plan(tier, rng)
    n_depts = sum(len(i.departments) for i in institutions)
    n_libs = 3 if tier.name == "demo" else max(3, math.ceil(n_depts / tier.per_librarian))
    people = accounts(tier, n_libs, rng)
    joined = stamp(cal.at(-YEAR_BEFORE, 9 * 3600))
    users = Batch(*USER)
    for n, a in enumerate(people, 1):
        users.rows.append(
            (
                n,
                password,
                None,
                False,
                a.username,
                a.first_name,
                a.last_name,
                f"{a.username}@library.example",
                a.role == "admin",
                True,
                joined,
                a.role,
                False,
                None,
                (a.first_name[:1] + a.last_name[:1]).upper(),
            )
        )
    yield users
    librarian_ids = [n for n, a in enumerate(people, 1) if a.role == "librarian"]
    dept_librarians: list[tuple[int, ...]] = []
    for k in range(n_depts):
        main = librarian_ids[k * len(librarian_ids) // n_depts]
        libs: tuple[int, ...] = (main,)
        if rng.random() < 0.15:  # a department shared by two liaison librarians
            other = rng.choice(librarian_ids)
            libs = (main, other) if other != main else libs
        dept_librarians.append(libs)
    builder = Builder(random.Random(f"{stream}:people"), cal)
    yield from builder.build(institutions, dept_librarians)
    requests = Requests(cal, random.Random(f"{stream}:requests"))
    activity = Activity(
        builder.pop,
        cal,
        random.Random(f"{stream}:touchpoints"),
        user_space=len(people) + 1,
        requests=requests,
    )
    yield from activity.generate(tier.touchpoints)
    yield from requests.finish()
    yield from activity.person_stats()
    yield from activity.contact_rows()


YEAR_BEFORE = 400  # accounts existed a while before the period starts
