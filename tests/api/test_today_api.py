"""/api/v1/today: the Today list as JSON."""

import datetime as dt

from django.utils import timezone

from rapport.people.models import Membership
from rapport.relationships.services import refresh_all
from rapport.touchpoints.services import create_touchpoint
from tests.api.conftest import PROBLEM
from tests.factories import make_person


def test_today_lists_sections_in_order_with_ranked_people(call, world, token):
    refresh_all()
    pia = make_person("Pia Lead", groups=[world.chem])
    Membership.objects.filter(person=pia).update(role="PI")
    create_touchpoint(
        by=world.alice,
        people=[pia],
        occurred_at=timezone.now() - dt.timedelta(days=40),
        question="Data plan",
    )

    reply = call("GET", "/today", token=token)

    assert reply.status == 200
    assert reply.body["date"] == timezone.localdate().isoformat()
    sections = {s["key"]: s for s in reply.body["sections"]}
    assert list(sections) == [
        "follow_ups",
        "requests",
        "past_max",
        "past_ideal",
        "dropped",
        "never",
        "week",
    ]
    assert sections["past_ideal"]["total"] == 1
    last = timezone.localtime(timezone.now() - dt.timedelta(days=40)).date()
    assert sections["past_ideal"]["items"] == [
        {
            "person": {"id": pia.pk, "full_name": "Pia Lead"},
            "stage": "first_contact",
            "health": 52,
            "health_30_days_ago": None,
            "last_real_contact": last.isoformat(),
            "ideal_days": 30,
            "max_days": 60,
            "cadence_source": "rule: Principal investigators",
            "days_past_ideal": 10,
            "rank": round(2 * 10 / 30, 4),
        }
    ]
    assert [p["person"]["full_name"] for p in sections["never"]["items"]] == ["Ben Okafor"]
    week = sections["week"]["items"]
    assert [t["topic"] for t in week] == ["Private worry about tenure", "PRISMA search strings"]


def test_today_is_not_for_managers_or_strangers(call, world):
    reply = call("GET", "/today", as_=world.mia)
    assert (reply.status, reply.content_type) == (403, PROBLEM)
    assert "the dashboard has the figures" in reply.body["detail"]
    assert call("GET", "/today").status == 401
