"""The people list, the person page with its timeline, the person form, and @-autocomplete."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.people.models import Membership, Person
from rapport.people.services import update_person
from rapport.relationships.services import refresh
from rapport.touchpoints.models import Channel, Kind
from tests.factories import make_person, make_touchpoint

HTMX = {"HTTP_HX_REQUEST": "true"}


def names_in(html, names):
    return [n for n in names if n in html]


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# The list


def test_person_list_shows_only_the_people_in_scope(client, world):
    client.force_login(world.alice)

    html = client.get(reverse("people:person_list")).text

    assert names_in(html, ["Ana Ruiz", "Ben Okafor", "Hugo Marsh", "Carla Diaz"]) == [
        "Ana Ruiz",
        "Ben Okafor",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=ruiz", ["Ana Ruiz"]),
        ("q=BEN%40uni", ["Ben Okafor"]),
        ("status=student", ["Ben Okafor"]),
        ("group={history}", ["Hugo Marsh"]),
        ("q=nobody", []),
        ("q=ruiz&group=abc&sort=bogus", ["Ana Ruiz"]),
        (
            "group=abc&status=bogus&sort=bogus",
            ["Ana Ruiz", "Ben Okafor", "Carla Diaz", "Hugo Marsh"],
        ),
    ],
)
def test_person_list_search_and_filters(client, world, query, expected):
    client.force_login(world.ada)
    url = reverse("people:person_list") + "?" + query.format(history=world.history.pk)

    response = client.get(url)

    assert response.status_code == 200
    everyone = ["Ana Ruiz", "Ben Okafor", "Carla Diaz", "Hugo Marsh"]
    assert names_in(response.text, everyone) == expected


def test_person_list_sorts_by_last_contact(client, world):
    refresh([world.ana.pk, world.hugo.pk])
    client.force_login(world.ada)

    html = client.get(reverse("people:person_list") + "?sort=-last_contact").text

    order = sorted(["Ana Ruiz", "Ben Okafor", "Carla Diaz", "Hugo Marsh"], key=html.index)
    assert order == ["Ana Ruiz", "Hugo Marsh", "Ben Okafor", "Carla Diaz"]


def test_person_list_pages_without_counting(client, world):
    for n in range(55):
        make_person(f"Zoe {n:02d}", groups=[world.chem])
    client.force_login(world.alice)
    url = reverse("people:person_list")

    first = client.get(url + "?q=zoe").text
    second = client.get(url + "?q=zoe&page=2").text

    assert "Showing 1–50, more on the next page" in first
    assert 'id="people-next" href="?q=zoe&amp;page=2"' in first
    assert "Zoe 49" in first and "Zoe 50" not in first
    assert "Showing 51–55" in second
    assert "Zoe 50" in second and "Zoe 54" in second
    assert 'id="people-next"' not in second


def test_person_list_htmx_returns_the_results_partial(client, world):
    client.force_login(world.alice)

    response = client.get(reverse("people:person_list") + "?q=ben", **HTMX)

    assert response.text.lstrip().startswith('<div id="people-results"')
    assert "Ben Okafor" in response.text and "Ana Ruiz" not in response.text
    assert response["Vary"] == "HX-Request, Cookie"


def test_person_list_htmx_history_restore_gets_the_whole_page(client, world):
    client.force_login(world.alice)

    response = client.get(
        reverse("people:person_list") + "?q=ben", **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert response.text.startswith("<!doctype html>")
    assert "Ben Okafor" in response.text


def test_person_list_query_count_does_not_grow_with_data(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.alice)
    url = reverse("people:person_list") + "?sort=-last_contact"
    small = queries_for(client, url)
    for n in range(60):
        person = make_person(f"Extra {n}", groups=[world.chem, world.history])
        make_touchpoint(world.alice, [person], group=world.chem)

    with django_assert_max_num_queries(small):
        response = client.get(url)

    assert response.text.count('<a class="name"') == 50
    assert small <= 4  # session, user, the group filter's choices, one page of people


# The person page


def test_person_detail_shows_profile_groups_contact_and_counts(client, world):
    Person.objects.filter(pk=world.ana.pk).update(
        other_emails=["a.ruiz@lab.example"],
        orcid="0000-0002-1825-0097",
        job_title="Associate Professor",
        department="Chemistry",
        building="Hodgkin",
        room="2.14",
        desk="3",
        notes="Prefers e-mail before noon.",
        referred_by=world.ben,
    )
    Membership.objects.filter(person=world.ana).update(role="PI", started_on=dt.date(2021, 9, 1))
    make_touchpoint(world.alice, [world.ana], kind=Kind.CONSULTATION, channel=Channel.VIDEO)
    refresh([world.ana.pk])
    client.force_login(world.alice)

    html = client.get(reverse("people:person_detail", args=[world.ana.pk])).text

    for text in [
        '<a href="mailto:ana.ruiz@uni.example">ana.ruiz@uni.example</a>',
        '<a href="mailto:a.ruiz@lab.example">a.ruiz@lab.example</a>',
        "0000-0002-1825-0097",
        "Faculty · Associate Professor · Chemistry",
        "Hodgkin, room 2.14, desk 3",
        "Prefers e-mail before noon.",
        f'<a href="/people/{world.ben.pk}/">Ben Okafor</a>',
        f'<a href="/people/groups/{world.chem.pk}/">Chemistry Lab</a>',
        "PI · from Sep 2021",
        '<ul class="plain" id="counts-kind"><li>Question <strong>2</strong></li>'
        "<li>Consultation <strong>1</strong></li></ul>",
        "<li>Video <strong>1</strong></li>",
    ]:
        assert text in html
    ana = Person.objects.get(pk=world.ana.pk)
    assert f"<dt>Last contact</dt><dd>{timezone.localtime(ana.last_contact_at):%-d %b %Y}" in html


def test_person_detail_timeline_is_newest_first(client, world):
    client.force_login(world.alice)

    html = client.get(reverse("people:person_detail", args=[world.ana.pk])).text

    assert html.index("Private worry about tenure") < html.index("PRISMA search strings")


def test_person_detail_timeline_pages_with_load_more(client, world):
    for n in range(25):
        make_touchpoint(world.alice, [world.ben], question=f"Old question {n:02d}", days_ago=n + 2)
    client.force_login(world.alice)
    timeline = reverse("people:person_timeline", args=[world.ben.pk])

    first = client.get(reverse("people:person_detail", args=[world.ben.pk])).text
    more = client.get(timeline + "?page=2", **HTMX)
    full = client.get(timeline + "?page=2")

    assert f'id="timeline-more" class="button secondary" href="{timeline}?page=2"' in first
    assert "Old question 19" in first and "Old question 20" not in first
    assert more.text.lstrip().startswith('<li class="entry"')
    assert [f"Old question {n}" in more.text for n in range(20, 25)] == [True] * 5
    assert "Old question 19" not in more.text
    assert 'id="timeline-more"' not in more.text
    assert "<html" in full.text and "Old question 24" in full.text
    assert "Back to the newest" in full.text


def test_person_detail_hides_other_people_outside_scope(client, world):
    make_touchpoint(world.bob, [world.hugo, world.ana], question="Joint visit", group=world.history)
    client.force_login(world.bob)

    html = client.get(reverse("people:person_detail", args=[world.hugo.pk])).text

    assert "Joint visit" in html
    assert "Ana Ruiz" not in html
    assert "and 1 other" in html


def test_person_detail_query_count_does_not_grow_with_data(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.alice)
    url = reverse("people:person_detail", args=[world.ana.pk])
    small = queries_for(client, url)
    others = [make_person(f"Co {n}", groups=[world.chem]) for n in range(10)]
    for n in range(40):
        make_touchpoint(world.alice, [world.ana, others[n % 10]], group=world.chem)
    make_touchpoint(world.alice, [world.ana], group=world.history)

    with django_assert_max_num_queries(small):
        response = client.get(url)

    assert response.text.count('<li class="entry') == 20
    # 8 core (counts by kind and channel in one), 5 relationship, 1 requests, 1 audit of the view,
    # 1 colleagues waiting for the person to be shared with them, 1 groups to add them to
    assert small <= 17


# Create, edit, archive


def test_person_create_saves_and_audits(client, world):
    client.force_login(world.alice)

    response = client.post(
        reverse("people:person_create"),
        {
            "full_name": "  Dora   Lee ",
            "email": "Dora@Uni.Example",
            "other_emails": "d.lee@lab.example\nd@x.example",
            "orcid": "0000000218250097",
            "status": "postdoc",
            "referred_by": "@Ana Ruiz",
        },
    )

    dora = Person.objects.get(full_name="Dora Lee")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{dora.pk}/"
    assert (dora.email, dora.other_emails) == (
        "dora@uni.example",
        ["d.lee@lab.example", "d@x.example"],
    )
    assert (dora.orcid, dora.status, dora.referred_by) == (
        "0000-0002-1825-0097",
        "postdoc",
        world.ana,
    )
    assert (
        AuditEntry.objects.filter(
            action="create", object_type="person", object_id=str(dora.pk)
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "This field is required."),
        ({"full_name": "Dora", "orcid": "1234"}, "orcid", "is not an ORCID iD"),
        ({"full_name": "Dora", "orcid": "0000-0002-1825-0098"}, "orcid", "wrong check digit"),
        ({"full_name": "Dora", "email": "nope"}, "email", "Enter a valid email address."),
        ({"full_name": "Dora", "referred_by": "@Zed Nobody"}, "referred_by", "No one called"),
        ({"full_name": "Dora", "other_emails": "bad@"}, "other_emails", "is not an e-mail address"),
    ],
)
def test_person_create_invalid_shows_errors_and_saves_nothing(client, world, data, field, message):
    client.force_login(world.alice)
    count = Person.objects.count()

    response = client.post(reverse("people:person_create"), {"status": "other", **data})

    assert response.status_code == 422
    assert message in response.context["form"].errors[field][0]
    assert message in response.text.replace("&#x27;", "'")
    assert Person.objects.count() == count


def test_person_edit_prefills_and_saves(client, world):
    client.force_login(world.alice)
    url = reverse("people:person_edit", args=[world.ben.pk])

    form = client.get(url).text
    response = client.post(
        url,
        {
            "full_name": "Ben Okafor",
            "email": "ben@uni.example",
            "status": "postdoc",
            "room": "1.01",
            "version": "1",
        },
    )

    assert 'value="Ben Okafor"' in form
    assert '<input type="hidden" name="version" value="1" id="id_version">' in form
    assert response.status_code == 302
    ben = Person.objects.get(pk=world.ben.pk)
    assert (ben.status, ben.room, ben.version) == ("postdoc", "1.01", 2)
    entry = AuditEntry.objects.get(action="update", object_id=str(ben.pk))
    assert entry.changes == {
        "status": ["student", "postdoc"],
        "room": ["", "1.01"],
        "version": [1, 2],
    }


BEN_FORM = {"full_name": "Ben Okafor", "email": "ben@uni.example", "status": "student"}
CHANGED = (
    "This person was changed by someone else since you opened the form: here is what changed; "
    "check and save again."
)


def _when(entry: AuditEntry) -> str:
    return f"{timezone.localtime(entry.at):%-d %b %H:%M}"


def test_person_edit_opened_before_another_save_shows_what_changed_and_keeps_the_input(
    client, world
):
    world.chem.librarians.add(world.bob)  # a colleague who serves the group too
    client.force_login(world.alice)
    url = reverse("people:person_edit", args=[world.ben.pk])
    client.get(url)  # version 1
    update_person(by=world.bob, person=world.ben, room="2.14", job_title="MSc student")
    entry = AuditEntry.objects.get(action="update")

    response = client.post(url, {**BEN_FORM, "room": "1.01", "version": "1"})

    assert response.status_code == 422
    errors = response.context["form"].non_field_errors()
    assert errors == [
        CHANGED,
        f"Bob Bibby, {_when(entry)}: Job title: empty → “MSc student”; Room: empty → “2.14”.",
    ]
    assert 'value="1.01"' in response.text  # what Alice typed is still there
    assert '<input type="hidden" name="version" value="2" id="id_version">' in response.text
    ben = Person.objects.get(pk=world.ben.pk)
    assert (ben.room, ben.job_title, ben.version) == ("2.14", "MSc student", 2)

    again = client.post(
        url, {**BEN_FORM, "room": "1.01", "job_title": "MSc student", "version": "2"}
    )

    assert again.status_code == 302
    ben = Person.objects.get(pk=world.ben.pk)
    assert (ben.room, ben.job_title, ben.version) == ("1.01", "MSc student", 3)


def test_person_edit_without_its_version_is_refused_and_changes_nothing(client, world):
    client.force_login(world.alice)

    response = client.post(
        reverse("people:person_edit", args=[world.ben.pk]), {**BEN_FORM, "room": "1.01"}
    )

    assert response.status_code == 422
    assert response.context["form"].errors["version"] == [
        "This form is out of date: open the page again and redo your change."
    ]
    assert "This form is out of date: open the page again and redo your change." in response.text
    assert Person.objects.get(pk=world.ben.pk).room == ""


def test_person_edit_other_librarian_gets_404_and_changes_nothing(client, world):
    client.force_login(world.bob)

    response = client.post(
        reverse("people:person_edit", args=[world.ana.pk]),
        {"full_name": "Hacked", "status": "other"},
    )

    assert response.status_code == 404
    assert Person.objects.get(pk=world.ana.pk).full_name == "Ana Ruiz"


def test_person_archive_hides_from_the_list(client, world):
    client.force_login(world.alice)

    response = client.post(reverse("people:person_archive", args=[world.ben.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("people:person_list")
    assert Person.objects.get(pk=world.ben.pk).archived_at is not None
    listed = client.get(reverse("people:person_list")).text
    assert "Archived Ben Okafor; their history is kept." in listed
    assert "Ben Okafor</a>" not in listed
    assert "Archived" in client.get(reverse("people:person_detail", args=[world.ben.pk])).text


@pytest.mark.parametrize(("role", "status"), [("bob", 404), ("mia", 403)])
def test_person_archive_refused_changes_nothing(client, world, role, status):
    client.force_login(getattr(world, role))

    response = client.post(reverse("people:person_archive", args=[world.ben.pk]))

    assert response.status_code == status
    assert Person.objects.get(pk=world.ben.pk).archived_at is None


def test_person_archive_needs_post(client, world):
    client.force_login(world.alice)

    assert client.get(reverse("people:person_archive", args=[world.ben.pk])).status_code == 405
    assert Person.objects.get(pk=world.ben.pk).archived_at is None


# Autocomplete


def test_person_autocomplete_returns_mentions_in_scope(client, world):
    make_person("Ana de la Cruz", groups=[world.chem], email="adlc@uni.example")
    lower = make_person("ana van dijk", groups=[world.chem], email="avd@uni.example")
    client.force_login(world.alice)

    data = client.get(reverse("people:person_autocomplete") + "?q=An").json()

    assert [(d["name"], d["mention"]) for d in data] == [
        ("Ana de la Cruz", "@Ana de la Cruz"),
        ("Ana Ruiz", "@Ana Ruiz"),
        ("ana van dijk", '@"ana van dijk"'),
    ]
    by_name = {d["name"]: d for d in data}
    assert by_name["ana van dijk"] == {
        "id": lower.pk,
        "name": "ana van dijk",
        "email": "avd@uni.example",
        "mention": '@"ana van dijk"',
    }
    assert by_name["Ana de la Cruz"]["mention"] == "@Ana de la Cruz"
    assert by_name["Ana Ruiz"]["mention"] == "@Ana Ruiz"


def test_person_autocomplete_is_scoped_and_capped(client, world):
    for n in range(12):
        make_person(f"Hugh {n}", groups=[world.history])
    client.force_login(world.alice)
    url = reverse("people:person_autocomplete")

    assert client.get(url + "?q=hug").json() == []
    client.force_login(world.bob)
    assert len(client.get(url + "?q=hug").json()) == 8
    assert client.get(url + "?q=ana").json() == []
    assert client.get(url + "?q=").json() == []


def test_person_autocomplete_tells_namesakes_apart_by_email(client, world):
    make_person("Ana Ruiz", groups=[world.chem], email="other.ana@uni.example")
    client.force_login(world.alice)

    data = client.get(reverse("people:person_autocomplete") + "?q=ana ruiz").json()

    assert sorted(d["mention"] for d in data) == ["@ana.ruiz@uni.example", "@other.ana@uni.example"]


def test_person_page_links_to_vcard_and_duplicates_and_names_the_survivor_of_a_merge(client, world):
    from rapport.duplicates.merging import merge_people

    twin = make_person("Ana M. Ruiz", email="a.ruiz@uni.example", groups=[world.chem])
    client.force_login(world.ada)

    page = client.get(reverse("people:person_detail", args=[twin.pk])).content.decode()
    assert f'href="/contacts/people/{twin.pk}.vcf" download id="person-vcard"' in page
    assert f'href="/duplicates/people/{twin.pk}/" id="person-duplicates"' in page
    assert "merged-into" not in page

    merge_people(by=world.ada, keep=world.ana, merge=twin)
    page = client.get(reverse("people:person_detail", args=[twin.pk])).content.decode()

    assert (
        f'Merged into <a href="/people/{world.ana.pk}/">Ana Ruiz</a> on '
        f"{timezone.localdate():%-d %b %Y}"
    ) in page
