"""Merging two people: every related table, the choices, undo, and bad input."""

import json

import pytest

from rapport.audit.models import AuditEntry
from rapport.awareness.models import Digest, Interest, Match, MatchRun, Publication, Subscription
from rapport.duplicates.merging import merge_people, undo_merge
from rapport.duplicates.models import Merge
from rapport.duplicates.rows import person_links, unique_sets
from rapport.errors import Forbidden, Invalid, NotFound
from rapport.people.models import Person
from rapport.relationships.models import PersonCadence, Relationship, Snooze
from rapport.touchpoints.models import Participation
from tests.duplicates.conftest import tables
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def people_of(rel):
    return sorted(rel.values_list("pk", flat=True))


def test_merge_moves_every_touchpoint_without_doubling_a_shared_one(world, twin):
    merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)

    ana = Person.objects.get(pk=world.ana.pk)
    assert Participation.objects.filter(person=twin.ana2).count() == 0
    # ana_question (both were in it, now once), ana_secret, and ana2's own Endnote question.
    assert Participation.objects.filter(person=world.ana).count() == 3
    assert ana.touchpoint_count == 3


def test_merge_moves_memberships_requests_contacts_and_referrals(world, twin):
    merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)

    ana = Person.objects.get(pk=world.ana.pk)
    assert sorted(ana.memberships.values_list("group__name", "role")) == [
        ("Chemistry Lab", "member"),
        ("History Department", "visiting"),
    ]
    assert sorted(ana.requests.values_list("title", flat=True)) == [
        "Data management plan",
        "Search strategy",
    ]
    assert list(twin.shared_request.people.values_list("pk", flat=True)) == [world.ana.pk]
    assert sorted(ana.contacts.values_list("username", flat=True)) == ["alice", "bob"]
    assert Person.objects.get(pk=world.hugo.pk).referred_by_id == world.ana.pk
    assert ana.referred_by_id == world.carla.pk  # hers was empty, ana2's was Carla
    assert Relationship.objects.get(person=world.ana).referrals == 1
    assert Relationship.objects.get(person=world.carla).referrals == 1


def test_merge_moves_awareness_rows_keeping_the_right_one_of_each_clash(world, twin):
    merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)

    assert sorted(Publication.objects.filter(person=world.ana).values_list("title", flat=True)) == [
        "Scoping reviews in chemistry",
        "Solvent selection guides",
    ]
    assert sorted(Interest.objects.filter(person=world.ana).values_list("term", "state")) == [
        ("green chemistry", "stated"),
        ("prisma", "pinned"),
    ]
    # The match already sent beats the one only suggested.
    assert sorted(Match.objects.filter(person=world.ana).values_list("item__title", "status")) == [
        ("A guide to PRISMA 2020", "sent"),
        ("Green solvents", "suggested"),
    ]
    assert Subscription.objects.get(person=world.ana).frequency == "monthly"
    assert Digest.objects.get().person_id == world.ana.pk
    assert MatchRun.objects.get().person_id == world.ana.pk
    assert Publication.objects.filter(person=twin.ana2).count() == 0


def test_merge_moves_cadence_snoozes_and_stage_override(world, twin):
    merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)

    cadence = PersonCadence.objects.get(person=world.ana)
    assert (cadence.ideal_days, cadence.max_days, cadence.reason) == (30, 60, "Busy PI")
    snoozes = sorted(
        (s.user.username, (s.until - s.created_at.date()).days)
        for s in Snooze.objects.filter(person=world.ana).select_related("user")
    )
    assert snoozes == [("alice", 9), ("bob", 5)]  # alice's later snooze wins
    rel = Relationship.objects.get(person=world.ana)
    assert (rel.stage_override, rel.stage_reason, rel.stage) == (4, "Champion", 4)
    assert rel.ideal_days == 30


def test_merge_combines_fields_emails_and_notes(world, twin):
    done = merge_people(
        by=world.alice,
        keep=world.ana,
        merge=twin.ana2,
        choices={"full_name": "merge", "email": "merge"},
    )

    ana = Person.objects.get(pk=world.ana.pk)
    assert ana.full_name == "Ana M. Ruiz"
    assert ana.email == "a.ruiz@other.example"
    assert ana.other_emails == ["ana.ruiz@uni.example"]
    assert ana.orcid == "0000-0002-1825-0097"  # hers was empty
    assert ana.job_title == "Professor"
    assert ana.status == "faculty"  # both set: the survivor's
    assert ana.notes == "Runs the PRISMA reading group.\n\nPrefers e-mail."
    assert ana.search_text == "ana m. ruiz a.ruiz@other.example ana.ruiz@uni.example"
    assert done.choices["full_name"] == "merge"
    assert done.choices["status"] == "keep"
    assert done.choices["orcid"] == "merge"


def test_merged_person_is_archived_and_marked_merged_into(world, twin):
    done = merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)

    ana2 = Person.objects.get(pk=twin.ana2.pk)
    assert ana2.archived_at is not None
    assert ana2.referred_by_id is None
    assert ana2.touchpoint_count == 0
    assert (done.keep_id, done.merged_id, done.merged_name) == (
        world.ana.pk,
        ana2.pk,
        "Ana M. Ruiz",
    )
    assert Relationship.objects.get(person=world.carla).referrals == 1


def test_merge_is_audited_on_both_people(world, twin):
    done = merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)

    entry = AuditEntry.objects.get(action="merge")
    assert (entry.actor, entry.object_id) == (world.alice, str(world.ana.pk))
    assert entry.summary == f"Ana M. Ruiz (#{twin.ana2.pk}) merged into Ana Ruiz (#{world.ana.pk})"
    assert entry.changes["merge"] == done.pk
    assert entry.changes["orcid"] == ["", "0000-0002-1825-0097"]
    assert entry.changes["moved"]["touchpoints.participation"] == 1
    merged = AuditEntry.objects.get(action="merged")
    assert merged.object_id == str(twin.ana2.pk)


def test_undo_restores_every_row_of_every_affected_table(world, twin):
    before = tables()
    done = merge_people(
        by=world.alice, keep=world.ana, merge=twin.ana2, choices={"full_name": "merge"}
    )
    assert tables() != before

    undo_merge(by=world.alice, merge=done)

    after = tables()
    for name, rows in before.items():
        assert after[name] == rows, name
    done.refresh_from_db()
    assert done.undone_by == world.alice
    assert AuditEntry.objects.filter(action="undo_merge", object_id=str(world.ana.pk)).count() == 1


def test_undo_keeps_what_was_changed_since_the_merge(world, twin):
    done = merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)
    Person.objects.filter(pk=world.ana.pk).update(job_title="Dean")

    undo_merge(by=world.alice, merge=done)

    ana = Person.objects.get(pk=world.ana.pk)
    assert ana.job_title == "Dean"
    assert ana.orcid == ""


def test_merge_again_after_undo(world, twin):
    first = merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)
    undo_merge(by=world.alice, merge=first)

    second = merge_people(by=world.alice, keep=twin.ana2, merge=world.ana)

    assert Participation.objects.filter(person=twin.ana2).count() == 3
    assert Merge.objects.filter(undone_at__isnull=True).get() == second


def test_undo_twice_is_refused(world, twin):
    done = merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)
    undo_merge(by=world.alice, merge=done)

    with pytest.raises(Invalid, match="already undone"):
        undo_merge(by=world.alice, merge=done)


def test_undo_of_a_survivor_merged_again_is_refused_until_the_later_one_is_undone(world, twin):
    first = merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)
    merge_people(by=world.alice, keep=world.ben, merge=world.ana)
    before = tables()

    with pytest.raises(Invalid) as err:
        undo_merge(by=world.alice, merge=first)

    assert err.value.message == "Ana Ruiz has since been merged into Ben Okafor; undo that first."
    assert tables() == before


def test_merging_a_person_with_themselves_changes_nothing(world, twin):
    before = tables()

    with pytest.raises(Invalid) as err:
        merge_people(by=world.alice, keep=world.ana, merge=world.ana)

    assert err.value.message == (
        "A person cannot be merged with themselves; choose two different people."
    )
    assert tables() == before
    assert not Merge.objects.exists()


def test_merging_an_already_merged_person_changes_nothing(world, twin):
    merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)
    before = tables()

    with pytest.raises(Invalid) as err:
        merge_people(by=world.alice, keep=world.ben, merge=twin.ana2)

    assert err.value.message == (
        "Ana M. Ruiz was already merged into Ana Ruiz; undo that merge first if it was wrong."
    )
    assert tables() == before


def test_merging_into_an_already_merged_person_is_refused(world, twin):
    merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)

    with pytest.raises(Invalid, match=r"^Ana M\. Ruiz was already merged into Ana Ruiz"):
        merge_people(by=world.alice, keep=twin.ana2, merge=world.ben)


def test_merging_someone_you_cannot_see_changes_nothing(world, twin):
    before = tables()

    with pytest.raises(NotFound) as err:
        merge_people(by=world.bob, keep=world.hugo, merge=world.ben)

    assert err.value.message == f"There is no person {world.ben.pk} that you can see."
    assert tables() == before


def test_managers_cannot_merge(world, twin):
    with pytest.raises(Forbidden):
        merge_people(by=world.mia, keep=world.ana, merge=twin.ana2)
    assert not Merge.objects.exists()


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"shoe_size": "keep"}, "There is no field shoe_size to choose between."),
        ({"email": "both"}, "Choose whose email to keep: “keep” or “merge”."),
    ],
)
def test_bad_choices_change_nothing(world, twin, choices, message):
    before = tables()

    with pytest.raises(Invalid) as err:
        merge_people(by=world.alice, keep=world.ana, merge=twin.ana2, choices=choices)

    assert err.value.message == message
    assert tables() == before


def test_merging_into_an_archived_person_is_refused(world, twin):
    Person.objects.filter(pk=world.ana.pk).update(archived_at="2026-01-01T00:00:00Z")

    with pytest.raises(Invalid, match=r"^Ana Ruiz is archived; restore them"):
        merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)


def test_a_person_who_referred_the_survivor_does_not_become_their_own_referrer(world, twin):
    Person.objects.filter(pk=world.ana.pk).update(referred_by=twin.ana2)

    merge_people(by=world.alice, keep=world.ana, merge=twin.ana2, choices={"referred_by": "keep"})

    assert Person.objects.get(pk=world.ana.pk).referred_by_id is None


def test_every_unique_constraint_on_a_person_link_has_been_looked_at():
    # merge_people moves any table pointing at people; only where a unique constraint allows a
    # row once per person does it set one aside. Whoever adds such a table: check that the
    # merged person's row is the right one to set aside, or add a rule in rows._loser.
    found = sorted(
        f"{m._meta.label_lower}.{f.name}"
        + ("" if f.unique else "+" + "+".join(sorted(x for o, _ in unique_sets(m, f) for x in o)))
        for m, f in person_links()
        if f.unique or unique_sets(m, f)
    )
    assert found == [
        "awareness.interest.person+term",
        "awareness.match.person+item_id",
        "awareness.publication.person+title_key",
        "awareness.subscription.person",
        "people.person_contacts.person+user_id",
        # Both people's tallies of detached history: the merged person's is set aside (and
        # put back by an undo); the survivor keeps their own.
        "privacy.tally.person",
        "relationships.personcadence.person",
        "relationships.relationship.person",
        "relationships.snooze.person+user_id",
        "requests.request_people.person+request_id",
        "touchpoints.participation.person+touchpoint_id",
    ]


def test_merge_announces_person_merged_to_webhooks(world, twin, django_capture_on_commit_callbacks):
    from rapport.webhooks.models import Delivery, Endpoint

    Endpoint.objects.create(url="http://127.0.0.1:9/hook", events=["person.merged"])
    Endpoint.objects.create(url="http://127.0.0.1:9/other", events=["touchpoint.created"])

    with django_capture_on_commit_callbacks(execute=False):
        done = merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)

    delivery = Delivery.objects.get()
    body = json.loads(delivery.body)
    assert (delivery.event, body["event"]) == ("person.merged", "person.merged")
    assert body["data"] == {
        "merge": done.pk,
        "keep": {"id": world.ana.pk, "name": "Ana Ruiz"},
        "merged": {"id": twin.ana2.pk, "name": "Ana M. Ruiz"},
        "at": done.at.isoformat(),
    }


def test_a_failed_merge_announces_nothing(world, twin):
    from rapport.webhooks.models import Delivery, Endpoint

    Endpoint.objects.create(url="http://127.0.0.1:9/hook", events=["person.merged"])

    with pytest.raises(Invalid):
        merge_people(by=world.alice, keep=world.ana, merge=world.ana)

    assert not Delivery.objects.exists()


def test_the_survivors_own_address_is_kept_when_the_other_address_is_chosen(world):
    ben2 = make_person("B. Okafor", email="b.okafor@other.example", groups=[world.chem])

    merge_people(by=world.alice, keep=world.ben, merge=ben2, choices={"email": "merge"})

    ben = Person.objects.get(pk=world.ben.pk)
    assert (ben.email, ben.other_emails) == ("b.okafor@other.example", ["ben@uni.example"])
