"""A deliverable's link: only a web address is stored, and a stored one that is not (a row from
before links were checked) is shown as its title, never as a link."""

import pytest
from django.urls import reverse
from django.utils import timezone

from rapport.errors import Invalid
from rapport.requests import services
from rapport.requests.models import Deliverable
from tests.api.conftest import invalid
from tests.requests.conftest import make_request

NOT_WEB = "is not a web address (https://…)."


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (" javascript:alert(1)", f"“javascript:alert(1)” {NOT_WEB}"),
        ("JaVaScRiPt:alert(1)", f"“JaVaScRiPt:alert(1)” {NOT_WEB}"),
        ("java\tscript:alert(1)", f"“java\\tscript:alert(1)” {NOT_WEB}"),
        ("data:text/html,<b>x</b>", f"“data:text/html,<b>x</b>” {NOT_WEB}"),
        ("//evil.example/x", f"“//evil.example/x” {NOT_WEB}"),
        (
            "https://example.org/" + "a" * 981,
            "Keep the address under 1,000 characters; this one has 1,001.",
        ),
    ],
)
def test_a_deliverable_link_must_be_a_web_address(world, link, message):
    req = make_request(world.alice, [world.ana])

    with pytest.raises(Invalid) as err:
        services.add_deliverable(by=world.alice, request=req, title="Strategy", url=link)

    assert (err.value.message, err.value.fields) == (message, {"url": [message]})
    assert Deliverable.objects.count() == 0


def test_the_api_refuses_a_script_link_for_a_deliverable(call, world):
    req = make_request(world.alice, [world.ana])
    path = f"/requests/{req.pk}/deliverables"

    reply = call("POST", path, as_=world.alice, body={"url": "vbscript:msgbox(1)"})

    message = f"“vbscript:msgbox(1)” {NOT_WEB}"
    assert (reply.status, reply.body) == (422, invalid(message, path, {"url": [message]}))
    assert Deliverable.objects.count() == 0


def test_a_stored_bad_deliverable_link_is_shown_as_its_title(client, world):
    req = make_request(world.alice, [world.ana])
    Deliverable.objects.create(
        request=req,
        title="Search strategy",
        url="javascript:alert(document.cookie)",
        delivered_at=timezone.now(),
        by=world.alice,
    )
    client.force_login(world.alice)

    page = client.get(reverse("requests:detail", args=[req.pk])).content.decode()

    assert "<li>Search strategy\n" in page
    assert "alert(" not in page
