"""What the API fuzzing (test_schemathesis.py) found, each pinned by a plain test."""

import datetime as dt

from django.utils import timezone

from rapport.touchpoints.models import Touchpoint


def test_a_time_with_a_large_offset_filters_touchpoints(call, world):
    """Python reads offsets up to a day, PostgreSQL takes at most 16 hours: sent as it came,
    until=…-22:50 was a 500 on PostgreSQL. The time is compared as the instant it names."""
    moment = timezone.now() - dt.timedelta(days=2)
    far_west = moment.astimezone(dt.timezone(-dt.timedelta(hours=22, minutes=50)))

    reply = call("GET", "/touchpoints", as_=world.alice, params={"until": far_west.isoformat()})

    assert reply.status == 200
    expected = Touchpoint.objects.filter(author=world.alice, occurred_at__lt=moment)
    assert [t["id"] for t in reply.body["items"]] == list(
        expected.order_by("-occurred_at", "-id").values_list("pk", flat=True)
    )


def test_a_touchpoint_logged_with_a_large_offset_keeps_its_instant(call, world):
    moment = (timezone.now() - dt.timedelta(hours=3)).replace(microsecond=0)
    far_east = moment.astimezone(dt.timezone(dt.timedelta(hours=23, minutes=30)))

    reply = call(
        "POST",
        "/touchpoints",
        as_=world.alice,
        body={"people": [world.ana.pk], "occurred_at": far_east.isoformat(), "topic": "Data"},
    )

    assert reply.status == 201
    assert Touchpoint.objects.get(pk=reply.body["id"]).occurred_at == moment
