"""Erasing a person: identity and text go, the work stays counted, the trail says who did it."""

import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.awareness.models import Interest, Item, Match, Publication, Subscription
from rapport.contacts.models import CardKey
from rapport.duplicates.models import Candidate, NotDuplicate
from rapport.errors import Forbidden, NotFound
from rapport.people.models import Person
from rapport.people.queries import people_for
from rapport.people.services import create_person
from rapport.privacy import services
from rapport.privacy.models import AnonymousParticipation, Erasure, Tally
from rapport.relationships.models import Relationship
from rapport.relationships.services import refresh
from rapport.search.queries import search
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.webhooks.events import body
from rapport.webhooks.models import Delivery, Endpoint
from tests.factories import make_touchpoint


@pytest.fixture
def carla_history(world):
    """carla, whom no librarian's scope holds: a question of hers logged by alice, and a
    meeting with ana."""
    question = make_touchpoint(
        world.alice, [world.carla], question="Carla's quokka census data", kind="question"
    )
    meeting = make_touchpoint(
        world.alice, [world.carla, world.ana], question="Quokka project kick-off", kind="meeting"
    )
    refresh([world.carla.pk, world.ana.pk])
    return question, meeting


def test_erase_a_person_no_librarian_sees(world, carla_history):
    question, meeting = carla_history
    assert not people_for(world.alice).filter(pk=world.carla.pk).exists()
    pk = world.carla.pk

    done = services.erase_person(by=world.ada, person=world.carla, reference="e-mail, ticket 7")

    assert not Person.objects.filter(pk=pk).exists()
    assert (done.person_id, done.by, done.reference) == (pk, world.ada, "e-mail, ticket 7")
    assert done.counts["touchpoints"] == 2
    assert done.counts["touchpoints_shared"] == 1
    assert Touchpoint.objects.get(pk=question.pk).topic == "Question (text removed on request)"
    assert Touchpoint.objects.get(pk=meeting.pk).question == ""
    assert AnonymousParticipation.objects.filter(touchpoint__in=[question, meeting]).count() == 2
    assert list(
        Participation.objects.filter(touchpoint=meeting).values_list("person", flat=True)
    ) == [world.ana.pk]
    assert not Tally.objects.filter(person_id=pk).exists()
    entry = AuditEntry.objects.get(action="erase")
    assert (entry.actor, entry.object_type, entry.summary) == (
        world.ada, "erasure", f"Erased person #{pk} (e-mail, ticket 7)",
    )  # fmt: skip
    assert entry.changes["person"] == pk


def test_erase_takes_them_out_of_search(world, carla_history):
    assert {h.kind for h in search(world.ada, "quokka")} == {"touchpoint"}
    assert [h.object.pk for h in search(world.ada, "Carla Diaz", kinds=["person"])] == [
        world.carla.pk
    ]

    services.erase_person(by=world.ada, person=world.carla)

    assert search(world.ada, "quokka") == []
    assert search(world.ada, "Carla Diaz", kinds=["person"]) == []
    assert search(world.alice, "quokka") == []


def test_erase_scrubs_audit_entries_about_them(world):
    zed = create_person(by=world.alice, full_name="Zed Quartermaine", email="zed@uni.example")
    pk = zed.pk

    services.erase_person(by=world.ada, person=zed)

    about = AuditEntry.objects.filter(object_type="person", object_id=str(pk))
    assert list(about.values_list("action", "summary")) == [
        ("create", "person of an erased person")
    ]
    assert set(about.get().changes.values()) == {"[removed]"}
    assert not AuditEntry.objects.filter(summary__icontains="Quartermaine").exists()
    assert not AuditEntry.objects.filter(changes__icontains="zed@uni.example").exists()


def test_erase_removes_what_hangs_on_them(world):
    carla = world.carla
    Subscription.objects.create(person=carla, consented_at=timezone.now())
    Interest.objects.create(person=carla, term="quokkas", state="stated")
    Publication.objects.create(person=carla, title="Quokka counts", title_key="quokka counts",
                               source_kind="manual")  # fmt: skip
    item = Item.objects.create(title="Quokka news", title_key="quokka news", source_kind="manual")
    Match.objects.create(person=carla, item=item, score=0.5, note="For your census")
    CardKey.objects.create(key="uid-carla", person=carla)
    Candidate.objects.create(person_a=world.ana, person_b=carla, score=80, evidence=["name"])
    NotDuplicate.objects.create(person_a=world.ana, person_b=carla, by=world.alice)

    done = services.erase_person(by=world.ada, person=carla)

    assert done.counts | {"touchpoints": 0} == {
        "touchpoints": 0, "touchpoints_shared": 0, "requests": 0, "memberships": 0,
        "interests": 1, "publications": 1, "matches": 1, "digests": 0, "subscription": 1,
        "card_keys": 1, "duplicate_marks": 2, "webhook_bodies": 0, "audit_entries": 0,
    }  # fmt: skip
    for model in (Subscription, Interest, Publication, Match, CardKey):
        assert not model.objects.filter(person_id=carla.pk).exists()
    assert not Candidate.objects.exists()
    assert not NotDuplicate.objects.exists()
    assert Item.objects.filter(pk=item.pk).exists()


def test_erase_keeps_the_referrers_stage(world):
    world.carla.referred_by = world.ben
    world.carla.save()
    for days in (200, 100):
        make_touchpoint(world.alice, [world.ben], days_ago=days)
    refresh([world.ben.pk])
    before = Relationship.objects.get(pk=world.ben.pk)
    assert (before.referrals, before.get_stage_display()) == (1, "Advocate")

    services.erase_person(by=world.ada, person=world.carla)

    after = Relationship.objects.get(pk=world.ben.pk)
    assert (after.referrals, after.get_stage_display()) == (1, "Advocate")
    assert Tally.objects.get(person=world.ben).referrals == 1


def test_erase_rewrites_webhook_bodies_that_name_them(world, carla_history):
    question, _ = carla_history
    endpoint = Endpoint.objects.create(
        url="https://hooks.example.org/x", events=["touchpoint.created"]
    )
    people = [{"id": world.carla.pk, "full_name": "Carla Diaz", "email": "carla@uni.example",
               "orcid": ""}]  # fmt: skip
    event_id = uuid.uuid4()
    data = {"touchpoint": {"id": question.pk, "topic": "Quokka census", "people": people}}
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event="touchpoint.created",
        event_id=event_id,
        body=body("touchpoint.created", event_id, timezone.now(), data),
        created_at=timezone.now(),
    )

    services.erase_person(by=world.ada, person=world.carla)

    stored = Delivery.objects.get(pk=delivery.pk).body
    assert "Carla" not in stored and "carla@" not in stored and "Quokka" not in stored
    assert json.loads(stored)["data"]["touchpoint"]["people"] == []


def test_erase_is_for_administrators_only(world, carla_history):
    for user in (world.alice, world.mia):
        with pytest.raises(Forbidden):
            services.erase_person(by=user, person=world.carla)

    assert Person.objects.filter(pk=world.carla.pk).exists()
    assert Touchpoint.objects.get(pk=carla_history[0].pk).question == "Carla's quokka census data"
    assert not Erasure.objects.exists()


def test_erase_twice_says_they_are_gone(world):
    services.erase_person(by=world.ada, person=world.carla)

    with pytest.raises(NotFound) as err:
        services.erase_person(by=world.ada, person=world.carla)

    assert err.value.message == (
        f"There is no person {world.carla.pk}: they may have been erased already."
    )
    assert Erasure.objects.count() == 1


def test_erase_command_without_confirm_changes_nothing(world, carla_history):
    out = io.StringIO()

    call_command("erase", str(world.carla.pk), stdout=out)

    assert out.getvalue() == (
        f"Would erase person #{world.carla.pk} (2 touchpoints, 1 touchpoints shared). "
        "Run again with --confirm to erase.\n"
    )
    assert Person.objects.filter(pk=world.carla.pk).exists()


def test_erase_command_with_confirm_erases(world, carla_history):
    out = io.StringIO()

    call_command("erase", str(world.carla.pk), "--confirm", "--by", "ada", stdout=out)

    assert out.getvalue() == f"Erased person #{world.carla.pk}.\n"
    assert Erasure.objects.get().by == world.ada


def test_erase_command_refuses_a_librarian_as_by(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"Only administrators can act on privacy requests\."):
        call_command("erase", str(world.carla.pk), "--confirm", "--by", "alice")
    assert Person.objects.filter(pk=world.carla.pk).exists()
