"""Loading the demo tier: consistent derived fields, identical reloads, refusal to overwrite."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Count, F, Max, Min, OuterRef

from rapport.accounts.models import User
from rapport.demo.loader import load
from rapport.errors import Invalid
from rapport.people.models import Group, Membership, Person
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.touchpoints.services import capture

LONDON = ZoneInfo("Europe/London")
END = dt.datetime(2026, 11, 27, 15, 0, tzinfo=LONDON)
TABLES = (
    "rapport_user",
    "rapport_group",
    "rapport_group_librarians",
    "rapport_person",
    "rapport_membership",
    "rapport_touchpoint",
    "rapport_participation",
    "rapport_contact",
    "rapport_request",
    "rapport_request_person",
    "rapport_request_touchpoint",
    "rapport_request_status_change",
    "rapport_deliverable",
)


def dump() -> dict[str, list[tuple]]:
    with connection.cursor() as cursor:
        out = {}
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")
            out[table] = cursor.fetchall()
        return out


@pytest.fixture
def loaded(db):
    return load("demo", seed=1, end=END)


def test_load_writes_the_demo_library(loaded):
    assert loaded.rows["rapport_person"] == Person.objects.count() == 150
    assert loaded.rows["rapport_touchpoint"] == Touchpoint.objects.count() == 3000
    assert Group.objects.count() == 11
    assert [(a.username, a.role) for a in loaded.accounts] == [
        ("librarian", "librarian"),
        ("tomas", "librarian"),
        ("priya", "librarian"),
        ("manager", "manager"),
        ("admin", "admin"),
    ]
    librarian = User.objects.get(username="librarian")
    assert librarian.check_password("rapport-demo")
    assert librarian.get_full_name() == "Maya Lindqvist"
    assert sorted(librarian.served_groups.values_list("kind", flat=True)) == [
        "course", "department", "research_team",
    ]  # fmt: skip
    assert librarian.served_groups.filter(name="Department of Chemistry").exists()


def test_load_contact_figures_equal_a_recompute(loaded):
    recomputed = {
        row["person"]: (row["first"], row["last"], row["n"])
        for row in Participation.objects.values("person").annotate(
            first=Min("occurred_at"), last=Max("occurred_at"), n=Count("id")
        )
    }
    for person in Person.objects.all():
        expected = recomputed.get(person.pk, (None, None, 0))
        assert (
            person.first_contact_at,
            person.last_contact_at,
            person.touchpoint_count,
        ) == expected, person.pk
    assert Person.objects.filter(touchpoint_count=0).count() == 150 - len(recomputed)


def test_load_search_text_follows_the_person_rule(loaded):
    for person in Person.objects.all():
        stored = person.search_text
        person.refresh_search_text()
        assert stored == person.search_text


def test_load_contacts_are_the_authors_of_each_persons_touchpoints(loaded):
    authors: dict[int, set[int]] = {}
    for person_id, author_id in Participation.objects.values_list(
        "person_id", "touchpoint__author_id"
    ):
        authors.setdefault(person_id, set()).add(author_id)
    contacts: dict[int, set[int]] = {}
    for person_id, user_id in Person.contacts.through.objects.values_list("person_id", "user_id"):
        contacts.setdefault(person_id, set()).add(user_id)

    assert contacts == authors


def test_load_every_touchpoint_has_people_and_copies_its_time(loaded):
    assert not Touchpoint.objects.exclude(
        pk__in=Participation.objects.values("touchpoint_id")
    ).exists()
    event_time = Touchpoint.objects.filter(pk=OuterRef("touchpoint_id")).values("occurred_at")
    assert not Participation.objects.exclude(occurred_at=event_time[:1]).exists()
    assert Touchpoint.objects.filter(occurred_at__gt=END).count() == 0
    assert Touchpoint.objects.filter(logged_at__lt=F("occurred_at")).count() == 0


def test_load_no_contact_predates_the_persons_record(loaded):
    created = Person.objects.filter(pk=OuterRef("person_id")).values("created_at")[:1]

    assert not Participation.objects.filter(occurred_at__lt=created).exists()


def test_load_memberships_have_dates_and_roles(loaded):
    roles = set(Membership.objects.values_list("role", flat=True))

    assert {"PI", "PhD student", "postdoc", "instructor", "student", "chair"} <= roles
    assert not Membership.objects.filter(started_on=None).exists()
    assert Membership.objects.filter(ended_on__lt=END.date()).exists()
    assert Person.objects.exclude(referred_by=None).exists()


def test_load_again_with_force_gives_identical_rows(loaded):
    first = dump()

    load("demo", seed=1, end=END, force=True)

    assert dump() == first


def test_load_other_seed_gives_other_rows(loaded):
    first = dump()

    load("demo", seed=2, end=END, force=True)

    second = dump()
    assert len(second["rapport_person"]) == 150
    assert second["rapport_person"] != first["rapport_person"]


def test_load_onto_data_without_force_refuses_and_changes_nothing(loaded):
    before = dump()

    with pytest.raises(Invalid) as err:
        load("demo", seed=2, end=END)

    assert err.value.message == (
        "The database already holds data (5 accounts, 150 people, 11 groups, 3,000 "
        f"touchpoints, {loaded.rows['rapport_request']} requests); the demo library loads only "
        "into an empty one. Use --force to erase everything in it first."
    )
    assert dump() == before


def test_load_leaves_ids_free_for_new_rows(loaded):
    librarian = User.objects.get(username="librarian")
    person = (
        Person.objects.filter(memberships__group__librarians=librarian)
        .order_by("-touchpoint_count")
        .first()
    )
    name_twins = Person.objects.filter(full_name__iexact=person.full_name).count()
    assert name_twins == 1

    before = person.touchpoint_count
    tp = capture(by=librarian, line=f"@{person.full_name} asked for a Zotero group ~10m", now=END)

    person.refresh_from_db()
    assert tp.pk == 3001
    assert person.touchpoint_count == before + 1
    assert person.last_contact_at == END


def test_load_unknown_tier_is_refused_and_writes_nothing(db):
    with pytest.raises(Invalid) as err:
        load("XL")

    assert err.value.message == "There is no tier “XL”; use one of demo, S, M, L."
    assert Person.objects.count() == 0
