"""Cadence: which rule applies, overrides, and what is due, in local calendar days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from rapport.errors import Forbidden, Invalid
from rapport.people.models import Membership
from rapport.relationships.cadence import Cadence, cadences, due
from rapport.relationships.models import CadenceRule, PersonCadence, Snooze, Stage
from rapport.relationships.services import (
    clear_cadence,
    override_stage,
    set_cadence,
    snooze,
    unsnooze,
)
from rapport.touchpoints.services import create_touchpoint

TODAY = dt.date(2026, 11, 29)


def test_default_rules_are_seeded_in_order(db):
    assert list(CadenceRule.objects.values_list("name", "ideal_days", "max_days")) == [
        ("Principal investigators", 30, 60),
        ("New faculty", 30, 60),
        ("Advocates and partners", 45, 90),
        ("Supporters", 60, 120),
        ("Faculty", 90, 180),
    ]


def test_rules_match_by_role_word_status_stage_and_first_wins(world):
    Membership.objects.filter(person=world.ben).update(role="Co-PI")
    Membership.objects.filter(person=world.hugo).update(role="Recipient of a grant")
    found = cadences([world.ana, world.ben, world.hugo, world.carla], TODAY)
    assert found == {
        world.ana.pk: Cadence(90, 180, "rule: Faculty"),
        world.ben.pk: Cadence(30, 60, "rule: Principal investigators"),
        world.hugo.pk: None,  # "recipient" contains "pi" but not the word PI
        world.carla.pk: None,
    }


def test_a_past_membership_does_not_count(world):
    Membership.objects.filter(person=world.ben).update(role="PI", ended_on=TODAY - dt.timedelta(1))
    assert cadences([world.ben], TODAY)[world.ben.pk] is None


def test_stage_rules_and_a_group_rule(world):
    CadenceRule.objects.create(
        name="Chem", position=5, group=world.chem, ideal_days=14, max_days=28
    )
    world.carla.contacts.add(world.alice)  # in no group, so no group rule reaches her
    override_stage(by=world.alice, person=world.carla, stage=Stage.ADVOCATE, reason="Champion")
    found = cadences([world.ana, world.carla], TODAY)
    assert found[world.ana.pk] == Cadence(14, 28, "rule: Chem")
    assert found[world.carla.pk] == Cadence(45, 90, "rule: Advocates and partners")


def test_a_personal_cadence_wins_and_can_say_none(world):
    set_cadence(by=world.alice, person=world.ana, ideal_days=7, max_days="21", reason="Grant due")
    set_cadence(by=world.alice, person=world.ben, ideal_days="", max_days=None)
    Membership.objects.filter(person=world.ben).update(role="PI")
    found = cadences([world.ana, world.ben], TODAY)
    assert found == {world.ana.pk: Cadence(7, 21, "set for this person"), world.ben.pk: None}
    clear_cadence(by=world.alice, person=world.ben)
    assert cadences([world.ben], TODAY)[world.ben.pk] == Cadence(
        30, 60, "rule: Principal investigators"
    )


@pytest.mark.parametrize(
    ("ideal", "maximum", "message"),
    [
        (0, 10, "at least one day"),
        (-3, 10, "at least one day"),
        (10, 5, "cannot be shorter than the ideal"),
        (10, 100000, "more than two years"),
        ("often", 10, "whole number of days"),
        (10, "", "or neither"),
    ],
)
def test_bad_cadences_are_refused_and_change_nothing(world, ideal, maximum, message):
    with pytest.raises(Invalid, match=message):
        set_cadence(by=world.alice, person=world.ana, ideal_days=ideal, max_days=maximum)
    assert not PersonCadence.objects.exists()


def test_managers_cannot_set_cadence(world):
    with pytest.raises(Forbidden):
        set_cadence(by=world.mia, person=world.ana, ideal_days=7, max_days=14)


def at(local: str, tz="Europe/London") -> dt.datetime:
    return dt.datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(tz))


def test_due_states_count_local_calendar_days(settings):
    settings.TIME_ZONE = "Europe/London"
    cadence = Cadence(30, 60, "rule: x")
    last = at("2026-10-01 23:30")
    assert due(cadence, last, dt.date(2026, 10, 31)).state == "ok"
    d = due(cadence, last, dt.date(2026, 11, 1))
    assert (d.state, d.next_due, d.days_over) == ("due", dt.date(2026, 10, 31), 1)
    assert due(cadence, last, dt.date(2026, 11, 30)).state == "due"
    d = due(cadence, last, dt.date(2026, 12, 1))
    assert (d.state, d.days_over, round(d.overdueness, 2)) == ("overdue", 31, 1.03)
    assert due(cadence, None, TODAY).state == "never"


def test_a_late_evening_contact_counts_on_its_local_day_across_dst(settings):
    settings.TIME_ZONE = "Europe/London"
    with timezone.override("Europe/London"):
        # 00:30 on 26 Oct in London (after the clocks went back) is 25 Oct 23:30 UTC.
        last = at("2026-10-26 00:30").astimezone(dt.UTC)
        d = due(Cadence(1, 2, "x"), last, dt.date(2026, 10, 27))
        assert (d.last_real, d.state) == (dt.date(2026, 10, 26), "ok")


def test_logging_a_contact_resets_the_cadence_and_backdating_counts_from_its_date(world):
    now = timezone.now()
    tp = create_touchpoint(
        by=world.alice, people=[world.carla], occurred_at=now - dt.timedelta(days=100), question="q"
    )
    world.carla.relationship.refresh_from_db()
    cadence = Cadence(30, 60, "x")
    today = timezone.localdate()
    assert due(cadence, world.carla.relationship.last_real_contact_at, today).state == "overdue"
    create_touchpoint(
        by=world.alice, people=[world.carla], occurred_at=now - dt.timedelta(days=40), question="q"
    )
    world.carla.relationship.refresh_from_db()
    assert due(cadence, world.carla.relationship.last_real_contact_at, today).state == "due"
    assert tp.pk


def test_snooze_rules(world):
    with pytest.raises(Invalid, match="after today"):
        snooze(by=world.alice, person=world.ana, until=TODAY, today=TODAY)
    with pytest.raises(Invalid, match="at most a year"):
        snooze(by=world.alice, person=world.ana, until=TODAY + dt.timedelta(400), today=TODAY)
    assert not Snooze.objects.exists()
    snooze(
        by=world.alice,
        person=world.ana,
        until=TODAY + dt.timedelta(7),
        reason="On leave",
        today=TODAY,
    )
    snooze(by=world.alice, person=world.ana, until=TODAY + dt.timedelta(14), today=TODAY)
    assert list(Snooze.objects.values_list("until", "reason")) == [(TODAY + dt.timedelta(14), "")]
    unsnooze(by=world.alice, person=world.ana)
    assert not Snooze.objects.exists()


def test_a_fractional_interval_is_refused_not_truncated(world):
    with pytest.raises(Invalid, match="whole number of days"):
        set_cadence(by=world.alice, person=world.ana, ideal_days=30.7, max_days=60)
    assert not PersonCadence.objects.exists()


def test_clearing_a_cadence_keeps_the_old_one_in_the_audit(world):
    from rapport.audit.models import AuditEntry

    set_cadence(by=world.alice, person=world.ana, ideal_days=7, max_days=21, reason="Grant")
    clear_cadence(by=world.alice, person=world.ana)
    entry = AuditEntry.objects.filter(summary="Cadence back to the rules").get()
    assert entry.changes == {
        "ideal_days": [7, None],
        "max_days": [21, None],
        "reason": ["Grant", ""],
    }
