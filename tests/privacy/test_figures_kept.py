"""Retention and erasure keep every report's figures: a realistic library (the demo tier),
every aggregate the pages show, before and after."""

from django.db import transaction

from rapport.people.models import Person
from rapport.privacy import services
from rapport.privacy.models import AnonymousParticipation, Tally
from rapport.relationships.models import Relationship
from rapport.relationships.services import refresh_all
from rapport.touchpoints.models import Participation, Touchpoint
from tests.privacy import snapshot
from tests.privacy.conftest import END, set_rules


def people_state():
    return sorted(
        Person.objects.values_list("pk", "first_contact_at", "last_contact_at", "touchpoint_count")
    ), sorted(Relationship.objects.values_list(
        "pk", "stage", "computed_stage", "minutes", "read_sum", "read_count", "kinds_used",
        "initiated_by_them", "partnership", "referrals", "last_real_contact_at", "due_day",
    ))  # fmt: skip


def test_retention_keeps_every_report_identical_and_refresh_agrees(library, groups):
    manager, admin = library
    # Meetings and deliverables are kept forever: people who also met that month stay named.
    set_rules(question=6, consultation=9, email=12, hallway=3, instruction=6, request=6)
    before = {u.username: snapshot.everything(u, END, groups) for u in (manager, admin)}
    state = people_state()
    participations = Participation.objects.count()

    run = services.apply_retention(by=admin, now=END)

    detached = AnonymousParticipation.objects.count()
    assert detached > 500
    assert Participation.objects.count() == participations - detached
    assert {u.username: snapshot.everything(u, END, groups) for u in (manager, admin)} == before
    assert people_state() == state
    assert run.counts["touchpoint.question"]["detached"] > 0
    assert "touchpoint.meeting" not in run.counts  # kept forever
    assert Tally.objects.count() > 50

    refresh_all()  # the full recompute counts the tallies as the writes did

    assert people_state() == state
    assert snapshot.everything(manager, END, groups) == before["manager"]


def most_involved() -> list[Person]:
    """A few people with much history: shared touchpoints, requests, referrals."""
    return list(Person.objects.order_by("-touchpoint_count", "pk")[:3]) + list(
        Person.objects.filter(referred_by__isnull=False).order_by("pk")[:2]
    )


def test_erasure_keeps_the_work_figures_and_drops_only_the_person(library, groups):
    manager, admin = library
    people = most_involved()
    before = {u.username: snapshot.work(u, END, groups) for u in (manager, admin)}
    # Who is there today, as if they had been archived: what erasure should leave.
    with transaction.atomic():
        Person.objects.filter(pk__in=[p.pk for p in people]).update(archived_at=END)
        expected = {u.username: snapshot.population(u, END, groups) for u in (manager, admin)}
        transaction.set_rollback(True)
    touchpoints = Touchpoint.objects.count()

    for person in people:
        services.erase_person(by=admin, person=person, reference="e-mail of 1 June")

    assert Touchpoint.objects.count() == touchpoints
    assert not Person.objects.filter(pk__in=[p.pk for p in people]).exists()
    assert {u.username: snapshot.work(u, END, groups) for u in (manager, admin)} == before
    assert {u.username: snapshot.population(u, END, groups) for u in (manager, admin)} == expected


def test_retention_erasure_and_retention_again_keep_the_figures(library, groups):
    manager, admin = library
    set_rules(question=6, consultation=6, email=6, hallway=6, instruction=6)
    person = most_involved()[0]
    before = snapshot.work(manager, END, groups)

    services.apply_retention(by=admin, now=END)
    services.erase_person(by=admin, person=person)
    again = services.apply_retention(by=admin, now=END)

    assert again.counts == {}
    assert snapshot.work(manager, END, groups) == before
