"""The one way the rest of Rapport announces an event to webhooks.

Services call `emit(event, payload)` inside their transaction; deliveries are queued when (and
only if) it commits. Event names: "touchpoint.created", "request.delivered", "person.merged".
"""

from typing import Any

EVENTS = ("touchpoint.created", "request.delivered", "person.merged")


def emit(event: str, payload: dict[str, Any]) -> None:
    """Queue a signed delivery of `payload` to every active endpoint subscribed to `event`."""
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}")
    # Deliveries are wired in by the webhooks service (rapport/webhooks/services.py).
