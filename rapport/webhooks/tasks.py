"""Sending deliveries in the background for `rapport worker`; thin: an id in, a send out."""

import datetime as dt
from collections.abc import Iterable

from django_tasks import task

from rapport.webhooks import sending


@task()
def send_deliveries(delivery_ids: list[int]) -> list[str | None]:
    """One attempt at each delivery; skips those already sent, failed or not due."""
    return [sending.attempt(pk) for pk in delivery_ids]


def enqueue_sends(ids: Iterable[int], when: dt.datetime | None = None) -> None:
    """Queue one task for these deliveries (one event's, or one retry), now or not before
    `when`. Called on commit."""
    queued = send_deliveries.using(run_after=when) if when is not None else send_deliveries
    queued.enqueue(list(ids))
