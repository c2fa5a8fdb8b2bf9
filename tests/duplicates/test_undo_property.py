"""Merge then undo is the identity, whatever the two people share (a property test)."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.awareness.models import Interest, Match, Subscription
from rapport.duplicates.merging import CHOICE_FIELDS, merge_people, undo_merge
from rapport.people.models import Membership, Person
from rapport.relationships.models import PersonCadence, Snooze
from rapport.relationships.services import refresh_all
from rapport.touchpoints.models import Participation
from tests.duplicates.conftest import make_item, make_request, tables
from tests.factories import make_person, make_touchpoint

TERMS = ["prisma", "chemistry", "solvents"]
STATES = ["stated", "pinned", "removed"]
STATUSES = ["suggested", "approved", "rejected", "sent"]

# What one person has: for each of 3 touchpoints, 2 requests, 3 interest terms, 2 items and
# 2 librarians, whether (and how) they have it; plus a subscription, a cadence, a referrer.
side = st.fixed_dictionaries(
    {
        "touchpoints": st.lists(st.booleans(), min_size=3, max_size=3),
        "requests": st.lists(st.booleans(), min_size=2, max_size=2),
        "interests": st.lists(st.none() | st.sampled_from(STATES), min_size=3, max_size=3),
        "matches": st.lists(st.none() | st.sampled_from(STATUSES), min_size=2, max_size=2),
        "snoozes": st.lists(st.none() | st.integers(1, 30), min_size=2, max_size=2),
        "contacts": st.lists(st.booleans(), min_size=2, max_size=2),
        "subscribed": st.booleans(),
        "cadence": st.booleans(),
        "refers_other": st.booleans(),
        "name": st.sampled_from(["Ana Ruiz", "Ruiz, Ana", "A. Ruiz"]),
        "email": st.sampled_from(["", "ana@uni.example", "a.ruiz@other.example"]),
    }
)


def furnish(person, has, world, touchpoints, requests, items, other):
    users = [world.alice, world.bob]
    for tp, yes in zip(touchpoints, has["touchpoints"], strict=True):
        if yes:
            Participation.objects.create(touchpoint=tp, person=person, occurred_at=tp.occurred_at)
    for req, yes in zip(requests, has["requests"], strict=True):
        if yes:
            req.people.add(person)
    for term, state in zip(TERMS, has["interests"], strict=True):
        if state:
            Interest.objects.create(person=person, term=term, state=state)
    for item, status in zip(items, has["matches"], strict=True):
        if status:
            Match.objects.create(person=person, item=item, score=0.5, status=status)
    today = timezone.localdate()
    for user, days in zip(users, has["snoozes"], strict=True):
        if days:
            Snooze.objects.create(person=person, user=user, until=today + dt.timedelta(days=days))
    for user, yes in zip(users, has["contacts"], strict=True):
        if yes:
            person.contacts.add(user)
    if has["subscribed"]:
        Subscription.objects.create(person=person)
    if has["cadence"]:
        PersonCadence.objects.create(person=person, ideal_days=20, max_days=40)
    if has["refers_other"]:
        Person.objects.filter(pk=other.pk).update(referred_by=person)


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    left=side,
    right=side,
    keep_left=st.booleans(),
    choices=st.dictionaries(st.sampled_from(CHOICE_FIELDS), st.sampled_from(["keep", "merge"])),
)
def test_undo_after_merge_restores_every_table(world, left, right, keep_left, choices):
    with transaction.atomic():
        touchpoints = [make_touchpoint(world.alice, [], days_ago=d) for d in (3, 20, 90)]
        requests = [make_request(world.alice, [], t) for t in ("One", "Two")]
        items = [make_item("First item"), make_item("Second item")]
        a = make_person(left["name"], email=left["email"], groups=[world.chem])
        b = make_person(right["name"], email=right["email"])
        Membership.objects.create(person=b, group=world.chem, role="member")
        furnish(a, left, world, touchpoints, requests, items, world.ben)
        furnish(b, right, world, touchpoints, requests, items, world.hugo)
        refresh_all()
        before = tables()
        keep, merge = (a, b) if keep_left else (b, a)

        done = merge_people(by=world.alice, keep=keep, merge=merge, choices=choices)
        undo_merge(by=world.alice, merge=done)

        assert tables() == before
        transaction.set_rollback(True)
