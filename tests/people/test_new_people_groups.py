"""A new person joins a group: from the capture box (the librarian's usual group unless they
choose), from "Add a person", and later from the person page, so the group's cadence rules
bring them back when they are due."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rapport.errors import NotFound
from rapport.people.models import Membership, Person
from rapport.people.queries import usual_group
from rapport.people.services import create_person
from rapport.relationships.models import CadenceRule, Relationship
from rapport.today.today import build
from rapport.touchpoints import services as touchpoints
from tests.factories import make_group, make_touchpoint

HTMX = {"HTTP_HX_REQUEST": "true"}
LINE = "@Zed Nobody asked for a book"


@pytest.fixture
def labs(world):
    """alice serves a second group, where she logs more than in Chemistry."""
    physics = make_group("Physics Lab", librarians=[world.alice])
    for _ in range(2):
        make_touchpoint(world.alice, [], group=physics)
    CadenceRule.objects.create(
        name="Physics", position=1, group=physics, ideal_days=14, max_days=28
    )
    return physics


def groups_of(person):
    return list(Membership.objects.filter(person=person).values_list("group__name", flat=True))


def test_the_usual_group_is_the_one_logged_with_most(world, labs):
    assert usual_group(world.alice) == labs
    make_touchpoint(world.alice, [], group=world.chem)
    make_touchpoint(world.alice, [], group=world.chem)
    assert usual_group(world.alice).name == "Chemistry Lab"  # 3 to 2 now


def test_the_usual_group_of_one_who_serves_one_and_logged_nothing(world):
    bob_only = make_group("Bob's only", librarians=[world.bob])
    assert usual_group(world.bob) == world.history  # bob logged hugo's question there
    assert bob_only.pk
    assert usual_group(world.mia) is None


def test_a_person_created_from_the_capture_box_is_due_after_their_group_cadence(world, labs):
    now = timezone.now()

    tp = touchpoints.capture(by=world.alice, line=LINE, create_missing=True, now=now)

    zed = Person.objects.get(full_name="Zed Nobody")
    assert groups_of(zed) == ["Physics Lab"]
    assert tp.group == labs
    rel = Relationship.objects.get(person=zed)
    assert (rel.ideal_days, rel.max_days, rel.cadence_source) == (14, 28, "rule: Physics")
    assert "Zed Nobody" not in [
        r.person.full_name for r in build(world.alice, now).section("past_ideal").rows
    ]
    later = build(world.alice, now + dt.timedelta(days=15))
    row = next(r for r in later.section("past_ideal").rows if r.person.pk == zed.pk)
    assert (row.due.state, row.due.days_over) == ("due", 1)


def test_the_capture_box_may_put_a_new_person_in_another_group_or_none(world, labs):
    touchpoints.capture(by=world.alice, line=LINE, create_missing=True, new_people_group=world.chem)
    touchpoints.capture(
        by=world.alice, line="@Yan Else asked", create_missing=True, new_people_group=None
    )

    assert groups_of(Person.objects.get(full_name="Zed Nobody")) == ["Chemistry Lab"]
    yan = Person.objects.get(full_name="Yan Else")
    assert groups_of(yan) == []
    assert Relationship.objects.get(person=yan).ideal_days is None


def test_the_capture_form_asks_for_the_group_with_the_usual_one_chosen(client, world, labs):
    client.force_login(world.alice)

    html = client.post(reverse("touchpoints:capture"), {"line": LINE}, **HTMX).text

    assert '<label for="capture-new-group">Add them to</label>' in html
    assert f'<option value="{labs.pk}" selected>Physics Lab</option>' in html
    assert f'<option value="{world.chem.pk}">Chemistry Lab</option>' in html
    assert '<option value="">No group</option>' in html
    assert "History Department" not in html


def test_the_capture_form_creates_them_in_the_group_chosen(client, world, labs):
    client.force_login(world.alice)
    data = {"line": LINE, "create_missing": "1", "new_group": str(world.chem.pk)}

    response = client.post(reverse("touchpoints:capture"), data, **HTMX)

    assert response.status_code == 200
    assert groups_of(Person.objects.get(full_name="Zed Nobody")) == ["Chemistry Lab"]


def test_the_capture_form_refuses_a_group_not_served_and_creates_no_one(client, world, labs):
    client.force_login(world.alice)
    data = {"line": LINE, "create_missing": "1", "new_group": str(world.history.pk)}
    people = Person.objects.count()

    response = client.post(reverse("touchpoints:capture"), data, **HTMX)

    assert response.status_code == 422
    assert "You cannot add people to that group: choose one you serve." in response.text
    assert Person.objects.count() == people


def test_add_a_person_asks_for_the_group_and_joins_it(client, world, labs):
    client.force_login(world.alice)

    form = client.get(reverse("people:person_create")).text
    response = client.post(
        reverse("people:person_create"),
        {"full_name": "Quinn Added", "status": "other", "group": str(world.chem.pk)},
    )

    assert f'<option value="{labs.pk}" selected>Physics Lab</option>' in form
    assert '<label for="id_group">Group:</label>' in form
    quinn = Person.objects.get(full_name="Quinn Added")
    assert response.status_code == 302
    assert groups_of(quinn) == ["Chemistry Lab"]


def test_add_a_person_in_no_group(client, world):
    client.force_login(world.alice)

    client.post(reverse("people:person_create"), {"full_name": "Nell None", "status": "other"})

    assert groups_of(Person.objects.get(full_name="Nell None")) == []


def test_the_person_page_adds_them_to_a_group(client, world, labs):
    client.force_login(world.alice)
    url = reverse("people:person_add_to_group", args=[world.ana.pk])

    page = client.get(reverse("people:person_detail", args=[world.ana.pk])).text
    response = client.post(url, {"add-group": str(labs.pk), "add-role": "PI"}, follow=True)

    assert f'action="{url}"' in page
    assert f'<option value="{labs.pk}" selected>Physics Lab</option>' in page
    assert ">Chemistry Lab</option>" not in page  # she is in it already
    assert "Added Ana Ruiz to Physics Lab." in response.text
    m = Membership.objects.get(person=world.ana, group=labs)
    assert m.role == "PI"
    rel = Relationship.objects.get(person=world.ana)
    assert rel.cadence_source == "rule: Physics"


def test_the_person_page_refuses_a_group_not_served_and_changes_nothing(client, world, labs):
    client.force_login(world.alice)
    url = reverse("people:person_add_to_group", args=[world.ana.pk])

    response = client.post(url, {"add-group": str(world.history.pk)})

    assert response.status_code == 422
    assert "Select a valid choice." in response.text
    assert groups_of(world.ana) == ["Chemistry Lab"]


def test_create_person_with_a_group_not_served_is_refused(world):
    with pytest.raises(NotFound):
        create_person(by=world.alice, full_name="Out Side", group=world.history)
    assert not Person.objects.filter(full_name="Out Side").exists()
