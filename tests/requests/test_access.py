"""Every request page and action for every role: in scope, out of scope, manager, admin."""

import pytest
from django.urls import reverse

from rapport.requests.models import Request
from tests.requests.conftest import make_request

# alice owns the request (for ana, in Chemistry Lab); bob serves History only.
PAGES = [
    ("detail", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("edit", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
]
ACTIONS = [
    ("status", {"status": "in_progress"}),
    ("follow_up", {"note": "x"}),
    ("deliverable_add", {"title": "Slides"}),
    ("outcome", {"story": "x"}),
    ("reassign", {"owner": "1"}),
    ("attach", {"touchpoint": "1"}),
]


@pytest.fixture
def req(world) -> Request:
    return make_request(world.alice, [world.ana], group=world.chem, need="Alice's request")


@pytest.mark.parametrize(
    ("name", "role", "status"),
    [(name, role, status) for name, statuses in PAGES for role, status in statuses.items()],
)
def test_request_page_status_for_each_role(client, world, req, name, role, status):
    client.force_login(getattr(world, role))

    response = client.get(reverse(f"requests:{name}", args=[req.pk]))

    assert response.status_code == status
    if status != 200:
        assert "Alice&#x27;s request" not in response.text


@pytest.mark.parametrize(("name", "data"), ACTIONS)
@pytest.mark.parametrize(("role", "status"), [("bob", 404), ("mia", 403)])
def test_request_actions_refused_out_of_scope_and_for_managers(
    client, world, req, name, data, role, status
):
    client.force_login(getattr(world, role))

    response = client.post(reverse(f"requests:{name}", args=[req.pk]), data)

    assert response.status_code == status
    req.refresh_from_db()
    assert (req.status, req.owner, req.story, req.deliverables.count()) == (
        "new",
        world.alice,
        "",
        0,
    )


def test_request_manager_refusal_explains(client, world, req):
    client.force_login(world.mia)

    response = client.get(reverse("requests:list"))

    assert response.status_code == 403
    assert "Managers see aggregate figures only, not individual requests." in response.text


def test_request_admin_acts_on_any_request(client, world, req):
    client.force_login(world.ada)

    response = client.post(reverse("requests:status", args=[req.pk]), {"status": "declined"})

    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "declined"


def test_request_nav_link_only_for_those_who_see_detail(client, world):
    client.force_login(world.alice)
    assert '<a href="/requests/">Requests</a>' in client.get(reverse("home")).text
    client.force_login(world.mia)
    assert 'href="/requests/"' not in client.get(reverse("home")).text


def test_request_pages_anonymous_go_to_login(client, world, req):
    for name in ("detail", "edit"):
        response = client.get(reverse(f"requests:{name}", args=[req.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=/requests/")
