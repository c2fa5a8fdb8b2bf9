"""The health formula, part by part, with exact scores."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from rapport.relationships.health import Recent, health_now, health_then, recent_counts, score
from rapport.relationships.models import Relationship
from rapport.touchpoints.services import create_touchpoint

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


def rel(**fields):
    return Relationship(**fields)


def test_never_contacted_scores_zero_with_every_part_explained():
    health = score(rel(), None, 0, NOW, 0)
    assert health.score == 0
    assert [(p.name, p.score, p.why) for p in health.parts] == [
        ("recency", 0, "no contact yet"),
        ("frequency", 0, "no contact yet"),
        ("depth", 0, "no contact yet"),
        ("breadth", 0, "no contact yet"),
        ("initiative", 0, "no contact yet"),
    ]


def test_each_part_and_the_weighted_total():
    r = rel(read_sum=10, read_count=4, kinds_used=3, initiated_by_them=3, minutes=90)
    health = score(r, NOW - dt.timedelta(days=30), 6, NOW, 4)
    assert [(p.name, p.score, p.weight, p.why) for p in health.parts] == [
        ("recency", 95, 30, "last contact 30 days ago"),  # 100 × (365 − 30) / 351
        ("frequency", 50, 25, "6 contacts in the last year"),
        ("depth", 50, 15, "mean READ 2.5"),  # (2.5 − 1) / 3
        ("breadth", 75, 10, "3 kinds of service"),
        ("initiative", 75, 20, "started 3 of 4 contacts"),
    ]
    # (95×30 + 50×25 + 50×15 + 75×10 + 75×20) / 100 = 71
    assert health.score == 71


def test_full_marks_and_the_minutes_fallback_for_depth():
    r = rel(read_count=0, minutes=600, kinds_used=7, initiated_by_them=12)
    health = score(r, NOW - dt.timedelta(days=2), 20, NOW, 12)
    assert [p.score for p in health.parts] == [100, 100, 100, 100, 100]
    assert health.parts[2].why == "no READ levels; 50 minutes on average"
    assert health.score == 100


def test_a_year_of_silence_zeroes_recency():
    health = score(rel(kinds_used=1), NOW - dt.timedelta(days=400), 0, NOW, 1)
    assert health.parts[0].score == 0
    assert health.parts[0].why == "last contact 400 days ago"


@given(
    days=st.integers(0, 5000),
    n365=st.integers(0, 500),
    touchpoints=st.integers(1, 500),
    read=st.integers(0, 500),
    kinds=st.integers(0, 7),
)
def test_health_is_always_between_0_and_100(days, n365, touchpoints, read, kinds):
    r = rel(
        read_sum=read * 6,
        read_count=read,
        kinds_used=kinds,
        initiated_by_them=touchpoints // 2,
        minutes=touchpoints * 30,
    )
    health = score(r, NOW - dt.timedelta(days=days), n365, NOW, touchpoints)
    assert 0 <= health.score <= 100
    assert all(0 <= p.score <= 100 for p in health.parts)


@pytest.mark.django_db
def test_recent_counts_and_a_sharp_drop(world):
    now = timezone.now()
    for ago in (400, 200, 100, 60, 45, 35):
        create_touchpoint(
            by=world.alice,
            people=[world.carla],
            occurred_at=now - dt.timedelta(days=ago),
            question="q",
        )
    recent = recent_counts([world.carla.pk, world.ben.pk], now)
    assert recent == {
        world.carla.pk: Recent(
            n30=0, n90=3, n365=5, n365_then=5, last_then=now - dt.timedelta(days=35)
        )
    }
    world.carla.refresh_from_db()
    r = Relationship.objects.get(person=world.carla)
    before = health_then(r, world.carla, recent[world.carla.pk], now)
    after = health_now(r, world.carla, recent[world.carla.pk], now)
    # 30 days ago the last contact was 5 days old; today it is 35 days old.
    assert (before.parts[0].score, after.parts[0].score) == (100, 94)
    assert before.score - after.score == 2


@pytest.mark.django_db
def test_health_30_days_ago_of_someone_quiet_for_over_a_year(world):
    now = timezone.now()
    create_touchpoint(
        by=world.alice,
        people=[world.carla],
        occurred_at=now - dt.timedelta(days=500),
        question="q",
        read_level=3,
    )
    world.carla.refresh_from_db()
    r = Relationship.objects.get(person=world.carla)
    recent = recent_counts([world.carla.pk], now).get(world.carla.pk, Recent())
    # No contact in the counted window, but the last one was before then: not "no contact".
    before = health_then(r, world.carla, recent, now)
    after = health_now(r, world.carla, recent, now)
    assert before.parts[0].why == "last contact 470 days ago"
    # depth (READ 3 → 67), breadth 25, initiative 100; recency and frequency 0 both times
    assert before.score == after.score == round((67 * 15 + 25 * 10 + 100 * 20) / 100)
