"""Request services: opening, the lifecycle, follow-up scheduling, outcome, reassigning."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rapport.audit.models import AuditEntry
from rapport.errors import Forbidden, Invalid
from rapport.requests import services
from rapport.requests.models import Deliverable, Request, Status, StatusChange
from rapport.touchpoints.models import Participation, Touchpoint
from tests.factories import make_touchpoint, make_user
from tests.requests.conftest import make_request

LONDON = ZoneInfo("Europe/London")
TOO_LONG = "Ensure this value has at most 200 characters (it has 201)."


def audit(req, action):
    return list(
        AuditEntry.objects.filter(object_type="request", object_id=str(req.pk), action=action)
    )


# Opening


def test_open_request_stores_the_interview_and_defaults(world, today):
    req = services.open_request(
        by=world.alice,
        people=[world.ana, world.ben, world.ana],
        need="  Everything on perovskite stability since 2015, for the grant.\nIn a table. ",
        purpose="Grant background",
        grant="ERC StG",
        due_on=today + dt.timedelta(days=10),
        group=world.chem,
    )

    req.refresh_from_db()
    assert req.title == "Everything on perovskite stability since 2015, for the grant."
    assert req.need == "Everything on perovskite stability since 2015, for the grant.\nIn a table."
    assert (req.owner, req.created_by, req.status) == (world.alice, world.alice, "new")
    assert (req.follow_up_days, req.follow_up_on, req.group) == (14, None, world.chem)
    assert list(req.people.order_by("pk")) == [world.ana, world.ben]
    assert [(c.from_status, c.to_status, c.by) for c in req.status_changes.all()] == [
        ("", "new", world.alice)
    ]
    [entry] = audit(req, "create")
    assert entry.actor == world.alice
    assert entry.changes["people"] == [world.ana.pk, world.ben.pk]
    assert entry.changes["due_on"] == (today + dt.timedelta(days=10)).isoformat()
    assert entry.changes["owner"] == world.alice.pk


def test_open_request_long_need_gives_a_short_title(world):
    req = services.open_request(by=world.alice, people=[world.ana], need="word " * 60)

    assert req.title == ("word " * 24).strip() + "…"
    assert len(req.title) == 120


def test_open_request_for_another_librarian(world):
    req = services.open_request(by=world.alice, people=[world.ana], need="x", owner=world.bob)

    assert (req.owner, req.created_by) == (world.bob, world.alice)


@pytest.mark.parametrize(
    ("fields", "message", "field"),
    [
        ({"people": []}, "A request needs at least one person who asked.", "people"),
        ({"need": "   "}, "What do they need? Write it in their words.", "need"),
        ({"follow_up_days": 0}, "Follow up after 1 to 365 days, not 0.", None),
        (
            {"follow_up_days": 10000},
            "Follow up after 1 to 365 days, not 10000.",
            None,
        ),
        (
            {"due_on": dt.date(1999, 1, 1)},
            "Due: 1 Jan 1999 is more than a year ago; give the date still ahead.",
            None,
        ),
        (
            {"deadline": dt.date(2999, 1, 1)},
            "Their deadline: 1 Jan 2999 is more than five years ahead.",
            None,
        ),
        ({"title": "t" * 201}, f"Short title: {TOO_LONG}", None),
        ({"colour": "red"}, "Unknown field(s): colour.", None),
    ],
    ids=["no-people", "no-need", "follow-up-0", "follow-up-10000", "far-past", "far-future",
         "long-title", "unknown-field"],
)  # fmt: skip
def test_open_request_bad_input_saves_nothing(world, fields, message, field):
    args = {"people": [world.ana], "need": "A search", **fields}

    with pytest.raises(Invalid) as err:
        services.open_request(by=world.alice, **args)

    assert err.value.message == message
    if field:
        assert list(err.value.fields) == [field]
    assert Request.objects.count() == 0
    assert AuditEntry.objects.filter(object_type="request").count() == 0


def test_open_request_owner_must_be_a_librarian(world):
    with pytest.raises(Invalid) as err:
        services.open_request(by=world.alice, people=[world.ana], need="x", owner=world.mia)

    assert err.value.message == (
        "mia cannot own a request: an owner is an active librarian or administrator, not a manager."
    )
    assert Request.objects.count() == 0


def test_manager_may_not_write(world):
    req = make_request(world.alice, [world.ana])

    with pytest.raises(Forbidden) as err:
        services.open_request(by=world.mia, people=[world.ana], need="x")
    assert err.value.message == "Managers see aggregate figures only and cannot change requests."
    for call in [
        lambda: services.update_request(by=world.mia, request=req, need="y"),
        lambda: services.change_status(by=world.mia, request=req, status="closed"),
        lambda: services.deliver_request(by=world.mia, request=req),
        lambda: services.set_outcome(by=world.mia, request=req, story="s"),
        lambda: services.reassign_request(by=world.mia, request=req, owner=world.bob),
    ]:
        with pytest.raises(Forbidden):
            call()
    req.refresh_from_db()
    assert (req.need, req.status, req.owner) == ("A literature search", "new", world.alice)


# Editing


def test_update_request_records_only_the_changes(world):
    req = make_request(world.alice, [world.ana], need="A search")

    services.update_request(
        by=world.alice, request=req, need="A search", course="CHEM 101", people=[world.ben]
    )

    req.refresh_from_db()
    assert req.course == "CHEM 101"
    assert list(req.people.all()) == [world.ben]
    [entry] = audit(req, "update")
    assert entry.changes == {
        "course": ["", "CHEM 101"],
        "people": [[world.ana.pk], [world.ben.pk]],
        "version": [1, 2],
    }


def test_update_request_refuses_a_status_change(world):
    req = make_request(world.alice, [world.ana])

    with pytest.raises(Invalid) as err:
        services.update_request(by=world.alice, request=req, status="closed")

    assert err.value.message == "Change the status with its own action, so the step is recorded."
    req.refresh_from_db()
    assert req.status == "new"


def test_update_request_keeps_an_old_due_date_it_does_not_touch(world):
    req = make_request(world.alice, [world.ana], due_on=dt.date(2001, 1, 1))

    services.update_request(by=world.alice, request=req, scope="Only English")

    req.refresh_from_db()
    assert (req.scope, req.due_on) == ("Only English", dt.date(2001, 1, 1))


# The lifecycle

OPEN = ["new", "in_progress", "delivered", "followed_up"]


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("new", "in_progress"),
        ("new", "delivered"),
        ("in_progress", "delivered"),
        ("delivered", "followed_up"),
        ("followed_up", "closed"),
        *((s, "closed") for s in OPEN),
        *((s, "declined") for s in OPEN),
        ("closed", "in_progress"),
        ("declined", "in_progress"),
    ],
)
def test_change_status_allowed(world, start, to):
    req = make_request(world.alice, [world.ana], status=start)
    at = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)

    services.change_status(by=world.ada, request=req, status=to, note="  Done.  ", now=at)

    req.refresh_from_db()
    assert (req.status, req.status_changed_at) == (to, at)
    last = req.status_changes.order_by("pk").last()
    assert (last.from_status, last.to_status, last.at, last.by, last.note) == (
        start,
        to,
        at,
        world.ada,
        "Done.",
    )
    [entry] = audit(req, "status")
    assert entry.changes["status"] == [start, to]


@pytest.mark.parametrize(
    ("start", "to", "message"),
    [
        (
            "new",
            "followed_up",
            "A new request cannot become followed up; it can become in progress, delivered, "
            "closed or declined.",
        ),
        (
            "in_progress",
            "new",
            "An in progress request cannot become new; it can become delivered, closed or "
            "declined.",
        ),
        (
            "closed",
            "delivered",
            "A closed request cannot become delivered; it can become in progress.",
        ),
        (
            "followed_up",
            "in_progress",
            "A followed up request cannot become in progress; it can become closed or declined.",
        ),
        ("delivered", "delivered", None),
    ],
)
def test_change_status_refused_changes_nothing(world, start, to, message):
    req = make_request(world.alice, [world.ana], status=start)
    before = req.status_changed_at

    with pytest.raises(Invalid) as err:
        services.change_status(by=world.alice, request=req, status=to)

    if message:
        assert err.value.message == message
    assert err.value.fields == {"status": ["Not allowed from the current status."]}
    req.refresh_from_db()
    assert (req.status, req.status_changed_at) == (start, before)
    assert req.status_changes.count() == 1
    assert audit(req, "status") == []


def test_change_status_unknown_status(world):
    req = make_request(world.alice, [world.ana])

    with pytest.raises(Invalid) as err:
        services.change_status(by=world.alice, request=req, status="bogus")

    assert err.value.message == (
        "“bogus” is not a status; use one of new, in_progress, delivered, followed_up, closed, "
        "declined."
    )
    req.refresh_from_db()
    assert req.status == "new"


def test_change_status_reads_the_current_status_not_a_stale_copy(world):
    req = make_request(world.alice, [world.ana])
    stale = Request.objects.get(pk=req.pk)
    services.change_status(by=world.alice, request=req, status="declined")

    with pytest.raises(Invalid) as err:
        services.change_status(by=world.ada, request=stale, status="delivered")

    assert err.value.message == (
        "A declined request cannot become delivered; it can become in progress."
    )
    req.refresh_from_db()
    assert req.status == "declined"


# Delivery and the follow-up


def test_deliver_request_schedules_the_follow_up_14_days_on(world):
    req = make_request(world.alice, [world.ana], status="in_progress")
    at = dt.datetime(2026, 6, 1, 15, 0, tzinfo=LONDON)

    services.deliver_request(
        by=world.alice,
        request=req,
        note="Sent the table",
        deliverable={"title": "Search results", "url": "https://example.org/r.xlsx"},
        now=at,
    )

    req.refresh_from_db()
    assert (req.status, req.follow_up_on) == ("delivered", dt.date(2026, 6, 15))
    [d] = req.deliverables.all()
    assert (d.title, d.url, d.delivered_at, d.by) == (
        "Search results",
        "https://example.org/r.xlsx",
        at,
        world.alice,
    )
    [entry] = audit(req, "deliver")
    assert entry.changes["follow_up_on"] == [None, "2026-06-15"]
    assert entry.changes["status"] == ["in_progress", "delivered"]


def test_deliver_request_uses_the_requests_own_interval(world):
    req = make_request(world.alice, [world.ana], follow_up_days=3)

    services.deliver_request(
        by=world.alice, request=req, now=dt.datetime(2026, 12, 30, 9, 0, tzinfo=LONDON)
    )

    req.refresh_from_db()
    assert req.follow_up_on == dt.date(2027, 1, 2)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # 00:30 local on the day the clocks go back is still 24 Oct in UTC.
        (dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC), dt.date(2026, 11, 8)),
        # Late evening before the clocks go forward.
        (dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC), dt.date(2026, 4, 11)),
        # 00:30 local the night after the switch to summer time is 23:30 UTC the day before.
        (dt.datetime(2026, 3, 29, 23, 30, tzinfo=dt.UTC), dt.date(2026, 4, 13)),
    ],
)
def test_follow_up_date_counts_local_calendar_days_across_dst(world, at, expected):
    req = make_request(world.alice, [world.ana])

    services.deliver_request(by=world.alice, request=req, now=at)

    req.refresh_from_db()
    assert req.follow_up_on == expected


def test_adjusting_the_interval_moves_a_pending_follow_up(world):
    req = make_request(world.alice, [world.ana])
    services.deliver_request(
        by=world.alice, request=req, now=dt.datetime(2026, 6, 1, 12, 0, tzinfo=LONDON)
    )

    services.update_request(by=world.alice, request=req, follow_up_days=30)

    req.refresh_from_db()
    assert (req.follow_up_days, req.follow_up_on) == (30, dt.date(2026, 7, 1))
    [entry] = audit(req, "update")
    assert entry.changes == {
        "follow_up_days": [14, 30],
        "follow_up_on": ["2026-06-15", "2026-07-01"],
        "version": [2, 3],
    }


def test_record_follow_up_with_outcome_and_a_logged_email(world):
    req = make_request(world.alice, [world.ana, world.ben], group=world.chem)
    services.deliver_request(by=world.alice, request=req)
    at = dt.datetime(2026, 6, 15, 10, 0, tzinfo=LONDON)
    before = Touchpoint.objects.count()

    services.record_follow_up(
        by=world.alice,
        request=req,
        note="Useful; they cited it in the proposal.",
        outcome="Cited in the ERC proposal",
        log_as="email",
        now=at,
    )

    req.refresh_from_db()
    assert (req.status, req.followed_up_at, req.outcome) == (
        "followed_up",
        at,
        "Cited in the ERC proposal",
    )
    assert Touchpoint.objects.count() == before + 1
    [tp] = req.touchpoints.all()
    assert (tp.kind, tp.channel, tp.initiated_by, tp.occurred_at, tp.group) == (
        "email",
        "email",
        "us",
        at,
        world.chem,
    )
    assert tp.topic == "Follow-up: A literature search"
    assert tp.question == "Useful; they cited it in the proposal."
    assert sorted(p.pk for p in tp.people.all()) == [world.ana.pk, world.ben.pk]
    [entry] = audit(req, "follow_up")
    assert entry.changes["touchpoints"] == [None, tp.pk]
    assert entry.changes["outcome"] == ["", "Cited in the ERC proposal"]


def test_record_follow_up_before_delivery_is_refused(world):
    req = make_request(world.alice, [world.ana], status="in_progress")

    with pytest.raises(Invalid) as err:
        services.record_follow_up(by=world.alice, request=req, log_as="email")

    assert err.value.message == (
        "An in progress request cannot become followed up; it can become delivered, closed or "
        "declined."
    )
    assert req.touchpoints.count() == 0
    assert Touchpoint.objects.count() == 3


def test_record_follow_up_unknown_kind(world):
    req = make_request(world.alice, [world.ana], status="delivered")

    with pytest.raises(Invalid) as err:
        services.record_follow_up(by=world.alice, request=req, log_as="fax")

    assert err.value.message == "Log the follow-up as email or meeting, not “fax”."
    req.refresh_from_db()
    assert req.status == "delivered"


# Outcome, story, deliverables


def test_set_outcome_story_and_tags(world):
    req = make_request(world.alice, [world.ana])
    at = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)

    services.set_outcome(
        by=world.alice,
        request=req,
        outcome=" Funded ",
        story="The search found the gap the grant now fills.",
        story_tags=["#Grant", "grant", " funding "],
        now=at,
    )

    req.refresh_from_db()
    assert (req.outcome, req.story, req.story_tags, req.story_at) == (
        "Funded",
        "The search found the gap the grant now fills.",
        ["grant", "funding"],
        at,
    )
    [entry] = audit(req, "outcome")
    assert entry.changes == {
        "outcome": ["", "Funded"],
        "story": ["", "The search found the gap the grant now fills."],
        "story_tags": [[], ["grant", "funding"]],
        "version": [1, 2],
    }


def test_set_outcome_bad_tags(world):
    req = make_request(world.alice, [world.ana])

    with pytest.raises(Invalid) as err:
        services.set_outcome(by=world.alice, request=req, story="s", story_tags="grant")

    assert err.value.message == "Tags must be a list of words."
    req.refresh_from_db()
    assert (req.story, req.story_tags) == ("", [])


def test_add_deliverable_file_is_stored_under_media_root(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    req = make_request(world.alice, [world.ana])
    upload = SimpleUploadedFile("../../strings.txt", b"(perovskite OR CsPbI3)")

    d = services.add_deliverable(by=world.alice, request=req, file=upload, description="v1")

    assert d.title == "strings.txt"
    assert d.file.name.startswith("deliverables/") and d.file.name.endswith(".txt")
    assert (tmp_path / d.file.name).read_bytes() == b"(perovskite OR CsPbI3)"
    assert AuditEntry.objects.get(object_type="deliverable").changes["file"] == d.file.name


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Give a title, a link, a file or a description."),
        ({"url": "javascript:alert(1)"}, "“javascript:alert(1)” is not a web address (https://…)."),
        ({"title": "x" * 201}, "Keep the title under 200 characters."),
    ],
)  # fmt: skip
def test_add_deliverable_bad_input(world, fields, message):
    req = make_request(world.alice, [world.ana])

    with pytest.raises(Invalid) as err:
        services.add_deliverable(by=world.alice, request=req, **fields)

    assert err.value.message == message
    assert Deliverable.objects.count() == 0


def test_add_deliverable_to_a_declined_request(world):
    req = make_request(world.alice, [world.ana], status="declined")

    with pytest.raises(Invalid) as err:
        services.add_deliverable(by=world.alice, request=req, title="x")

    assert err.value.message == "A declined request has nothing to deliver; reopen it first."


# Touchpoints


def test_attach_touchpoint_once(world):
    req = make_request(world.alice, [world.ana])

    services.attach_touchpoint(by=world.alice, request=req, touchpoint=world.ana_question)
    services.attach_touchpoint(by=world.alice, request=req, touchpoint=world.ana_question)

    assert list(req.touchpoints.all()) == [world.ana_question]
    assert len(audit(req, "attach")) == 1


def test_attach_confidential_touchpoint_is_refused(world):
    req = make_request(world.alice, [world.ana])

    with pytest.raises(Invalid) as err:
        services.attach_touchpoint(by=world.alice, request=req, touchpoint=world.ana_secret)

    assert err.value.message == (
        "A confidential touchpoint stays with its author; it cannot join a request other "
        "librarians may see."
    )
    assert req.touchpoints.count() == 0


def test_convert_touchpoint_takes_question_visible_people_and_group(world):
    tp = world.ana_question
    Participation.objects.create(touchpoint=tp, person=world.hugo, occurred_at=tp.occurred_at)

    req = services.convert_touchpoint(by=world.alice, touchpoint=tp, due_on=None)

    assert (req.need, req.title, req.group, req.owner) == (
        "PRISMA search strings",
        "PRISMA search strings",
        world.chem,
        world.alice,
    )
    # Hugo took part too, but alice may not see him: he is not copied onto her request.
    assert list(req.people.all()) == [world.ana]
    assert list(req.touchpoints.all()) == [tp]
    assert audit(req, "create")[0].changes["touchpoints"] == [tp.pk]


def test_convert_touchpoint_with_no_visible_people(world):
    with pytest.raises(Invalid) as err:
        # Her own touchpoint with someone she cannot see (colleagues have him).
        services.convert_touchpoint(
            by=world.alice, touchpoint=make_touchpoint(world.alice, [world.hugo])
        )

    assert err.value.message == "A request needs at least one person who asked."
    assert Request.objects.count() == 0


# Reassigning


def test_reassign_request(world):
    req = make_request(world.alice, [world.ana])

    services.reassign_request(by=world.alice, request=req, owner=world.bob)

    req.refresh_from_db()
    assert req.owner == world.bob
    [entry] = audit(req, "reassign")
    assert (entry.actor, entry.changes) == (
        world.alice,
        {"owner": [world.alice.pk, world.bob.pk], "version": [1, 2]},
    )


def test_reassign_request_to_a_manager_is_refused(world):
    req = make_request(world.alice, [world.ana])

    with pytest.raises(Invalid):
        services.reassign_request(by=world.alice, request=req, owner=world.mia)

    req.refresh_from_db()
    assert req.owner == world.alice


def test_reassign_all_moves_every_open_request_and_nothing_is_orphaned(world):
    mine = {s: make_request(world.alice, [world.ana], status=s) for s in Status.values}
    bobs = make_request(world.bob, [world.hugo])
    cara = make_user("cara")

    moved = services.reassign_all(by=world.ada, from_user=world.alice, to_user=cara)

    assert [r.status for r in moved] == ["new", "in_progress", "delivered", "followed_up"]
    owners = {s: Request.objects.get(pk=r.pk).owner.username for s, r in mine.items()}
    assert owners == {
        "new": "cara",
        "in_progress": "cara",
        "delivered": "cara",
        "followed_up": "cara",
        "closed": "alice",
        "declined": "alice",
    }
    assert Request.objects.get(pk=bobs.pk).owner == world.bob
    assert not Request.objects.filter(owner=world.alice, status__in=OPEN).exists()
    assert AuditEntry.objects.filter(action="reassign", actor=world.ada).count() == 4


def test_reassign_all_is_for_administrators_only(world):
    make_request(world.alice, [world.ana])

    with pytest.raises(Forbidden) as err:
        services.reassign_all(by=world.bob, from_user=world.alice, to_user=world.bob)

    assert err.value.message == "Only administrators can move all of a librarian's requests."
    assert Request.objects.get().owner == world.alice


def test_reassign_all_to_the_same_librarian(world):
    with pytest.raises(Invalid) as err:
        services.reassign_all(by=world.ada, from_user=world.alice, to_user=world.alice)

    assert err.value.message == "Choose a different librarian to take the requests over."


def test_status_changes_are_listed_in_order(world):
    req = services.open_request(by=world.alice, people=[world.ana], need="x")
    for status in ["in_progress", "delivered", "followed_up", "closed", "in_progress"]:
        services.change_status(by=world.alice, request=req, status=status)

    steps = list(StatusChange.objects.filter(request=req).values_list("from_status", "to_status"))
    assert steps == [
        ("", "new"),
        ("new", "in_progress"),
        ("in_progress", "delivered"),
        ("delivered", "followed_up"),
        ("followed_up", "closed"),
        ("closed", "in_progress"),
    ]
