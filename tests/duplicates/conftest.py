"""Duplicates on top of the shared world: a second record of Ana with something in every table
that points at a person, clashing with Ana's own rows wherever a unique constraint allows."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from rapport.awareness.formats import title_key
from rapport.awareness.models import (
    Digest,
    Interest,
    Item,
    Match,
    MatchRun,
    Publication,
    SourceKind,
    Subscription,
)
from rapport.duplicates.rows import person_links
from rapport.people.models import Membership, Person
from rapport.relationships.models import PersonCadence, Relationship, Snooze
from rapport.relationships.services import refresh_all
from rapport.requests.models import Request
from rapport.touchpoints.models import Participation
from tests.factories import make_person, make_touchpoint


def make_request(owner, people, title="Help with a review"):
    req = Request.objects.create(
        owner=owner, created_by=owner, status_changed_at=timezone.now(), title=title, need=title
    )
    req.people.set(people)
    return req


def make_item(title):
    return Item.objects.create(title=title, title_key=title_key(title), source_kind="manual")


def make_publication(person, title):
    return Publication.objects.create(
        person=person, title=title, title_key=title_key(title), source_kind=SourceKind.BIBTEX
    )


@dataclass
class Twin:
    ana2: Person
    shared_item: Item
    only_request: Request
    shared_request: Request


@pytest.fixture
def twin(world) -> Twin:
    """ "Ana M. Ruiz", the same Ana entered again, with rows in every table."""
    w = world
    ana2 = make_person(
        "Ana M. Ruiz",
        email="A.Ruiz@Other.example".lower(),
        other_emails=["ana.ruiz@uni.example"],
        orcid="0000-0002-1825-0097",
        department="Chemistry",
        job_title="Professor",
        notes="Prefers e-mail.",
        referred_by=w.carla,
    )
    w.ana.notes = "Runs the PRISMA reading group."
    w.ana.department = "Chemistry"
    w.ana.save()
    # Touchpoints: one shared with Ana (the same meeting, logged twice), one of her own.
    Participation.objects.create(
        touchpoint=w.ana_question, person=ana2, occurred_at=w.ana_question.occurred_at
    )
    make_touchpoint(w.alice, [ana2], question="Endnote library broken", days_ago=40)
    Membership.objects.create(person=ana2, group=w.history, role="visiting")
    shared_request = make_request(w.alice, [w.ana, ana2], "Search strategy")
    only_request = make_request(w.alice, [ana2], "Data management plan")
    ana2.contacts.add(w.alice, w.bob)
    w.ana.contacts.add(w.alice)
    w.hugo.referred_by = ana2
    w.hugo.save()
    make_publication(w.ana, "Scoping reviews in chemistry")
    make_publication(ana2, "Scoping Reviews in Chemistry")  # the same title
    make_publication(ana2, "Solvent selection guides")
    Interest.objects.create(person=w.ana, term="prisma", state="pinned")
    Interest.objects.create(person=ana2, term="prisma", state="removed")
    Interest.objects.create(person=ana2, term="green chemistry", state="stated")
    Subscription.objects.create(person=ana2, frequency="monthly")
    digest = Digest.objects.create(person=ana2, status="sent", sent_at=timezone.now())
    shared_item = make_item("A guide to PRISMA 2020")
    Match.objects.create(person=w.ana, item=shared_item, score=0.3, status="suggested")
    Match.objects.create(person=ana2, item=shared_item, score=0.4, status="sent", digest=digest)
    Match.objects.create(person=ana2, item=make_item("Green solvents"), score=0.2)
    MatchRun.objects.create(scope="person", person=ana2, status="done")
    PersonCadence.objects.create(person=ana2, ideal_days=30, max_days=60, reason="Busy PI")
    today = timezone.localdate()
    Snooze.objects.create(person=w.ana, user=w.alice, until=today + dt.timedelta(days=3))
    Snooze.objects.create(person=ana2, user=w.alice, until=today + dt.timedelta(days=9))
    Snooze.objects.create(person=ana2, user=w.bob, until=today + dt.timedelta(days=5))
    refresh_all()
    Relationship.objects.filter(person=ana2).update(stage_override=4, stage_reason="Champion")
    refresh_all()
    return Twin(
        ana2=ana2, shared_item=shared_item, only_request=only_request, shared_request=shared_request
    )


def tables() -> dict[str, list[dict]]:
    """Every row of every table that points at a person, and the people and their state.
    Without the versions: they count edits, and a merge and its undo are two, so a version
    never goes back (tests/duplicates/test_versions.py)."""
    models = {model for model, _ in person_links()} | {Person, Relationship}
    return {
        model._meta.label_lower: [
            {k: v for k, v in row.items() if k != "version"}
            for row in model._base_manager.order_by("pk").values()
        ]
        for model in sorted(models, key=lambda m: m._meta.label_lower)
    }
