import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from rapport.audit.models import AuditEntry
from rapport.errors import Forbidden, Invalid, NotFound
from rapport.people.models import Person
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.touchpoints.services import (
    UnknownPeople,
    capture,
    create_touchpoint,
    delete_touchpoint,
    update_touchpoint,
)
from tests.factories import make_person

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)  # a Wednesday
EXAMPLE = (
    "@Ana Ruiz asked for PRISMA search strings for her scoping review "
    "#systematic-review ~20m read:4 via:walkby"
)


def test_capture_example_line_records_every_field(world):
    tp = capture(by=world.alice, line=EXAMPLE, now=NOW)

    tp.refresh_from_db()
    assert list(tp.people.all()) == [world.ana]
    assert tp.author == world.alice
    assert tp.question == "asked for PRISMA search strings for her scoping review"
    assert tp.topic == "asked for PRISMA search strings for her scoping review"
    assert tp.tags == ["systematic-review"]
    assert tp.minutes == 20
    assert tp.read_level == 4
    assert (tp.kind, tp.channel, tp.origin, tp.initiated_by) == (
        "hallway",
        "in_person",
        "walkby",
        "them",
    )
    assert tp.occurred_at == NOW
    assert tp.capture_line == EXAMPLE
    assert tp.group == world.chem  # ana's only group that alice serves
    assert tp.confidential is False


def test_capture_backdated_time_is_the_event_time(world):
    tp = capture(by=world.alice, line="@Ben Okafor mon 14:00 wanted a Zotero group", now=NOW)

    assert tp.occurred_at == dt.datetime(2026, 11, 23, 14, 0, tzinfo=LONDON)
    assert tp.question == "wanted a Zotero group"
    assert tp.logged_at > tp.occurred_at


def test_capture_updates_the_contact_counts_of_each_person(world):
    before = Person.objects.get(pk=world.ben.pk)
    assert before.touchpoint_count == 0

    tp = capture(by=world.alice, line="@Ana Ruiz @Ben Okafor lab meeting via:meeting", now=NOW)

    ben = Person.objects.get(pk=world.ben.pk)
    ana = Person.objects.get(pk=world.ana.pk)
    assert (ben.touchpoint_count, ben.first_contact_at, ben.last_contact_at) == (1, NOW, NOW)
    assert ana.touchpoint_count == 3
    assert ana.last_contact_at == world.ana_secret.occurred_at  # the later one
    assert tp.kind == "meeting"
    assert set(tp.people.all()) == {world.ana, world.ben}


def test_capture_by_exact_email_reaches_a_person_outside_the_groups_and_adds_a_contact(world):
    tp = capture(by=world.alice, line="@carla@uni.example asked about ORCID", now=NOW)

    assert list(tp.people.all()) == [world.carla]
    assert list(world.carla.contacts.all()) == [world.alice]
    assert tp.group is None


def test_capture_by_an_email_shared_outside_the_groups_reveals_no_one(world):
    make_person("Carl Otto", email="carla@uni.example")  # two people outside alice's groups

    with pytest.raises(UnknownPeople) as err:
        capture(by=world.alice, line="@carla@uni.example asked about ORCID", now=NOW)

    assert err.value.unknown == ["carla@uni.example"]
    assert err.value.ambiguous == {}


@pytest.mark.parametrize("mention", ["Łucja Öztürk", "łucja öztürk", "ŁUCJA", "Łuc"])
def test_capture_finds_names_with_non_ascii_capitals(world, mention):
    lucja = make_person("Łucja Öztürk", groups=[world.chem])

    tp = capture(by=world.alice, line=f"@{mention} asked for a thesis template", now=NOW)

    assert list(tp.people.all()) == [lucja]


def test_capture_prefers_the_exact_name_to_longer_names_that_start_with_it(world):
    make_person("Ana Ruiz García", groups=[world.chem])

    tp = capture(by=world.alice, line="@Ana Ruiz asked", now=NOW)

    assert list(tp.people.all()) == [world.ana]


def test_capture_far_future_date_is_refused_with_a_readable_message(world):
    with pytest.raises(Invalid) as err:
        create_touchpoint(
            by=world.alice,
            people=[world.ana],
            # Past the end of year 9999 once in London time: localtime() cannot convert it.
            occurred_at=dt.datetime(
                9999, 12, 31, 23, 0, tzinfo=dt.timezone(-dt.timedelta(hours=5))
            ),
            topic="x",
            now=NOW,
        )

    assert err.value.fields["occurred_at"] == [
        "9999-12-31T23:00-05:00 is in the future; a touchpoint records something that "
        "already happened."
    ]


def test_capture_unknown_person_saves_nothing_and_names_them(world):
    before = Touchpoint.objects.count()

    with pytest.raises(UnknownPeople) as err:
        capture(by=world.alice, line="@Zoe Quinn asked for a dataset", now=NOW)

    assert err.value.unknown == ["Zoe Quinn"]
    assert err.value.message == "No one called “Zoe Quinn” yet: create them, or check the spelling."
    assert Touchpoint.objects.count() == before
    assert not Person.objects.filter(full_name="Zoe Quinn").exists()


def test_capture_create_missing_creates_the_person_and_audits_both(world):
    tp = capture(
        by=world.alice, line="@Zoe Quinn asked for a dataset", now=NOW, create_missing=True
    )

    zoe = Person.objects.get(full_name="Zoe Quinn")
    assert list(tp.people.all()) == [zoe]
    assert zoe.created_by == world.alice
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "object_type"))
    # She joins alice's usual group, so its cadence rules reach her.
    assert actions == [("create", "person"), ("create", "membership"), ("create", "touchpoint")]


def test_capture_ambiguous_prefix_lists_candidates(world):
    make_person("Ana Li", groups=[world.chem], email="ali@uni.example")

    with pytest.raises(UnknownPeople) as err:
        capture(by=world.alice, line="@Ana asked", now=NOW)

    assert [p.full_name for p in err.value.ambiguous["Ana"]] == ["Ana Li", "Ana Ruiz"]
    assert err.value.unknown == []
    assert err.value.message == (
        "“Ana” could be Ana Li <ali@uni.example>, Ana Ruiz <ana.ruiz@uni.example>: "
        "type more of the name."
    )
    assert Touchpoint.objects.count() == 3


def test_capture_prefix_matches_a_unique_person(world):
    tp = capture(by=world.alice, line="@ana asked for help", now=NOW)

    assert list(tp.people.all()) == [world.ana]


def test_capture_by_email_mention(world):
    tp = capture(by=world.alice, line="@ben@uni.example needs a book", now=NOW)

    assert list(tp.people.all()) == [world.ben]


def test_capture_cannot_reach_people_outside_scope(world):
    # hugo belongs to bob's group; alice has never worked with him.
    with pytest.raises(UnknownPeople) as err:
        capture(by=world.alice, line="@Hugo Marsh asked", now=NOW)

    assert err.value.unknown == ["Hugo Marsh"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("", "Type what happened, e.g. “@Ana Ruiz asked for search strings ~20m”."),
        ("   ", "Type what happened, e.g. “@Ana Ruiz asked for search strings ~20m”."),
        ("@Ana Ruiz asked read:9", "read:9 is not on the READ scale (1–6)."),
        (
            "@Ana Ruiz 2026-12-01 asked",
            "Tue 01 Dec 2026 12:00 is in the future; a touchpoint records "
            "something that already happened.",
        ),
    ],
)
def test_capture_bad_line_explains_and_saves_nothing(world, line, message):
    before = (Touchpoint.objects.count(), AuditEntry.objects.count())

    with pytest.raises(Invalid) as err:
        capture(by=world.alice, line=line, now=NOW)

    assert err.value.message.startswith(message)
    assert (Touchpoint.objects.count(), AuditEntry.objects.count()) == before


def test_capture_oversized_line_is_refused(world):
    with pytest.raises(Invalid) as err:
        capture(by=world.alice, line="x" * 5001, now=NOW)

    assert err.value.message == (
        "That line is 5,001 characters; keep it under 5,000 and put long notes in the full form."
    )


def test_capture_absurd_duration_is_refused(world):
    with pytest.raises(Invalid) as err:
        capture(by=world.alice, line="@Ana Ruiz ~100h thesis help", now=NOW)

    assert "longer than a day" in err.value.message
    assert Touchpoint.objects.count() == 3


def test_manager_cannot_log_touchpoints(world):
    with pytest.raises(Forbidden):
        capture(by=world.mia, line="hello", now=NOW)
    assert Touchpoint.objects.count() == 3


def test_update_touchpoint_backdating_moves_last_contact_and_audits_the_change(world):
    tp = capture(by=world.alice, line="@Ben Okafor asked about EndNote", now=NOW)
    earlier = dt.datetime(2026, 10, 1, 9, 0, tzinfo=LONDON)

    update_touchpoint(by=world.alice, touchpoint=tp, occurred_at=earlier, minutes=15)

    ben = Person.objects.get(pk=world.ben.pk)
    assert ben.last_contact_at == earlier
    assert Participation.objects.get(touchpoint=tp).occurred_at == earlier
    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.changes == {
        "occurred_at": [NOW.isoformat(), earlier.isoformat()],
        "minutes": [None, 15],
        "version": [1, 2],
    }


def test_update_touchpoint_by_another_librarian_is_forbidden(world):
    world.chem.librarians.add(world.bob)  # he reads it, as a colleague in the group
    with pytest.raises(Forbidden) as err:
        update_touchpoint(by=world.bob, touchpoint=world.ana_question, minutes=5)

    assert (
        err.value.message
        == "Only the librarian who logged this touchpoint can change or delete it."
    )
    world.ana_question.refresh_from_db()
    assert world.ana_question.minutes is None


def test_update_touchpoint_by_a_librarian_who_cannot_read_it_finds_nothing(world):
    """The service checks the scope itself, as the pages and the API do: not even whether
    the touchpoint exists is told."""
    with pytest.raises(NotFound) as err:
        update_touchpoint(by=world.bob, touchpoint=world.ana_question, minutes=5)

    assert err.value.message == f"There is no touchpoint {world.ana_question.pk} that you can see."
    world.ana_question.refresh_from_db()
    assert world.ana_question.minutes is None


def test_update_touchpoint_changing_people_refreshes_both(world):
    tp = capture(by=world.alice, line="@Ben Okafor asked about EndNote", now=NOW)

    update_touchpoint(by=world.alice, touchpoint=tp, people=[world.ana])

    assert Person.objects.get(pk=world.ben.pk).touchpoint_count == 0
    assert Person.objects.get(pk=world.ana.pk).touchpoint_count == 3


def test_delete_touchpoint_resets_counts_and_keeps_an_audit_copy(world):
    tp = capture(by=world.alice, line="@Ben Okafor asked about EndNote", now=NOW)

    delete_touchpoint(by=world.alice, touchpoint=tp)

    ben = Person.objects.get(pk=world.ben.pk)
    assert (ben.touchpoint_count, ben.first_contact_at, ben.last_contact_at) == (0, None, None)
    entry = AuditEntry.objects.get(action="delete")
    assert entry.changes["question"] == "asked about EndNote"
    assert entry.changes["people"] == [world.ben.pk]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"minutes": 5000}, "minutes", "5000 minutes is more than a day; log each day separately."),
        ({"kind": "gossip"}, "kind", "Value 'gossip' is not a valid choice."),
        ({"read_level": 7}, "read_level", "Value 7 is not a valid choice."),
        ({"tags": "not-a-list"}, "tags", "Tags must be a list of words."),
    ],
)
def test_create_touchpoint_rejects_bad_fields(world, fields, field, message):
    with pytest.raises(Invalid) as err:
        create_touchpoint(by=world.alice, people=[world.ana], occurred_at=NOW, now=NOW, **fields)

    assert err.value.fields[field] == [message]
    assert Touchpoint.objects.count() == 3


def test_logging_a_touchpoint_leaves_the_persons_version_alone(world):
    """Contact figures are derived: a form open on Ana stays valid while touchpoints are
    logged with her (rapport/concurrency.py)."""
    create_touchpoint(by=world.alice, people=[world.ana], occurred_at=NOW, question="Zotero")

    ana = Person.objects.get(pk=world.ana.pk)
    assert (ana.touchpoint_count, ana.version) == (3, 1)
