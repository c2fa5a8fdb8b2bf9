"""/api/v1/requests: each role against each route, writes, transitions and problems."""

import datetime as dt

import pytest
from django.utils import timezone

from rapport.requests.models import Request
from tests.api.conftest import PROBLEM, forbidden, invalid, not_found
from tests.requests.conftest import make_request

MANAGERS = "Managers see aggregate figures only, not individual requests."


@pytest.fixture
def req(world):
    return make_request(world.alice, [world.ana, world.carla], group=world.chem, need="Find data")


def test_read_request_json(call, world, req):
    reply = call("GET", f"/requests/{req.pk}", as_=world.alice)

    assert reply.status == 200
    body = reply.body
    assert (body["id"], body["title"], body["need"], body["status"]) == (
        req.pk,
        "Find data",
        "Find data",
        "new",
    )
    assert body["people"] == [{"id": world.ana.pk, "full_name": "Ana Ruiz"}]
    assert body["hidden_people"] == 1
    assert body["group"] == {"id": world.chem.pk, "name": "Chemistry Lab"}
    assert body["owner"] == {
        "id": world.alice.pk,
        "username": "alice",
        "display_name": "Alice Liddell",
    }
    assert (body["follow_up_days"], body["follow_up_on"], body["deliverables"]) == (14, None, [])
    assert [(h["from_status"], h["to_status"]) for h in body["history"]] == [("", "new")]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/requests", None),
        ("POST", "/requests", {"people": [1], "need": "x"}),
        ("GET", "/requests/{pk}", None),
        ("PATCH", "/requests/{pk}", {"need": "y"}),
        ("POST", "/requests/{pk}/status", {"status": "closed"}),
        ("POST", "/requests/{pk}/deliverables", {"title": "x"}),
    ],
)
def test_manager_gets_403_everywhere(call, world, req, method, path, body):
    path = path.format(pk=req.pk)

    reply = call(method, path, as_=world.mia, body=body)

    assert (reply.status, reply.content_type) == (403, PROBLEM)
    assert reply.body["detail"] in (
        MANAGERS,
        "Managers see aggregate figures only and cannot change requests.",
    )
    req.refresh_from_db()
    assert (req.need, req.status, req.deliverables.count()) == ("Find data", "new", 0)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/requests/{pk}", None),
        ("PATCH", "/requests/{pk}", {"need": "y"}),
        ("POST", "/requests/{pk}/status", {"status": "closed"}),
        ("POST", "/requests/{pk}/deliverables", {"title": "x"}),
    ],
)
def test_out_of_scope_librarian_gets_404(call, world, req, method, path, body):
    path = path.format(pk=req.pk)

    reply = call(method, path, as_=world.bob, body=body)

    assert reply.body == not_found(f"There is no request {req.pk} that you can see.", path)
    req.refresh_from_db()
    assert (req.need, req.status) == ("Find data", "new")


def test_list_filters_and_scope(call, world, req):
    make_request(world.alice, [world.ana], need="Closed", status="closed")
    make_request(world.bob, [world.hugo], need="Bob's")

    alice = call("GET", "/requests", as_=world.alice)
    bob_open = call("GET", "/requests", as_=world.bob, params={"status": "open"})
    admin_closed = call("GET", "/requests", as_=world.ada, params={"status": "closed"})
    by_person = call("GET", "/requests", as_=world.alice, params={"person": world.ana.pk})
    hidden_person = call("GET", "/requests", as_=world.alice, params={"person": world.hugo.pk})

    assert (alice.body["count"], [r["need"] for r in alice.body["items"]]) == (
        2,
        ["Closed", "Find data"],  # no due dates: the newest first
    )
    assert [r["need"] for r in bob_open.body["items"]] == ["Bob's"]
    assert [r["need"] for r in admin_closed.body["items"]] == ["Closed"]
    assert by_person.body["count"] == 2
    assert hidden_person.status == 422
    assert hidden_person.body["errors"] == {
        "person": [f"There is no person {world.hugo.pk} that you can see."]
    }


def test_list_unknown_status(call, world):
    reply = call("GET", "/requests", as_=world.alice, params={"status": "bogus"})

    assert reply.status == 422
    assert list(reply.body["errors"]) == ["status"]


def test_create_with_token(call, world, token):
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()

    reply = call(
        "POST",
        "/requests",
        token=token,
        body={
            "people": [world.ana.pk],
            "need": "Help with a DMP",
            "due_on": due,
            "follow_up_days": 7,
        },
    )

    assert reply.status == 201
    req = Request.objects.get(pk=reply.body["id"])
    assert (req.owner, req.due_on.isoformat(), req.follow_up_days) == (world.alice, due, 7)
    assert reply.body["due_on"] == due


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"need": "x"}, {"people": ["Name at least one person."]}),
        ({"need": "x", "people": [1], "follow_up_days": 0}, None),
        ({"need": "x", "people": [1], "due_on": "1990-01-01"}, None),
        ({"need": "x", "people": [1], "owner": 3}, None),
        ({"need": "x", "people": [1], "status": "closed"}, None),
    ],
    ids=["no-people", "follow-up-0", "far-past", "manager-owner", "unknown-field"],
)
def test_create_bad_input(call, world, body, errors):
    body = {**body}
    if "people" in body:
        body["people"] = [world.ana.pk]
    if "owner" in body:
        body["owner"] = world.mia.pk

    reply = call("POST", "/requests", as_=world.alice, body=body)

    assert (reply.status, reply.content_type) == (422, PROBLEM)
    if errors:
        assert reply.body == invalid(
            "A request needs at least one person who asked.", "/requests", errors
        )
    assert Request.objects.count() == 0


def test_create_from_touchpoint(call, world):
    reply = call(
        "POST", "/requests", as_=world.alice, body={"need": "", "touchpoint": world.ana_question.pk}
    )

    # An explicit empty need overrides the touchpoint's question, and is refused.
    assert reply.status == 422
    reply = call(
        "POST",
        "/requests",
        as_=world.alice,
        body={"need": "PRISMA", "touchpoint": world.ana_question.pk},
    )
    assert reply.status == 201
    assert [p["full_name"] for p in reply.body["people"]] == ["Ana Ruiz"]
    req = Request.objects.get(pk=reply.body["id"])
    assert list(req.touchpoints.all()) == [world.ana_question]


def test_patch_changes_fields_and_reassigns(call, world, req):
    reply = call(
        "PATCH",
        f"/requests/{req.pk}",
        as_=world.alice,
        body={"course": "CHEM 1", "owner": world.bob.pk},
    )

    assert reply.status == 200
    assert (reply.body["course"], reply.body["owner"]["username"]) == ("CHEM 1", "bob")


def test_status_transitions_and_refusal(call, world, req):
    path = f"/requests/{req.pk}/status"

    delivered = call("POST", path, as_=world.alice, body={"status": "delivered", "note": "Sent"})
    refused = call("POST", path, as_=world.alice, body={"status": "new"})
    followed = call(
        "POST", path, as_=world.alice, body={"status": "followed_up", "outcome": "Used"}
    )
    unknown = call("POST", path, as_=world.alice, body={"status": "bogus"})

    assert delivered.status == 200
    assert (
        delivered.body["follow_up_on"] == (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    )
    assert refused.body == invalid(
        "A delivered request cannot become new; it can become followed up, closed or declined.",
        path,
        {"status": ["Not allowed from the current status."]},
    )
    assert (followed.body["status"], followed.body["outcome"]) == ("followed_up", "Used")
    assert unknown.status == 422
    assert [h["to_status"] for h in followed.body["history"]] == ["new", "delivered", "followed_up"]


def test_add_deliverable(call, world, req):
    path = f"/requests/{req.pk}/deliverables"

    reply = call("POST", path, as_=world.alice, body={"url": "https://example.org/x"})
    bad = call("POST", path, as_=world.alice, body={"url": "ftp://x"})

    assert reply.status == 201
    assert [(d["title"], d["url"], d["file_name"]) for d in reply.body["deliverables"]] == [
        ("https://example.org/x", "https://example.org/x", "")
    ]
    assert bad.body == invalid(
        "“ftp://x” is not a web address (https://…).",
        path,
        {"url": ["“ftp://x” is not a web address (https://…)."]},
    )


def test_anonymous_gets_401(call, world, req):
    assert call("GET", "/requests").status == 401


def test_forbidden_helper_shape(call, world):
    reply = call("GET", "/requests", as_=world.mia)

    assert reply.body == forbidden(MANAGERS, "/requests")


def test_an_old_deliverable_with_a_script_address_goes_out_with_none(call, world, token):
    from rapport.requests.models import Deliverable

    req = make_request(world.alice, [world.ana])
    Deliverable.objects.create(
        request=req,
        title="Old link",
        url="javascript:alert(1)",
        delivered_at=req.status_changed_at,
        by=world.alice,
    )

    reply = call("GET", f"/requests/{req.pk}", token=token)

    assert reply.status == 200
    assert [(d["title"], d["url"]) for d in reply.body["deliverables"]] == [("Old link", "")]
