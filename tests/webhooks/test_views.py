"""Webhook pages: administrators only; the form, the secret, the log and its buttons."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rapport.audit.models import AuditEntry
from rapport.webhooks import sending, services
from rapport.webhooks.models import Delivery, Endpoint

FORM = {
    "url": "https://crm.example/rapport",
    "description": "Library CRM",
    "events": ["touchpoint.created", "request.delivered"],
    "active": "on",
}


def _pages(endpoint: Endpoint, delivery: Delivery) -> list[str]:
    return [
        reverse("webhooks:list"),
        reverse("webhooks:create"),
        reverse("webhooks:detail", args=[endpoint.pk]),
        reverse("webhooks:edit", args=[endpoint.pk]),
        reverse("webhooks:delete", args=[endpoint.pk]),
        reverse("webhooks:delivery", args=[endpoint.pk, delivery.pk]),
    ]


@pytest.mark.parametrize("who", ["alice", "bob", "mia"])
def test_webhook_pages_are_refused_to_all_but_administrators(client, world, endpoint, who):
    delivery = services.send_test_event(by=world.ada, endpoint=endpoint)
    client.force_login(getattr(world, who))

    for url in _pages(endpoint, delivery):
        response = client.get(url)
        assert response.status_code == 403, url
        assert endpoint.secret not in response.content.decode()
    for name, args in [
        ("webhooks:rotate", [endpoint.pk]),
        ("webhooks:test", [endpoint.pk]),
        ("webhooks:redeliver", [endpoint.pk, delivery.pk]),
        ("webhooks:delete", [endpoint.pk]),
    ]:
        assert client.post(reverse(name, args=args)).status_code == 403
    assert client.post(reverse("webhooks:create"), FORM).status_code == 403
    assert Endpoint.objects.count() == 1
    assert Delivery.objects.count() == 1


def test_webhook_pages_send_strangers_to_sign_in(client, world, endpoint):
    response = client.get(reverse("webhooks:detail", args=[endpoint.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/webhooks/{endpoint.pk}/"


def test_an_administrator_sees_every_page(client, world, endpoint):
    delivery = services.send_test_event(by=world.ada, endpoint=endpoint)
    client.force_login(world.ada)

    for url in _pages(endpoint, delivery):
        assert client.get(url).status_code == 200, url


def test_list_shows_each_endpoint_with_its_counts(client, world, endpoint):
    services.send_test_event(by=world.ada, endpoint=endpoint)
    client.force_login(world.ada)

    page = client.get(reverse("webhooks:list")).content.decode()

    assert f'<a href="/webhooks/{endpoint.pk}/">{endpoint.url}</a>' in page
    assert "touchpoint.created, request.delivered, person.merged" in page
    assert '<td class="count">1</td>' in page


def test_adding_an_endpoint_shows_its_secret(client, world):
    client.force_login(world.ada)

    response = client.post(reverse("webhooks:create"), FORM, follow=True)

    endpoint = Endpoint.objects.get()
    assert response.redirect_chain == [(f"/webhooks/{endpoint.pk}/", 302)]
    assert (endpoint.url, endpoint.events) == (FORM["url"], FORM["events"])
    page = response.content.decode()
    assert f'<code class="token" id="endpoint-secret">{endpoint.secret}</code>' in page
    assert (
        "Added https://crm.example/rapport. Give its signing secret (below) to the receiver."
        in page
    )


def test_a_bad_address_is_shown_on_the_form_and_nothing_saved(client, world):
    client.force_login(world.ada)

    response = client.post(reverse("webhooks:create"), {**FORM, "url": "ftp://files.example/in"})

    assert response.status_code == 422
    page = response.content.decode()
    assert (
        '<p class="field-error">“ftp://files.example/in” is not a web address (https://…).</p>'
        in page
    )
    assert Endpoint.objects.count() == 0


def test_an_endpoint_needs_an_event(client, world):
    client.force_login(world.ada)

    response = client.post(reverse("webhooks:create"), {**FORM, "events": []})

    assert response.status_code == 422
    assert '<p class="field-error">Choose at least one event.</p>' in response.content.decode()
    assert Endpoint.objects.count() == 0


def test_editing_turns_an_endpoint_off(client, world, endpoint):
    client.force_login(world.ada)
    form = {"url": endpoint.url, "description": "", "events": ["person.merged"]}

    response = client.post(reverse("webhooks:edit", args=[endpoint.pk]), form)

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.events, endpoint.description) == (
        False,
        ["person.merged"],
        "",
    )


def test_rotate_button_makes_a_new_secret(client, world, endpoint):
    client.force_login(world.ada)
    old = endpoint.secret

    response = client.post(reverse("webhooks:rotate", args=[endpoint.pk]), follow=True)

    endpoint.refresh_from_db()
    assert endpoint.secret != old
    page = response.content.decode()
    assert endpoint.secret in page and old not in page
    assert AuditEntry.objects.filter(action="rotate_secret").count() == 1


def test_send_test_event_then_the_log_shows_the_answer(client, world, endpoint, receiver):
    receiver.answers = [(500, b"no such route", 0)]
    client.force_login(world.ada)

    client.post(reverse("webhooks:test", args=[endpoint.pk]))
    delivery = Delivery.objects.get()
    sending.attempt(delivery.pk)
    page = client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()

    delivery.refresh_from_db()
    assert f'<a href="/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/">webhook.test</a>' in page
    assert '<span class="badge">Pending</span>' in page
    assert '<td class="count">1</td>' in page
    assert (
        '500 <span class="meta">Answered 500</span><br><span class="meta">no such route</span>'
        in page
    )
    assert 'hx-trigger="every 5s"' in page  # the log refreshes itself while something is pending


def test_the_log_partial_stops_polling_once_nothing_is_pending(client, world, endpoint, receiver):
    client.force_login(world.ada)
    sending.attempt(services.send_test_event(by=world.ada, endpoint=endpoint).pk)

    response = client.get(reverse("webhooks:detail", args=[endpoint.pk]), HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert page.strip().startswith('<div id="delivery-log">')
    assert "hx-trigger" not in page
    assert '<span class="badge">Delivered</span>' in page


def test_redeliver_button_queues_it_again(client, world, endpoint, receiver):
    client.force_login(world.ada)
    first = services.send_test_event(by=world.ada, endpoint=endpoint)
    sending.attempt(first.pk)

    response = client.post(reverse("webhooks:redeliver", args=[endpoint.pk, first.pk]))

    assert response.status_code == 302
    again = Delivery.objects.exclude(pk=first.pk).get()
    assert (again.event_id, again.status, again.redelivery_of) == (first.event_id, "pending", first)


def test_delivery_page_shows_the_body_sent_and_the_answer(client, world, endpoint, receiver):
    receiver.answers = [(200, b"stored <b>it</b>", 0)]
    client.force_login(world.ada)
    delivery = services.send_test_event(by=world.ada, endpoint=endpoint)
    sending.attempt(delivery.pk)

    page = client.get(
        reverse("webhooks:delivery", args=[endpoint.pk, delivery.pk])
    ).content.decode()

    assert f"<code>{delivery.delivery_id}</code>" in page
    assert "&quot;event&quot;: &quot;webhook.test&quot;" in page
    assert '<pre id="delivery-response">stored &lt;b&gt;it&lt;/b&gt;</pre>' in page


def test_a_delivery_of_another_endpoint_is_not_found(client, world, endpoint):
    other = services.create_endpoint(
        by=world.ada, url="https://b.example/", events=["person.merged"]
    )
    delivery = services.send_test_event(by=world.ada, endpoint=other)
    client.force_login(world.ada)

    response = client.get(reverse("webhooks:delivery", args=[endpoint.pk, delivery.pk]))

    assert response.status_code == 404


def test_delete_asks_then_removes(client, world, endpoint):
    client.force_login(world.ada)

    ask = client.get(reverse("webhooks:delete", args=[endpoint.pk]))
    response = client.post(reverse("webhooks:delete", args=[endpoint.pk]))

    assert "Remove this webhook?" in ask.content.decode()
    assert response["Location"] == "/webhooks/"
    assert Endpoint.objects.count() == 0


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["webhooks:detail", "webhooks:list"])
def test_pages_cost_the_same_queries_however_long_the_log(client, world, endpoint, name):
    client.force_login(world.ada)
    url = reverse(name, args=[endpoint.pk]) if name == "webhooks:detail" else reverse(name)
    services.send_test_event(by=world.ada, endpoint=endpoint)
    few = _queries(client, url)
    for _ in range(30):
        services.send_test_event(by=world.ada, endpoint=endpoint)

    assert _queries(client, url) == few
