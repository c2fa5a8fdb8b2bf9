"""create_touchpoints: many touchpoints stored as create_touchpoint stores one (checks, people,
contacts, state, audit, webhooks), with the state recomputed once and queries that grow with
the batches, not with the touchpoints."""

import datetime as dt

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from rapport.audit.models import AuditEntry
from rapport.errors import Forbidden, Invalid
from rapport.relationships.models import Relationship
from rapport.relationships.services import refresh_all
from rapport.touchpoints.bulk_services import NewTouchpoint, create_touchpoints
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.webhooks.models import Delivery, Endpoint

START = dt.datetime(2020, 1, 6, 9, 30, tzinfo=dt.UTC)


def daily(people, days: int, *, first: int = 0, **fields) -> list[NewTouchpoint]:
    return [
        NewTouchpoint(
            people=people,
            fields={
                "occurred_at": START + dt.timedelta(days=day),
                "kind": "meeting",
                "minutes": 30,
                "topic": "Stand-up",
                "source_system": "test",
                "external_id": f"standup/{day}",
                **fields,
            },
        )
        for day in range(first, first + days)
    ]


def state(person) -> dict:
    return model_to_dict(Relationship.objects.get(person=person))


def test_many_touchpoints_are_stored_with_people_audit_and_exact_state(world):
    done = create_touchpoints(by=world.alice, entries=daily([world.ana, world.ben], 40))

    assert (len(done.touchpoints), done.already, done.refused) == (40, [], {})
    rows = Touchpoint.objects.filter(source_system="test")
    assert rows.count() == 40
    assert Participation.objects.filter(touchpoint__in=rows).count() == 80
    assert sorted(rows.values_list("external_id", flat=True))[:2] == ["standup/0", "standup/1"]
    entries = AuditEntry.objects.filter(action="create", object_type="touchpoint")
    assert entries.filter(object_id=str(done.touchpoints[0].pk)).get().changes["people"] == [
        world.ana.pk,
        world.ben.pk,
    ]
    assert entries.count() == 40
    ana = state(world.ana)
    theirs = Touchpoint.objects.filter(people=world.ana).exclude(source_system="test")
    assert ana["minutes"] == 40 * 30 + sum(t.minutes or 0 for t in theirs)
    refresh_all()  # what recomputing from scratch gives
    assert state(world.ana) == ana
    assert world.alice in world.ana.contacts.all()


def test_ids_logged_before_or_twice_are_left_out_and_a_bad_row_is_refused(world):
    create_touchpoints(by=world.alice, entries=daily([world.ana], 3))
    entries = [
        *daily([world.ana], 4),  # 0–2 logged before, 3 new
        *daily([world.ana], 1, first=3),  # twice in the same call
        *daily([world.ana], 1, first=9, minutes=5_000),
    ]

    done = create_touchpoints(by=world.alice, entries=entries)

    assert (sorted(done.touchpoints), done.already) == ([3], [0, 1, 2, 4])
    assert done.refused == {5: "5000 minutes is more than a day; log each day separately."}
    assert Touchpoint.objects.filter(source_system="test").count() == 4


def test_queries_grow_with_the_batches_not_with_the_touchpoints(world):
    with CaptureQueriesContext(connection) as few:
        create_touchpoints(by=world.alice, entries=daily([world.ana], 20))
    with CaptureQueriesContext(connection) as many:
        create_touchpoints(by=world.alice, entries=daily([world.ana], 400, first=100))

    # Inserts go in batches: on SQLite (at most 999 values a statement) 20 touchpoints are one
    # batch of each kind and 400 a few more; PostgreSQL takes 400 in one batch of each kind
    # (and locks the people rows, a query SQLite has no need of). Never a query per touchpoint.
    expected = {"sqlite": (22, 33), "postgresql": (23, 23)}[connection.vendor]
    assert (len(few), len(many)) == expected


def test_each_new_touchpoint_is_announced_but_not_a_confidential_one(world):
    Endpoint.objects.create(url="https://hooks.example.org/in", events=["touchpoint.created"])

    create_touchpoints(
        by=world.alice,
        entries=[
            *daily([world.ana], 3),
            *daily([world.ana], 1, first=5, confidential=True),
        ],
    )

    assert Delivery.objects.filter(event="touchpoint.created").count() == 3


def test_a_manager_may_not_log_touchpoints_and_nothing_changes(world):
    with pytest.raises(Forbidden):
        create_touchpoints(by=world.mia, entries=daily([world.ana], 2))
    with pytest.raises(Invalid):
        create_touchpoints(by=world.alice, entries=daily([world.ana], 1, colour="red"))

    assert not Touchpoint.objects.filter(source_system="test").exists()


def test_a_row_another_writer_stored_meanwhile_is_counted_not_stored_twice(world, monkeypatch):
    from rapport.touchpoints import bulk_services

    create_touchpoints(by=world.alice, entries=daily([world.ana], 2))
    # As if another import committed these two after this one looked for them.
    monkeypatch.setattr(bulk_services, "_used_ids", lambda rows: set())

    done = create_touchpoints(by=world.alice, entries=daily([world.ana], 4))

    assert (sorted(done.touchpoints), sorted(done.already)) == ([2, 3], [0, 1])
    assert Touchpoint.objects.filter(source_system="test").count() == 4
    assert AuditEntry.objects.filter(object_type="touchpoint").count() == 4
