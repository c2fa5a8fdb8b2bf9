"""Sending deliveries in the background for `rapport worker`; thin: an id in, a send out."""

import datetime as dt
from collections.abc import Iterable

from django_tasks import task

from rapport.webhooks import sending


@task()
def send_delivery(delivery_id: int) -> str | None:
    """One attempt at one delivery; does nothing if it is already sent, failed or not due."""
    return sending.attempt(delivery_id)


def enqueue_sends(ids: Iterable[int], when: dt.datetime | None = None) -> None:
    """Queue an attempt per delivery, now or (a retry) not before `when`. Called on commit."""
    queued = send_delivery.using(run_after=when) if when is not None else send_delivery
    for pk in ids:
        queued.enqueue(pk)
