"""Group pages: the list with counts, one group's members, timeline and never-contacted people,
the group form, and adding members."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rapport.people.models import Group, GroupKind, Membership
from rapport.relationships.services import refresh
from tests.factories import make_person, make_touchpoint

HTMX = {"HTTP_HX_REQUEST": "true"}


def row(html, group):
    start = html.index(f'<a href="/people/groups/{group.pk}/">')
    return " ".join(html[start : html.index("</tr>", start)].split())


def test_group_list_counts_members_never_contacted_and_touchpoints(client, world):
    refresh([world.ana.pk])
    client.force_login(world.alice)

    html = client.get(reverse("people:group_list")).text

    assert row(html, world.chem) == (
        f'<a href="/people/groups/{world.chem.pk}/">Chemistry Lab</a></th> '
        '<td>Research team</td> <td class="num">2</td> <td class="num">1</td> '
        f'<td class="num">1</td> <td>{world.ana_question.occurred_at:%-d %b %Y}</td>'
    )
    assert "History Department" not in html


def test_group_list_manager_sees_every_group_with_counts(client, world):
    client.force_login(world.mia)

    html = client.get(reverse("people:group_list")).text

    assert '<td class="num">2</td> <td class="num">2</td>' in row(html, world.chem)
    assert '<td class="num">1</td> <td class="num">1</td> <td class="num">1</td>' in row(
        html, world.history
    )
    assert "New group" not in html


def test_group_detail_shows_members_timeline_and_never_contacted(client, world):
    refresh([world.ana.pk])
    Membership.objects.filter(person=world.ben).update(
        role="PhD student", started_on=dt.date(2024, 10, 1)
    )
    client.force_login(world.alice)

    html = client.get(reverse("people:group_detail", args=[world.chem.pk])).text

    members = html[
        html.index('id="group-members"') : html.index("</ul>", html.index('id="group-members"'))
    ]
    never = html[
        html.index('id="never-contacted"') : html.index("</ul>", html.index('id="never-contacted"'))
    ]
    assert "Ana Ruiz" in members and "Ben Okafor" in members
    assert "PhD student · from Oct 2024" in members
    assert "Ben Okafor" in never and "Ana Ruiz" not in never
    assert "PRISMA search strings" in html
    assert "<strong>2</strong> current members" in html


def test_group_detail_timeline_pages_with_load_more(client, world):
    for n in range(21):
        make_touchpoint(
            world.alice,
            [world.ben],
            group=world.chem,
            question=f"Lab visit {n:02d}",
            days_ago=n + 2,
        )
    client.force_login(world.alice)
    timeline = reverse("people:group_timeline", args=[world.chem.pk])

    first = client.get(reverse("people:group_detail", args=[world.chem.pk])).text
    more = client.get(timeline + "?page=2", **HTMX).text

    assert f'href="{timeline}?page=2"' in first
    assert "Lab visit 18" in first and "Lab visit 19" not in first
    assert "Lab visit 19" in more and "Lab visit 20" in more
    assert "<html" not in more


def test_group_detail_query_count_does_not_grow_with_data(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.alice)
    url = reverse("people:group_detail", args=[world.chem.pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    people = [make_person(f"Member {n}", groups=[world.chem]) for n in range(30)]
    for n in range(40):
        make_touchpoint(world.alice, [people[n % 30], world.hugo], group=world.chem)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)

    assert response.status_code == 200
    assert len(small.captured_queries) <= 12


def test_group_detail_manager_sees_figures_only(client, world):
    client.force_login(world.mia)

    html = client.get(reverse("people:group_detail", args=[world.chem.pk])).text

    assert "figures only" in html
    assert '<strong id="figure-total">1</strong>' in html
    for secret in ["Ana Ruiz", "Ben Okafor", "PRISMA", "tenure", "Add a member"]:
        assert secret not in html


def test_group_create_librarian_serves_the_new_group(client, world):
    client.force_login(world.bob)

    response = client.post(
        reverse("people:group_create"), {"name": " Medieval  Reading Group ", "kind": "course"}
    )

    group = Group.objects.get(name="Medieval Reading Group")
    assert response["Location"] == f"/people/groups/{group.pk}/"
    assert (group.kind, list(group.librarians.all())) == ("course", [world.bob])


def test_group_create_admin_assigns_librarians(client, world):
    client.force_login(world.ada)

    form = client.get(reverse("people:group_create")).text
    client.post(
        reverse("people:group_create"),
        {"name": "Physics", "kind": "department", "librarians": [world.alice.pk, world.bob.pk]},
    )

    assert 'name="librarians"' in form
    assert sorted(u.username for u in Group.objects.get(name="Physics").librarians.all()) == [
        "alice",
        "bob",
    ]


def test_group_create_librarian_form_has_no_librarian_choice(client, world):
    client.force_login(world.alice)

    assert 'name="librarians"' not in client.get(reverse("people:group_create")).text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "kind": "course"}, "name", "This field is required."),
        ({"name": "X", "kind": "club"}, "kind", "Select a valid choice."),
    ],
)
def test_group_create_invalid_saves_nothing(client, world, data, field, message):
    client.force_login(world.alice)
    count = Group.objects.count()

    response = client.post(reverse("people:group_create"), data)

    assert response.status_code == 422
    assert message in response.context["form"].errors[field][0]
    assert Group.objects.count() == count


def test_group_edit_saves_changes(client, world):
    client.force_login(world.alice)

    response = client.post(
        reverse("people:group_edit", args=[world.chem.pk]),
        {"name": "Chemistry Lab", "kind": GroupKind.UNIT, "description": "Floor 3"},
    )

    assert response.status_code == 302
    chem = Group.objects.get(pk=world.chem.pk)
    assert (chem.kind, chem.description) == ("unit", "Floor 3")


def test_group_edit_other_librarian_gets_404(client, world):
    client.force_login(world.bob)

    response = client.post(
        reverse("people:group_edit", args=[world.chem.pk]), {"name": "Mine", "kind": "unit"}
    )

    assert response.status_code == 404
    assert Group.objects.get(pk=world.chem.pk).name == "Chemistry Lab"


def test_membership_add_by_mention_with_role_and_dates(client, world):
    client.force_login(world.ada)

    response = client.post(
        reverse("people:membership_add", args=[world.chem.pk]),
        {"person": "@Carla Diaz", "role": "visiting", "started_on": "2026-01-05", "ended_on": ""},
    )

    assert response.status_code == 302
    m = Membership.objects.get(person=world.carla, group=world.chem)
    assert (m.role, m.started_on, m.ended_on) == ("visiting", dt.date(2026, 1, 5), None)


def test_membership_add_by_plain_email_outside_scope(client, world):
    client.force_login(world.alice)

    client.post(
        reverse("people:membership_add", args=[world.chem.pk]),
        {"person": "carla@uni.example", "role": "member"},
    )

    assert Membership.objects.filter(person=world.carla, group=world.chem).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"person": "@Zed Nobody"}, "No one called “Zed Nobody” yet"),
        ({"person": ""}, "This field is required."),
        (
            {"person": "@Ben Okafor", "started_on": "2026-02-01", "ended_on": "2026-01-01"},
            "A membership cannot end before it starts.",
        ),
        ({"person": "@Ben Okafor", "started_on": "soon"}, "Enter a valid date."),
    ],
)
def test_membership_add_invalid_shows_errors_and_adds_nothing(client, world, data, message):
    client.force_login(world.alice)
    count = Membership.objects.count()

    response = client.post(reverse("people:membership_add", args=[world.chem.pk]), data)

    assert response.status_code == 422
    assert message in response.text
    assert 'id="membership-form"' in response.text
    assert Membership.objects.count() == count


@pytest.mark.parametrize(("role", "status"), [("bob", 404), ("mia", 403)])
def test_membership_add_refused_adds_nothing(client, world, role, status):
    client.force_login(getattr(world, role))
    count = Membership.objects.count()

    response = client.post(
        reverse("people:membership_add", args=[world.chem.pk]), {"person": "carla@uni.example"}
    )

    assert response.status_code == status
    assert Membership.objects.count() == count


def test_group_archive_hides_it_from_the_list(client, world):
    client.force_login(world.alice)

    response = client.post(reverse("people:group_archive", args=[world.chem.pk]))

    assert response["Location"] == reverse("people:group_list")
    assert Group.objects.get(pk=world.chem.pk).archived_at is not None
    listed = client.get(reverse("people:group_list")).text
    assert "Archived Chemistry Lab; its history is kept." in listed
    assert "Chemistry Lab</a>" not in listed


@pytest.mark.parametrize(("role", "status"), [("bob", 404), ("mia", 403)])
def test_group_archive_refused_changes_nothing(client, world, role, status):
    client.force_login(getattr(world, role))

    response = client.post(reverse("people:group_archive", args=[world.chem.pk]))

    assert response.status_code == status
    assert Group.objects.get(pk=world.chem.pk).archived_at is None


def test_group_detail_caps_long_lists_and_links_to_the_people_list(client, world):
    for n in range(60):
        make_person(f"Newcomer {n:02d}", groups=[world.chem])
    refresh([world.ana.pk])
    client.force_login(world.alice)

    html = client.get(reverse("people:group_detail", args=[world.chem.pk])).text

    members = html[
        html.index('id="group-members"') : html.index("</ul>", html.index('id="group-members"'))
    ]
    never = html[
        html.index('id="never-contacted"') : html.index("</ul>", html.index('id="never-contacted"'))
    ]
    assert members.count("<li>") == 30
    assert never.count("<li>") == 15
    assert f'href="/people/?group={world.chem.pk}">All members in the people list</a>' in html
    assert (
        f'href="/people/?group={world.chem.pk}&amp;sort=last_contact">All 61 in the people list</a>'
        in html
    )


def test_group_and_person_pages_link_their_briefs(client, world):
    client.force_login(world.alice)

    group_html = client.get(reverse("people:group_detail", args=[world.chem.pk])).text
    person_html = client.get(reverse("people:person_detail", args=[world.ana.pk])).text

    assert f'href="/reports/brief/group/{world.chem.pk}/" id="group-brief">Brief</a>' in group_html
    assert (
        f'href="/reports/brief/person/{world.ana.pk}/" id="person-brief">Brief</a>' in person_html
    )
