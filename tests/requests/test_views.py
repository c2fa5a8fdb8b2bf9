"""The request pages: list, form (with ?person= and ?touchpoint=), detail and its actions,
files, stories, and the person partial."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.requests.models import Request
from rapport.requests.services import change_status, set_outcome
from tests.requests.conftest import make_request


def url(name, *args):
    return reverse(f"requests:{name}", args=args)


# The list


def test_list_shows_my_open_requests_by_default(client, world):
    mine = make_request(world.alice, [world.ana], need="Mine, open")
    make_request(world.alice, [world.ana], need="Mine, closed", status="closed")
    make_request(world.bob, [world.carla], need="Bob's, in my group", group=world.chem)
    client.force_login(world.alice)

    html = client.get(url("list")).text

    assert "Mine, open" in html
    assert f'href="/requests/{mine.pk}/"' in html
    assert "Mine, closed" not in html and "Bob&#x27;s, in my group" not in html
    assert '<a href="/requests/" aria-current="page">Requests</a>' in html


def test_list_boxes_say_what_the_default_list_shows(client, world):
    make_request(world.alice, [world.ana], need="Mine, open")
    client.force_login(world.alice)

    html = client.get(url("list")).text

    assert '<option value="open" selected>Open</option>' in html
    assert '<option value="" selected>Any status</option>' not in html
    assert f'<option value="{world.alice.pk}" selected>{world.alice.display_name}</option>' in html
    assert '<option value="" selected>Anyone</option>' not in html


def test_list_of_any_status_is_newest_first(client, world):
    old = make_request(world.alice, [world.ana], need="Old, closed", status="closed")
    Request.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=400), due_on=dt.date(2024, 1, 1)
    )
    make_request(world.alice, [world.ana], need="New, closed", status="closed")
    make_request(world.alice, [world.ana], need="Newest, open")
    client.force_login(world.alice)

    html = client.get(url("list") + "?status=&owner=").text

    assert '<option value="" selected>Any status</option>' in html
    assert html.index("Newest, open") < html.index("New, closed") < html.index("Old, closed")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("owner=&status=", ["Bob's, in my group", "Mine, closed", "Mine, open"]),
        ("owner=&status=closed", ["Mine, closed"]),
        ("owner={bob}", ["Bob's, in my group"]),
        ("owner=&group={chem}", ["Bob's, in my group"]),
        ("owner=&person={ana}&status=", ["Mine, closed", "Mine, open"]),
        ("owner=abc&status=bogus", ["Mine, open"]),
    ],
)
def test_list_filters(client, world, query, expected):
    make_request(world.alice, [world.ana], need="Mine, open")
    make_request(world.alice, [world.ana], need="Mine, closed", status="closed")
    make_request(world.bob, [world.carla], need="Bob's, in my group", group=world.chem)
    make_request(world.bob, [world.hugo], need="Not for alice")
    client.force_login(world.alice)
    q = query.format(bob=world.bob.pk, chem=world.chem.pk, ana=world.ana.pk)

    html = client.get(url("list") + "?" + q).text.replace("&#x27;", "'")

    shown = [n for n in ["Bob's, in my group", "Mine, closed", "Mine, open"] if n in html]
    assert shown == expected
    assert "Not for alice" not in html


def test_list_pages(client, world):
    for n in range(52):
        make_request(world.alice, [world.ana], need=f"Req {n:02d}")
    client.force_login(world.alice)

    first = client.get(url("list")).text
    second = client.get(url("list") + "?page=2").text

    assert "Showing 1–50, more on the next page" in first
    assert "Showing 51–52" in second


def test_list_htmx_gets_the_results_partial(client, world):
    make_request(world.alice, [world.ana], need="Mine, open")
    client.force_login(world.alice)

    response = client.get(url("list"), HTTP_HX_REQUEST="true")

    assert response.text.lstrip().startswith('<div id="request-results"')


def test_list_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    for n in range(30):
        make_request(world.alice, [world.ana, world.ben], need=f"R{n}", group=world.chem)
    client.force_login(world.alice)

    with django_assert_max_num_queries(14):
        assert client.get(url("list")).status_code == 200


# The form


def test_create_opens_a_request_and_redirects(client, world):
    client.force_login(world.alice)
    due = dt.date.today() + dt.timedelta(days=5)

    response = client.post(
        url("create"),
        {
            "people": "@Ana Ruiz @Ben Okafor",
            "need": "Data management plan review",
            "due_on": due.isoformat(),
            "group": world.chem.pk,
            "follow_up_days": "21",
            "owner": world.alice.pk,
        },
    )

    req = Request.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{req.pk}/"
    assert (req.title, req.due_on, req.group, req.follow_up_days) == (
        "Data management plan review",
        due,
        world.chem,
        21,
    )
    assert sorted(p.full_name for p in req.people.all()) == ["Ana Ruiz", "Ben Okafor"]


def test_create_bad_input_shows_the_messages(client, world):
    client.force_login(world.alice)

    response = client.post(
        url("create"),
        {"people": "@Ana Ruiz", "need": "x", "follow_up_days": "0", "owner": world.alice.pk},
    )

    assert response.status_code == 422
    assert "Follow up after 1 to 365 days, not 0." in response.text
    assert Request.objects.count() == 0


def test_create_unknown_person(client, world):
    client.force_login(world.alice)

    response = client.post(
        url("create"),
        {"people": "@Hugo Marsh", "need": "x", "follow_up_days": "14", "owner": world.alice.pk},
    )

    assert response.status_code == 422
    assert "No one called “Hugo Marsh” yet" in response.text
    assert Request.objects.count() == 0


def test_create_prefills_the_person(client, world):
    client.force_login(world.alice)

    html = client.get(url("create") + f"?person={world.ana.pk}").text

    assert 'value="@Ana Ruiz"' in html
    assert client.get(url("create") + f"?person={world.hugo.pk}").status_code == 404


def test_create_from_a_touchpoint_converts_it(client, world):
    client.force_login(world.alice)
    tp = world.ana_question

    html = client.get(url("create") + f"?touchpoint={tp.pk}").text
    response = client.post(
        url("create"),
        {
            "people": "@Ana Ruiz",
            "need": "PRISMA search strings",
            "follow_up_days": "14",
            "owner": world.alice.pk,
            "touchpoint": tp.pk,
        },
    )

    assert f'name="touchpoint" value="{tp.pk}"' in html
    assert "PRISMA search strings</textarea>" in html
    req = Request.objects.get()
    assert response["Location"] == f"/requests/{req.pk}/"
    assert list(req.touchpoints.all()) == [tp]


# The detail page and its actions


def test_detail_shows_interview_timeline_and_allowed_buttons(client, world):
    req = make_request(world.alice, [world.ana, world.hugo], need="Find funders", grant="NSF")
    client.force_login(world.alice)

    html = client.get(url("detail", req.pk)).text

    assert "Find funders" in html and "NSF" in html
    assert ">Ana Ruiz</a> and 1 other" in html  # hugo is not alice's to see
    assert "Hugo Marsh" not in html
    assert 'name="status" value="in_progress">Start work</button>' in html
    assert 'value="delivered" class="secondary">Mark delivered</button>' in html
    assert 'value="followed_up"' not in html


def test_status_buttons_move_the_request(client, world):
    req = make_request(world.alice, [world.ana])
    client.force_login(world.alice)

    response = client.post(url("status", req.pk), {"status": "delivered", "note": "Sent"})

    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "delivered"
    assert req.follow_up_on == timezone.localdate() + dt.timedelta(days=14)
    page = client.get(url("detail", req.pk)).text
    assert f"Request #{req.pk} is now delivered." in page
    assert "New → <strong>Delivered</strong>" in page
    assert "Record the follow-up" in page


def test_status_refused_is_shown_and_changes_nothing(client, world):
    req = make_request(world.alice, [world.ana], status="closed")
    client.force_login(world.alice)

    response = client.post(url("status", req.pk), {"status": "delivered"})

    assert response.status_code == 422
    assert "A closed request cannot become delivered; it can become in progress." in response.text
    assert 'name="status" value="in_progress">Reopen</button>' in response.text
    req.refresh_from_db()
    assert req.status == "closed"


def test_follow_up_form(client, world):
    req = make_request(world.alice, [world.ana], status="delivered")
    client.force_login(world.alice)

    client.post(
        url("follow_up", req.pk), {"note": "Loved it", "outcome": "Paper", "log_as": "meeting"}
    )

    req.refresh_from_db()
    assert (req.status, req.outcome) == ("followed_up", "Paper")
    assert req.touchpoints.get().kind == "meeting"


def test_deliverable_upload_and_download(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    req = make_request(world.alice, [world.ana])
    client.force_login(world.alice)

    client.post(
        url("deliverable_add", req.pk),
        {"description": "Strings", "file": SimpleUploadedFile("s.txt", b"A OR B")},
    )

    d = req.deliverables.get()
    assert d.title == "s.txt"
    download = client.get(url("deliverable_file", req.pk, d.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"A OR B"
    assert download["Content-Disposition"] == 'attachment; filename="s.txt"'
    client.force_login(world.bob)
    assert client.get(url("deliverable_file", req.pk, d.pk)).status_code == 404


def test_deliverable_bad_link(client, world):
    req = make_request(world.alice, [world.ana])
    client.force_login(world.alice)

    response = client.post(url("deliverable_add", req.pk), {"url": "not a link"})

    assert response.status_code == 422
    assert "“not a link” is not a web address (https://…)." in response.text
    assert req.deliverables.count() == 0


def test_outcome_reassign_and_attach(client, world):
    req = make_request(world.alice, [world.ana])
    client.force_login(world.alice)

    client.post(
        url("outcome", req.pk),
        {"story": "Won the grant", "story_tags": "#grant, impact", "version": "1"},
    )
    client.post(url("attach", req.pk), {"touchpoint": world.ana_question.pk})
    refused = client.post(url("attach", req.pk), {"touchpoint": world.hugo_question.pk})
    client.post(url("reassign", req.pk), {"owner": world.bob.pk})

    req.refresh_from_db()
    assert (req.story, req.story_tags, req.owner) == (
        "Won the grant",
        ["grant", "impact"],
        world.bob,
    )
    assert list(req.touchpoints.all()) == [world.ana_question]
    assert refused.status_code == 422
    assert f"There is no touchpoint {world.hugo_question.pk} that you can see." in refused.text


# Editing: the form and the outcome carry the version they were opened on


EDIT = {"people": "@Ana Ruiz", "need": "A literature search", "follow_up_days": "14"}


def _when(entry: AuditEntry) -> str:
    return f"{timezone.localtime(entry.at):%-d %b %H:%M}"


def test_edit_saves_and_counts_a_version(client, world):
    req = make_request(world.alice, [world.ana])
    client.force_login(world.alice)

    form = client.get(url("edit", req.pk)).text
    response = client.post(url("edit", req.pk), {**EDIT, "scope": "English only", "version": "1"})

    assert '<input type="hidden" name="version" value="1" id="id_version">' in form
    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.scope, req.version) == ("English only", 2)


def test_edit_opened_before_a_status_change_is_refused_with_what_changed(client, world):
    world.chem.librarians.add(world.bob)  # a colleague who serves the group too
    req = make_request(world.alice, [world.ana])
    client.force_login(world.alice)
    client.get(url("edit", req.pk))
    change_status(by=world.bob, request=req, status="in_progress")
    entry = AuditEntry.objects.get(action="status")

    response = client.post(url("edit", req.pk), {**EDIT, "scope": "English only", "version": "1"})

    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        "This request was changed by someone else since you opened the form: here is what "
        "changed; check and save again.",
        f"Bob Bibby, {_when(entry)}: Status: “New” → “In progress”.",
    ]
    assert '<input type="hidden" name="version" value="2" id="id_version">' in response.text
    req.refresh_from_db()
    assert (req.scope, req.status, req.version) == ("", "in_progress", 2)


def test_outcome_opened_before_another_save_is_refused_with_what_changed(client, world):
    world.chem.librarians.add(world.bob)  # a colleague who serves the group too
    req = make_request(world.alice, [world.ana])
    client.force_login(world.alice)
    page = client.get(url("detail", req.pk)).text
    set_outcome(by=world.bob, request=req, story="Won the grant")
    entry = AuditEntry.objects.get(action="outcome")

    response = client.post(
        url("outcome", req.pk), {"story": "Paper accepted", "story_tags": "", "version": "1"}
    )

    assert '<input type="hidden" name="version" value="1" id="id_version">' in page
    assert response.status_code == 422
    assert response.context["outcome_form"].non_field_errors() == [
        "This request was changed by someone else since you opened the form: here is what "
        "changed; check and save again.",
        f"Bob Bibby, {_when(entry)}: Impact story: empty → “Won the grant”.",
    ]
    assert "Paper accepted" in response.text
    req.refresh_from_db()
    assert (req.story, req.version) == ("Won the grant", 2)


# Stories and the person partial


def test_stories_page_with_tag_filter(client, world):
    make_request(world.alice, [world.ana], story="Grant won", story_tags=["grant"])
    make_request(world.alice, [world.ana], story="Course redesigned", story_tags=["teaching"])
    client.force_login(world.alice)

    everything = client.get(url("stories")).text
    grant = client.get(url("stories") + "?tag=grant").text

    assert "Grant won" in everything and "Course redesigned" in everything
    assert "Grant won" in grant and "Course redesigned" not in grant
    assert '<a href="?tag=teaching">#teaching</a>' in grant


def test_person_requests_partial(client, world):
    make_request(world.bob, [world.ana], need="Open one", due_on=dt.date.today())
    make_request(world.alice, [world.ana], need="Closed one", status="closed")
    client.force_login(world.alice)

    html = client.get(url("person_requests", world.ana.pk)).text

    assert "Open one" in html and "Closed one" not in html
    assert f'href="/requests/new/?person={world.ana.pk}">New request</a>' in html
