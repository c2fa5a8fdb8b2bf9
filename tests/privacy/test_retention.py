"""The retention schedule on the shared test world: exactly what goes, what stays, the dry
run, idempotence, person-months kept whole, the copies of the text elsewhere, and search."""

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.errors import Forbidden, Invalid
from rapport.people.models import Person
from rapport.privacy import retention, services
from rapport.privacy.models import AnonymousParticipation, RetentionRule, RetentionRun, Tally
from rapport.requests.models import Deliverable, Request, StatusChange
from rapport.search.queries import search
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.touchpoints.services import create_touchpoint
from rapport.webhooks.events import body
from rapport.webhooks.models import Delivery, Endpoint
from tests.factories import make_touchpoint
from tests.privacy.conftest import set_rules

NOW = timezone.make_aware(dt.datetime(2026, 3, 15, 12, 0))


def old(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@pytest.fixture
def zebrafish(world):
    """A question of ana's, 400 days old, logged through the service (so audited)."""
    return create_touchpoint(
        by=world.alice,
        people=[world.ana],
        now=NOW,
        occurred_at=old(400),
        kind="question",
        topic="Zebrafish husbandry protocols",
        question="Where are the zebrafish husbandry protocols?",
        answer="Protocols.io has the lab's own, under husbandry.",
        outcome="Found the zebrafish protocol",
        tags=["protocols"],
        minutes=15,
        read_level=3,
        group=world.chem,
    )


def test_retention_strips_the_text_and_detaches_the_person(world, zebrafish):
    set_rules(question=12)
    count_before = Person.objects.get(pk=world.ana.pk).touchpoint_count

    run = services.apply_retention(by=world.ada, now=NOW)

    tp = Touchpoint.objects.get(pk=zebrafish.pk)
    assert (tp.topic, tp.question, tp.answer, tp.outcome, tp.capture_line, tp.details) == (
        "Question (text removed after 12 months)", "", "", "", "", None,
    )  # fmt: skip
    assert (tp.kind, tp.tags, tp.minutes, tp.read_level, tp.group, tp.author) == (
        "question", ["protocols"], 15, 3, world.chem, world.alice,
    )  # fmt: skip
    assert tp.version == zebrafish.version + 1  # an edit form opened before cannot undo it
    assert not Participation.objects.filter(touchpoint=tp).exists()
    anonymous = AnonymousParticipation.objects.get(touchpoint=tp)
    assert (anonymous.occurred_at, anonymous.new) == (old(400), True)
    ana = Person.objects.get(pk=world.ana.pk)
    assert ana.touchpoint_count == count_before
    assert ana.first_contact_at == old(400)
    assert Tally.objects.get(person=ana).touchpoint_count == 1
    assert run.counts == {
        "touchpoint.question": {"stripped": 1, "oldest": "2025-02-08", "detached": 1}
    }
    entry = AuditEntry.objects.get(action="retention")
    assert (entry.actor, entry.object_id, entry.changes) == (world.ada, str(run.pk), run.counts)


def test_retention_scrubs_the_audit_copies_of_the_text(world, zebrafish):
    set_rules(question=12)

    services.apply_retention(by=world.ada, now=NOW)

    created = AuditEntry.objects.get(object_type="touchpoint", action="create")
    assert created.summary == "Question (text removed after 12 months)"
    for key in ("topic", "question", "answer", "outcome", "people"):
        assert created.changes[key] == "[removed]"
    assert created.changes["kind"] == "question"
    assert created.actor == world.alice


def test_retention_keeps_younger_records_and_other_kinds(world, zebrafish):
    set_rules(question=24, meeting=1)
    meeting = make_touchpoint(world.alice, [world.ben], occurred_at=old(400), kind="meeting")

    services.apply_retention(by=world.ada, now=NOW)

    assert Touchpoint.objects.get(pk=zebrafish.pk).question.startswith("Where are the zebrafish")
    assert Touchpoint.objects.get(pk=meeting.pk).question == ""
    assert Touchpoint.objects.get(pk=world.ana_question.pk).question == "PRISMA search strings"


def test_retention_dry_run_changes_nothing(world, zebrafish):
    set_rules(question=12)
    tables = (Touchpoint, Participation, AnonymousParticipation, AuditEntry, RetentionRun, Tally)
    counts = [m.objects.count() for m in tables]

    plan = retention.plan(NOW)

    assert plan.counts == {
        "touchpoint.question": {"stripped": 1, "oldest": "2025-02-08", "detached": 1}
    }
    assert [m.objects.count() for m in tables] == counts
    assert Touchpoint.objects.get(pk=zebrafish.pk).question.startswith("Where are")


def test_retention_twice_does_nothing_the_second_time(world, zebrafish):
    set_rules(question=12)
    services.apply_retention(by=world.ada, now=NOW)
    rows = list(AnonymousParticipation.objects.values_list("touchpoint_id", "someone", "new"))

    again = services.apply_retention(by=None, now=NOW)

    assert again.counts == {}
    assert (
        list(AnonymousParticipation.objects.values_list("touchpoint_id", "someone", "new")) == rows
    )
    assert Tally.objects.get(person=world.ana).touchpoint_count == 1
    assert AuditEntry.objects.filter(action="retention").count() == 2


def test_retention_keeps_a_person_month_whole(world, zebrafish):
    """ana also had a meeting that month, kept forever: she stays named on the stripped
    question until the meeting goes too, so the month counts her once."""
    set_rules(question=12)
    meeting = make_touchpoint(world.alice, [world.ana], occurred_at=old(401), kind="meeting")

    run = services.apply_retention(by=world.ada, now=NOW)

    assert Touchpoint.objects.get(pk=zebrafish.pk).question == ""
    assert Participation.objects.filter(touchpoint=zebrafish, person=world.ana).exists()
    assert run.counts == {"touchpoint.question": {"stripped": 1, "oldest": "2025-02-08"}}

    set_rules(meeting=12)
    services.apply_retention(by=world.ada, now=NOW)

    rows = AnonymousParticipation.objects.order_by("touchpoint_id")
    assert [r.touchpoint_id for r in rows] == [zebrafish.pk, meeting.pk]
    assert len({r.someone for r in rows}) == 1  # one person, one month: one someone


def test_retention_gives_each_month_its_own_someone(world):
    set_rules(question=6)
    first = make_touchpoint(world.alice, [world.ben], occurred_at=old(300))
    second = make_touchpoint(world.alice, [world.ben], occurred_at=old(240))

    services.apply_retention(by=world.ada, now=NOW)

    a = AnonymousParticipation.objects.get(touchpoint=first)
    b = AnonymousParticipation.objects.get(touchpoint=second)
    assert a.someone != b.someone


def test_retention_search_no_longer_finds_stripped_text(world, zebrafish):
    assert [h.object.pk for h in search(world.alice, "zebrafish", kinds=["touchpoint"])] == [
        zebrafish.pk
    ]
    set_rules(question=12)

    services.apply_retention(by=world.ada, now=NOW)

    assert search(world.alice, "zebrafish", kinds=["touchpoint"]) == []
    assert search(world.ada, "husbandry") == []


def test_retention_strips_done_requests_their_notes_and_deliverables(world):
    set_rules(request=6)
    req = Request.objects.create(
        title="Systematic review of zebrafish welfare",
        need="Every trial of zebrafish welfare since 2010",
        purpose="A grant application",
        owner=world.alice,
        status="closed",
        status_changed_at=old(200),
        outcome="Funded",
        story="The review won the grant",
    )
    req.people.set([world.ana, world.ben])
    StatusChange.objects.create(request=req, to_status="closed", at=old(200), note="Ana happy")
    Deliverable.objects.create(
        request=req, title="Search strategy", url="https://example.org/s",
        description="For Ana", delivered_at=old(210),
    )  # fmt: skip
    open_one = Request.objects.create(
        title="Still going", need="Zebrafish stock", owner=world.alice, status="in_progress",
        status_changed_at=old(300),
    )  # fmt: skip

    run = services.apply_retention(by=world.ada, now=NOW)

    req.refresh_from_db()
    assert (req.title, req.need, req.purpose, req.outcome, req.story) == (
        "Request (text removed after 6 months)", "", "", "", "",
    )  # fmt: skip
    assert list(req.people.all()) == []
    assert list(req.status_changes.values_list("note", flat=True)) == [""]
    assert list(req.deliverables.values_list("title", "url", "description")) == [
        ("Deliverable", "", "")
    ]
    assert Request.objects.get(pk=open_one.pk).need == "Zebrafish stock"
    assert run.counts == {"request": {"stripped": 1, "oldest": "2025-08-27"}}
    assert [h.object.pk for h in search(world.alice, "zebrafish", kinds=["request"])] == [
        open_one.pk
    ]


def test_retention_rewrites_stored_webhook_bodies(world, zebrafish):
    endpoint = Endpoint.objects.create(
        url="https://hooks.example.org/x", events=["touchpoint.created"]
    )
    data = {
        "touchpoint": {
            "id": zebrafish.pk,
            "topic": zebrafish.topic,
            "people": [
                {"id": world.ana.pk, "full_name": "Ana Ruiz", "email": "ana.ruiz@uni.example"}
            ],
        }
    }
    event_id = uuid.uuid4()
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event="touchpoint.created",
        event_id=event_id,
        body=body("touchpoint.created", event_id, NOW, data),
        created_at=NOW,
    )
    set_rules(question=12)

    services.apply_retention(by=world.ada, now=NOW)

    sent = json.loads(Delivery.objects.get(pk=delivery.pk).body)["data"]["touchpoint"]
    assert sent == {
        "id": zebrafish.pk, "topic": "Question (text removed after 12 months)", "people": []
    }  # fmt: skip


def test_retention_rules_need_an_administrator(world):
    with pytest.raises(Forbidden):
        services.save_retention_rules(by=world.alice, months={"touchpoint.question": 12})
    with pytest.raises(Forbidden):
        services.apply_retention(by=world.alice)
    assert RetentionRule.objects.count() == 0
    assert RetentionRun.objects.count() == 0


@pytest.mark.parametrize("value", ["0", "-3", "many", "1201"])
def test_retention_rules_refuse_bad_periods_and_change_nothing(world, value):
    set_rules(question=24)

    with pytest.raises(Invalid) as err:
        services.save_retention_rules(
            by=world.ada, months={"touchpoint.question": value, "request": 6}
        )

    assert "whole number of months from 1 to 1200" in err.value.message
    assert dict(RetentionRule.objects.values_list("record", "months")) == {
        "touchpoint.question": 24
    }


def test_retention_rules_are_audited(world):
    services.save_retention_rules(by=world.ada, months={"touchpoint.question": 24, "request": ""})

    entry = AuditEntry.objects.get(action="retention_rules")
    assert entry.changes == {"touchpoint.question": [None, 24]}
    assert dict(RetentionRule.objects.values_list("record", "months")) == {
        "touchpoint.question": 24, "request": None,
    }  # fmt: skip


def test_months_before_clamps_to_the_shorter_month():
    assert retention.months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert retention.months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)
