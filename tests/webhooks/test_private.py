"""Webhooks are never sent to the server's own or a private network unless whoever runs the
server allows it: refused when the endpoint is saved (for addresses that can only be private)
and checked again at every delivery (for names, and for a setting changed since)."""

import socket

import pytest
from django.urls import reverse

from rapport.audit.models import AuditEntry
from rapport.errors import Invalid
from rapport.webhooks import sending, services
from rapport.webhooks.models import Delivery, Endpoint

SAVE_REFUSED = (
    "That address is on a private network, which Rapport does not send webhooks to. Whoever "
    "runs the server can allow it with the RAPPORT_OUTBOUND_ALLOW setting."
)
SEND_REFUSED = "That address is on a private network, which Rapport does not fetch from."

PRIVATE_URLS = [
    "http://127.0.0.1:9000/hook",
    "http://[::1]/hook",
    "http://10.0.0.5/hook",
    "http://192.168.0.10:8080/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
    "http://localhost:8000/hook",
    "http://api.localhost/hook",
    "http://2130706433/hook",
    "http://0x7f.1/hook",
    "https://[fe80::1]/hook",
]


def _create(world, url: str) -> Endpoint:
    return services.create_endpoint(by=world.ada, url=url, events=["touchpoint.created"])


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_an_endpoint_on_a_private_address_is_refused_and_nothing_saved(world, url):
    with pytest.raises(Invalid) as err:
        _create(world, url)

    assert err.value.message == SAVE_REFUSED
    assert err.value.fields == {"url": ["A private address."]}
    assert Endpoint.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_moving_an_endpoint_to_a_private_address_is_refused_and_nothing_changed(world):
    endpoint = _create(world, "https://crm.example/hook")

    with pytest.raises(Invalid) as err:
        services.update_endpoint(
            by=world.ada,
            endpoint=endpoint,
            url="http://169.254.169.254/latest/meta-data/",
            events=["touchpoint.created"],
            description="",
            active=True,
        )

    assert err.value.message == SAVE_REFUSED
    endpoint.refresh_from_db()
    assert endpoint.url == "https://crm.example/hook"
    assert AuditEntry.objects.filter(action="update").count() == 0


@pytest.mark.parametrize(
    ("allow", "url"),
    [
        (["10.0.0.0/8"], "http://10.0.0.5/hook"),
        (["hooks.campus.example"], "http://hooks.campus.example/hook"),
        (["127.0.0.1"], "http://localhost:8000/hook"),
        (["fd00::/8"], "http://[fd12::7]/hook"),
    ],
)
def test_an_allowed_private_address_is_saved(world, settings, allow, url):
    settings.RAPPORT_OUTBOUND_ALLOW = allow

    assert _create(world, url).url == url


def test_a_name_is_saved_without_looking_it_up(world, monkeypatch):
    def no_dns(*args, **kwargs):
        raise AssertionError("saving an endpoint must not wait on DNS")

    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, *a, **kw: real(host, *a, **kw) if kw.get("flags") else no_dns(),
    )

    assert _create(world, "https://crm.example/hook").url == "https://crm.example/hook"


def test_the_form_shows_why_a_private_address_is_refused(client, world):
    client.force_login(world.ada)

    response = client.post(
        reverse("webhooks:create"),
        {"url": "http://169.254.169.254/", "description": "", "events": ["person.merged"]},
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert '<p class="field-error">A private address.</p>' in page
    assert "which Rapport does not send webhooks to" in page
    assert Endpoint.objects.count() == 0


def test_a_delivery_is_checked_again_when_it_is_sent(world, endpoint, receiver, settings):
    # Saved while the receiver's network was allowed; the setting has changed since.
    settings.RAPPORT_OUTBOUND_ALLOW = []
    delivery = services.send_test_event(by=world.ada, endpoint=endpoint)

    assert sending.attempt(delivery.pk) == "pending"

    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_code) == (1, None)
    assert delivery.error == SEND_REFUSED
    assert receiver.received == []


def test_a_name_that_resolves_to_a_private_address_is_refused_when_sent(
    world, receiver, settings, monkeypatch
):
    port = receiver.url.split(":")[2].split("/")[0]
    endpoint = _create(world, f"http://hooks.example:{port}/hook")  # a name: saved
    settings.RAPPORT_OUTBOUND_ALLOW = []
    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):
        return real("127.0.0.1" if host == "hooks.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    delivery = services.send_test_event(by=world.ada, endpoint=endpoint)

    assert sending.attempt(delivery.pk) == "pending"

    delivery.refresh_from_db()
    assert delivery.error == SEND_REFUSED
    assert receiver.received == []


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_timeout(
    world, endpoint, receiver, settings
):
    settings.RAPPORT_WEBHOOK_TIMEOUT = 0.5
    receiver.answers = [(200, b"x" * 60, 0)]
    receiver.trickle = 0.05  # every byte in time for one read, 3 seconds in all

    delivery = services.send_test_event(by=world.ada, endpoint=endpoint)

    assert sending.attempt(delivery.pk) == "pending"

    delivery = Delivery.objects.get(pk=delivery.pk)
    assert (delivery.response_code, delivery.response_excerpt) == (None, "")
    assert delivery.error == "The site did not answer in time (Rapport waits 0.5 seconds)."
