"""The generator alone (no database): deterministic, and shaped like a real library."""

import collections
import datetime as dt
import statistics
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps

from rapport.demo.base import TABLES, TIERS
from rapport.demo.generator import generate
from rapport.demo.institutions import plan

LONDON = ZoneInfo("Europe/London")
END = dt.datetime(2026, 11, 27, 15, 0, tzinfo=LONDON)  # a Friday afternoon


def rows_of(seed: int = 1, end: dt.datetime = END) -> dict[tuple[str, str], list[tuple]]:
    rows: dict[tuple[str, str], list[tuple]] = collections.defaultdict(list)
    for batch in generate(TIERS["demo"], seed=seed, end=end, tz=LONDON, password="hash"):
        rows[batch.table, batch.op] += batch.rows
    return rows


@pytest.fixture(scope="module")
def demo():
    return rows_of()


def column(rows: list[tuple], table: str, name: str) -> list:
    index = dict(TABLES)[table].index(name)
    return [row[index] for row in rows]


def test_generate_same_seed_gives_identical_rows(demo):
    assert rows_of() == demo


def test_generate_other_seed_gives_other_rows(demo):
    other = rows_of(seed=2)

    assert len(other["rapport_person", "insert"]) == 150
    assert other["rapport_person", "insert"] != demo["rapport_person", "insert"]
    assert other["rapport_touchpoint", "insert"] != demo["rapport_touchpoint", "insert"]


def test_generate_columns_are_the_models_columns():
    models = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    for table, columns in TABLES:
        expected = {f.column for f in models[table]._meta.concrete_fields}
        assert set(columns) == expected, table


def test_demo_tier_has_the_expected_counts(demo):
    kinds = collections.Counter(column(demo["rapport_group", "insert"], "rapport_group", "kind"))
    users = demo["rapport_user", "insert"]

    assert len(demo["rapport_person", "insert"]) == 150
    assert len(demo["rapport_touchpoint", "insert"]) == 3000
    assert 3500 <= len(demo["rapport_participation", "insert"]) <= 5000
    assert 200 <= len(demo["rapport_membership", "insert"]) <= 320
    assert kinds == {"department": 3, "research_team": 3, "course": 3, "committee": 1, "unit": 1}
    assert [(u[4], u[11]) for u in users] == [
        ("librarian", "librarian"),
        ("tomas", "librarian"),
        ("priya", "librarian"),
        ("manager", "manager"),
        ("admin", "admin"),
    ]


def test_demo_tier_group_sizes_are_realistic(demo):
    kinds = dict(
        zip(
            column(demo["rapport_group", "insert"], "rapport_group", "id"),
            column(demo["rapport_group", "insert"], "rapport_group", "kind"),
            strict=True,
        )
    )
    members = collections.defaultdict(set)
    for row in demo["rapport_membership", "insert"]:
        members[row[4]].add(row[5])
    sizes = collections.defaultdict(list)
    for group, people in members.items():
        sizes[kinds[group]].append(len(people))

    assert all(5 <= n <= 30 for n in sizes["research_team"])
    assert all(20 <= n <= 200 for n in sizes["course"])
    assert all(25 <= n <= 400 for n in sizes["department"])


def test_demo_tier_activity_follows_a_power_law(demo):
    per_person = collections.Counter(row[2] for row in demo["rapport_participation", "insert"])
    counts = sorted(per_person.values(), reverse=True)
    total = sum(counts)

    assert sum(counts[:15]) / total > 0.5  # the top 10% of 150 people
    assert counts[0] / total < 0.2  # but nobody owns the timeline
    assert sum(1 for n in counts if n <= 3) >= 20  # many people are rare


def test_demo_tier_follows_the_academic_year(demo):
    occurred = [
        dt.datetime.fromisoformat(v + "+00:00").astimezone(LONDON)
        for v in column(demo["rapport_touchpoint", "insert"], "rapport_touchpoint", "occurred_at")
    ]
    months = collections.Counter(t.month for t in occurred)
    weekend = sum(1 for t in occurred if t.weekday() >= 5)

    assert months[10] > 2 * months[8]
    assert months[11] > months[7]
    assert weekend / len(occurred) < 0.03
    assert all(8 <= t.hour < 20 for t in occurred)
    assert max(occurred) <= END
    assert max(occurred) >= END - dt.timedelta(days=1)  # the demo shows this week's work


def test_demo_tier_read_levels_track_effort(demo):
    rows = demo["rapport_touchpoint", "insert"]
    read = column(rows, "rapport_touchpoint", "read_level")
    minutes = column(rows, "rapport_touchpoint", "minutes")
    kind = column(rows, "rapport_touchpoint", "kind")
    levels = collections.Counter(read)
    rated = sum(n for level, n in levels.items() if level)

    assert (levels[1] + levels[2] + levels[3]) / rated > 0.65
    assert 0 < levels[6] / rated < 0.05
    low = statistics.mean(m for r, m in zip(read, minutes, strict=True) if r in (1, 2))
    high = statistics.mean(m for r, m in zip(read, minutes, strict=True) if r in (5, 6))
    assert high > 5 * low

    def mean_read(name):
        return statistics.mean(r for r, k in zip(read, kind, strict=True) if k == name and r)

    assert mean_read("consultation") > mean_read("question") > mean_read("hallway")


def test_demo_tier_text_varies_and_some_is_confidential(demo):
    rows = demo["rapport_touchpoint", "insert"]
    questions = column(rows, "rapport_touchpoint", "question")
    confidential = column(rows, "rapport_touchpoint", "confidential")

    assert len(set(questions)) > 0.75 * len(questions)
    assert 40 <= statistics.mean(len(q) for q in questions) <= 250
    assert 0.005 < sum(confidential) / len(rows) < 0.05
    assert sum(1 for a in column(rows, "rapport_touchpoint", "answer") if a) > len(rows) / 4


@pytest.mark.parametrize("tier", ["S", "M", "L"])
def test_plan_sizes_departments_and_sums_people_exactly(tier):
    import random

    institutions = plan(TIERS[tier], random.Random(f"1:{tier}:plan"))
    departments = [d for i in institutions for d in i.departments]
    people = sum(s + st for _, s, st in departments) + sum(sum(i.units) for i in institutions)

    assert people == TIERS[tier].people
    assert all(50 <= staff <= 400 for _, staff, _ in departments[:-1])
    assert len({i.name for i in institutions}) == len(institutions)
