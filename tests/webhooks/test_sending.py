"""Sending to a real local receiver: signatures, retries with backoff, timeouts, refusals."""

import datetime as dt
import json
import socket

import pytest
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.webhooks import sending, services
from rapport.webhooks.events import emit
from rapport.webhooks.models import Delivery, Endpoint
from rapport.webhooks.signing import verify


def _queued(world, endpoint) -> Delivery:
    return services.send_test_event(by=world.ada, endpoint=endpoint)


def test_delivery_reaches_the_receiver_signed_with_the_endpoint_secret(world, endpoint, receiver):
    delivery = _queued(world, endpoint)

    status = sending.attempt(delivery.pk)

    assert status == "succeeded"
    [got] = receiver.received
    assert got.path == "/hook"
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    assert got.headers["User-Agent"] == "Rapport-Webhooks/1"
    assert got.headers["Rapport-Event"] == "webhook.test"
    assert got.headers["Rapport-Delivery"] == str(delivery.delivery_id)
    verify(endpoint.secret, got.headers["Rapport-Signature"], got.body)  # raises if wrong
    assert got.body == delivery.body.encode()
    document = json.loads(got.body)
    assert sorted(document) == ["created_at", "data", "event", "id"]
    assert document["event"] == "webhook.test"
    assert document["id"] == str(delivery.event_id)
    assert document["data"]["endpoint"] == {"id": endpoint.pk, "url": endpoint.url}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 200)
    assert (delivery.response_excerpt, delivery.error, delivery.next_attempt_at) == ("ok", "", None)


def test_a_500_is_retried_after_the_backoff_then_delivered(world, endpoint, receiver):
    receiver.answers = [(500, b"database down", 0), (200, b"thanks", 0)]
    delivery = _queued(world, endpoint)
    before = timezone.now()

    assert sending.attempt(delivery.pk, before) == "pending"

    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_code) == (1, 500)
    assert (delivery.response_excerpt, delivery.error) == ("database down", "Answered 500")
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 60 <= wait <= 75
    assert sending.attempt(delivery.pk, before + dt.timedelta(seconds=59)) is None  # not due
    assert len(receiver.received) == 1

    result = sending.send_due(delivery.next_attempt_at)

    assert (result.delivered, result.retrying, result.failed) == (1, 0, 0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 2, 200)
    assert (delivery.response_excerpt, delivery.error) == ("thanks", "")
    first, second = receiver.received
    assert first.headers["Rapport-Delivery"] == second.headers["Rapport-Delivery"]
    assert first.body == second.body
    verify(endpoint.secret, second.headers["Rapport-Signature"], second.body)


def test_a_receiver_slower_than_the_timeout_is_retried(world, endpoint, receiver, settings):
    settings.RAPPORT_WEBHOOK_TIMEOUT = 0.3
    receiver.answers = [(200, b"too late", 1.0)]
    delivery = _queued(world, endpoint)

    assert sending.attempt(delivery.pk) == "pending"

    delivery.refresh_from_db()
    assert delivery.response_code is None
    assert delivery.error == "The site did not answer in time (Rapport waits 0.3 seconds)."
    assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=55)


def test_a_refused_connection_is_retried(world, allow_loopback):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    endpoint = services.create_endpoint(
        by=world.ada, url=f"http://127.0.0.1:{port}/hook", events=["touchpoint.created"]
    )
    delivery = _queued(world, endpoint)

    assert sending.attempt(delivery.pk) == "pending"

    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_code) == (1, None)
    assert (
        delivery.error == "The site refused the connection; check the address, or try again later."
    )


def test_a_redirect_is_not_followed(world, endpoint, receiver):
    receiver.answers = [(302, b"moved", 0)]
    delivery = _queued(world, endpoint)

    assert sending.attempt(delivery.pk) == "pending"

    delivery.refresh_from_db()
    assert delivery.response_code == 302
    assert delivery.error == (
        "The receiver answered with a redirect (HTTP 302); webhooks are sent to the registered "
        "address only, so change the address instead."
    )
    assert "elsewhere" not in delivery.error  # the Location is not repeated
    assert len(receiver.received) == 1


def _exhaust(delivery: Delivery) -> list[str | None]:
    """Attempt it whenever it is due until it is no longer pending."""
    statuses = []
    now = timezone.now()
    while Delivery.objects.get(pk=delivery.pk).status == "pending":
        due = Delivery.objects.get(pk=delivery.pk).next_attempt_at
        now = max(now, due)
        statuses.append(sending.attempt(delivery.pk, now))
    return statuses


def test_a_delivery_is_given_up_after_the_last_attempt(world, endpoint, receiver):
    receiver.answers = [(503, b"maintenance", 0)]
    delivery = _queued(world, endpoint)

    statuses = _exhaust(delivery)

    assert statuses == ["pending"] * 5 + ["failed"]
    assert len(receiver.received) == sending.MAX_ATTEMPTS == 6
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 6, None)
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.failures_in_row) == (True, 1)


def test_backoff_grows_from_a_minute_to_twelve_hours_with_jitter():
    for attempts, base in enumerate([60, 300, 1_800, 7_200, 43_200], start=1):
        for _ in range(20):
            wait = sending.backoff(attempts).total_seconds()
            assert base <= wait <= base * 1.25


def test_an_endpoint_failing_delivery_after_delivery_is_turned_off(world, endpoint, receiver):
    Endpoint.objects.filter(pk=endpoint.pk).update(failures_in_row=4)
    receiver.answers = [(500, b"", 0)]
    delivery = _queued(world, endpoint)

    _exhaust(delivery)

    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.failures_in_row) == (False, 5)
    assert endpoint.disabled_reason == (
        f"Turned off by Rapport on {timezone.localdate():%d %b %Y}: "
        "5 deliveries in a row failed after every retry."
    )
    entry = AuditEntry.objects.get(action="disable")
    assert (entry.actor, entry.object_id) == (None, str(endpoint.pk))
    emit("touchpoint.created", {"touchpoint": {"id": 1}})
    assert Delivery.objects.filter(endpoint=endpoint).count() == 1  # nothing new for it


def test_a_success_forgets_earlier_failures(world, endpoint, receiver):
    Endpoint.objects.filter(pk=endpoint.pk).update(failures_in_row=3)

    sending.attempt(_queued(world, endpoint).pk)

    endpoint.refresh_from_db()
    assert endpoint.failures_in_row == 0


def test_a_pending_delivery_to_an_endpoint_turned_off_is_not_sent(world, endpoint, receiver):
    delivery = _queued(world, endpoint)
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False)

    assert sending.attempt(delivery.pk) is None

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 0)
    assert delivery.error == "Not sent: the endpoint is turned off. Redeliver once it is on."
    assert receiver.received == []


def test_a_send_cut_short_by_a_crash_is_retried_after_its_lease(world, endpoint, receiver):
    delivery = _queued(world, endpoint)
    now = timezone.now()
    assert sending._claim(delivery.pk, now) is not None  # claimed, then the process died

    assert sending.send_due(now + dt.timedelta(seconds=69)).delivered == 0
    result = sending.send_due(now + dt.timedelta(seconds=71))

    assert result.delivered == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert len(receiver.received) == 1


def test_a_long_answer_is_kept_as_an_excerpt(world, endpoint, receiver):
    receiver.answers = [(200, ("é" * 3_000).encode(), 0)]
    delivery = _queued(world, endpoint)

    sending.attempt(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.response_excerpt == "é" * 500


@pytest.mark.parametrize("answer", [(201, b"created", 0), (204, b"", 0)])
def test_any_2xx_delivers(world, endpoint, receiver, answer):
    receiver.answers = [answer]

    assert sending.attempt(_queued(world, endpoint).pk) == "succeeded"


def test_an_answer_that_is_not_http_is_retried(world, endpoint, receiver):
    receiver.answers = [(0, b"SSH-2.0-OpenSSH_9.6\r\n", 0)]
    delivery = _queued(world, endpoint)

    assert sending.attempt(delivery.pk) == "pending"

    delivery.refresh_from_db()
    assert delivery.response_code is None
    assert delivery.error == (
        "The site's answer could not be read (it did not answer as a web server does)."
    )


def test_an_endpoint_deleted_while_sending_leaves_nothing_behind(world, endpoint, receiver):
    delivery = _queued(world, endpoint)
    claimed = sending._claim(delivery.pk, timezone.now())
    services.delete_endpoint(by=world.ada, endpoint=endpoint)

    assert sending._record(claimed, sending.Answer(code=200), timezone.now()) == "succeeded"

    assert Delivery.objects.count() == 0
