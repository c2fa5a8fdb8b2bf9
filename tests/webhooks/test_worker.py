"""`rapport worker` sends deliveries and picks up their retries when due; `rapport send_webhooks`
is the sweep for cron. Committed for real: the worker reads the queue as in production."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rapport.webhooks import sending, services
from rapport.webhooks.models import Delivery
from rapport.webhooks.tasks import send_deliveries


def _time_passes(delivery: Delivery) -> None:
    """Move the waiting retry (its task and its delivery) to now, as if its wait were over."""
    now = timezone.now()
    waiting = DBTaskResult.objects.filter(status="READY", run_after__gt=now)
    assert waiting.count() == 1
    waiting.update(run_after=now)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now)


@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_a_failed_delivery_when_its_wait_is_over(world, receiver):
    receiver.answers = [(500, b"busy", 0), (200, b"ok", 0)]
    endpoint = services.create_endpoint(by=world.ada, url=receiver.url, events=["person.merged"])
    delivery = services.send_test_event(by=world.ada, endpoint=endpoint)

    call_command("worker", "--batch", verbosity=0)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == delivery.next_attempt_at
    assert retry.args_kwargs == {"args": [[delivery.pk]], "kwargs": {}}
    call_command("worker", "--batch", verbosity=0)  # not due yet: nothing is sent
    assert len(receiver.received) == 1

    _time_passes(delivery)
    call_command("worker", "--batch", verbosity=0)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 2, 200)
    assert len(receiver.received) == 2


@pytest.mark.django_db(transaction=True)
def test_a_task_run_twice_sends_once(world, receiver):
    endpoint = services.create_endpoint(by=world.ada, url=receiver.url, events=["person.merged"])
    delivery = services.send_test_event(by=world.ada, endpoint=endpoint)
    send_deliveries.enqueue([delivery.pk])  # a second task for the same delivery
    call_command("worker", "--batch", verbosity=0)

    assert len(receiver.received) == 1
    assert Delivery.objects.get().attempts == 1


def test_send_webhooks_sends_what_is_due_and_says_so(world, endpoint, receiver, capsys):
    receiver.answers = [(200, b"ok", 0), (500, b"", 0)]
    services.send_test_event(by=world.ada, endpoint=endpoint)
    services.send_test_event(by=world.ada, endpoint=endpoint)
    later = services.send_test_event(by=world.ada, endpoint=endpoint)
    Delivery.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + dt.timedelta(minutes=5)
    )

    call_command("send_webhooks")

    assert capsys.readouterr().out == (
        "Delivered 1; will retry 1; failed for good 0. "
        "Forgot 0 finished deliveries older than 30 days.\n"
    )
    assert len(receiver.received) == 2
    assert Delivery.objects.get(pk=later.pk).attempts == 0


def test_send_webhooks_forgets_finished_deliveries_after_30_days(world, endpoint, capsys):
    now = timezone.now()
    rows = [services.send_test_event(by=world.ada, endpoint=endpoint) for _ in range(4)]
    ages = {rows[0].pk: 31, rows[1].pk: 31, rows[2].pk: 29, rows[3].pk: 31}
    statuses = {rows[0].pk: "succeeded", rows[1].pk: "failed", rows[2].pk: "succeeded"}
    for pk, days in ages.items():
        Delivery.objects.filter(pk=pk).update(
            created_at=now - dt.timedelta(days=days),
            status=statuses.get(pk, "pending"),
            next_attempt_at=now + dt.timedelta(hours=1) if pk == rows[3].pk else None,
        )

    call_command("send_webhooks")

    assert capsys.readouterr().out.endswith("Forgot 2 finished deliveries older than 30 days.\n")
    assert sorted(Delivery.objects.values_list("pk", flat=True)) == [rows[2].pk, rows[3].pk]


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_a_delivery_once(world, receiver):
    receiver.answers = [(200, b"ok", 0.5)]
    endpoint = services.create_endpoint(by=world.ada, url=receiver.url, events=["person.merged"])
    delivery = services.send_test_event(by=world.ada, endpoint=endpoint)
    results: list[str | None] = []
    refused: list[str] = []
    start = threading.Barrier(2)

    def send() -> None:
        start.wait()
        try:
            results.append(sending.attempt(delivery.pk))
        except OperationalError as err:
            refused.append(str(err))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(receiver.received) == 1
    assert list(Delivery.objects.values_list("status", "attempts")) == [("succeeded", 1)]
    if connection.vendor == "postgresql":
        # The second skips the row the first has locked, or finds it no longer due.
        assert sorted(results, key=str) == [None, "succeeded"]
    else:
        # The test database is SQLite in memory with a shared cache, where a second writer is
        # refused at once instead of waiting out the busy timeout as it does on a real file.
        assert "succeeded" in results
        assert len(results) + len(refused) == 2
