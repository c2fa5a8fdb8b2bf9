"""The one way the rest of Rapport announces an event to webhooks.

Services call `emit(event, payload)` inside their transaction: it stores one `Delivery` per
active endpoint subscribed to the event, in that same transaction, and queues the sending for
when (and only if) it commits. A rollback leaves no delivery and sends nothing.
Event names: "touchpoint.created", "request.delivered", "person.merged".

Bulk work (imports, restores) runs inside `muted()`: one webhook per imported row would flood
the receivers, and the rows are not news.
"""

import contextlib
import contextvars
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from rapport.webhooks.models import Delivery, Endpoint
from rapport.webhooks.tasks import enqueue_sends

EVENTS = ("touchpoint.created", "request.delivered", "person.merged")
#: Sent only by "Send test event", to one endpoint, whatever it subscribes to.
TEST_EVENT = "webhook.test"

_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("webhooks_muted", default=False)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """Emit nothing inside this block (bulk imports announce no row one by one)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def emit(event: str, payload: dict[str, Any] | Callable[[], dict[str, Any]]) -> None:
    """Queue a signed delivery of `payload` to every active endpoint subscribed to `event`.
    `payload` may be a function making it: then it is only built (and whatever it reads, only
    read) when some endpoint wants the event, so a write with no webhook pays one query."""
    emit_each(event, [payload])


def emit_each(
    event: str, payloads: Iterable[dict[str, Any] | Callable[[], dict[str, Any]]]
) -> None:
    """`emit` for each of many payloads (one event each), finding the endpoints once: a
    service writing thousands of rows pays one query when no webhook wants them."""
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}")
    if _muted.get():
        return
    endpoints = [e for e in Endpoint.objects.filter(active=True) if event in e.events]
    if not endpoints:
        return
    for payload in payloads:
        now = timezone.now()
        data = payload() if callable(payload) else payload
        queue_deliveries(endpoints, event, body(event, uuid.uuid4(), now, data), now=now)


def body(event: str, event_id: uuid.UUID, created_at: dt.datetime, data: dict[str, Any]) -> str:
    """The JSON every receiver gets: event, id, created_at and the event's data."""
    document = {
        "id": str(event_id),
        "event": event,
        "created_at": created_at,
        "data": data,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False)


def queue_deliveries(
    endpoints: Iterable[Endpoint],
    event: str,
    body: str,
    *,
    now: dt.datetime,
    redelivery_of: Delivery | None = None,
) -> list[Delivery]:
    """Store a pending delivery per endpoint now; hand them to the worker once committed."""
    event_id = uuid.UUID(json.loads(body)["id"])
    rows = Delivery.objects.bulk_create(
        [
            Delivery(
                endpoint=endpoint,
                event=event,
                event_id=event_id,
                body=body,
                next_attempt_at=now,
                created_at=now,
                redelivery_of=redelivery_of,
            )
            for endpoint in endpoints
        ]
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: enqueue_sends(ids))
    return rows
