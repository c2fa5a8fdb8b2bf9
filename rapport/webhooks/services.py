"""Writes to webhooks, for administrators only: endpoints, their secrets, redeliveries, tests.

Each runs in one transaction and records an audit entry; the secret itself is never audited.
"""

import uuid
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from rapport import crypto, outbound
from rapport.accounts.models import User
from rapport.accounts.roles import require_admin
from rapport.audit.services import diff, record, snapshot
from rapport.errors import Invalid
from rapport.webhooks.events import EVENTS, TEST_EVENT, body, queue_deliveries
from rapport.webhooks.models import Delivery, Endpoint, new_secret
from rapport.weblinks import clean_web_address

AUDITED = ["url", "description", "events", "active"]
MAX_URL = 500
MAX_DESCRIPTION = 200


def clean_url(url: str) -> str:
    """An http(s) address with a server name (rapport/weblinks.py, the check every stored
    address passes), under MAX_URL characters, with no password in it; else Invalid."""
    url = clean_web_address(url, field="url", label="address", required=True, max_length=MAX_URL)
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise Invalid(
            "Put no user name or password in the address: Rapport signs every delivery, and "
            "the receiver should check that signature instead.",
            {"url": ["Remove the user name and password."]},
        )
    return url


def check_reachable(url: str) -> str:
    """Refuse an address Rapport would not send to: an IP address (in any form) or localhost
    name on a private network, unless RAPPORT_OUTBOUND_ALLOW lets it. Names are not looked up
    here; every delivery checks what they point at when it connects."""
    try:
        outbound.check_destination(url)
    except outbound.FetchError:
        raise Invalid(
            "That address is on a private network, which Rapport does not send webhooks to. "
            "Whoever runs the server can allow it with the RAPPORT_OUTBOUND_ALLOW setting.",
            {"url": ["A private address."]},
        ) from None
    return url


def clean_events(events: Any) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise Invalid(
            "Choose at least one event to send to this endpoint.", {"events": ["Required."]}
        )
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise Invalid(
            f"Unknown event(s): {', '.join(map(str, unknown))}; choose from {', '.join(EVENTS)}.",
            {"events": ["Unknown event."]},
        )
    return [e for e in EVENTS if e in events]  # the documented order, each once


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(
            f"Keep the description under {MAX_DESCRIPTION} characters.",
            {"description": ["Too long."]},
        )
    return description


@transaction.atomic
def create_endpoint(
    *, by: User, url: str, events: list[str], description: str = "", active: bool = True
) -> Endpoint:
    """Register an address for these events, with a new signing secret."""
    require_admin(by, to="manage webhooks")
    endpoint = Endpoint.objects.create(
        url=check_reachable(clean_url(url)),
        events=clean_events(events),
        description=_clean_description(description),
        active=active,
        created_by=by,
    )
    record(
        actor=by,
        action="create",
        obj=endpoint,
        summary=endpoint.url,
        changes=snapshot(endpoint, AUDITED),
    )
    return endpoint


@transaction.atomic
def update_endpoint(
    *, by: User, endpoint: Endpoint, url: str, events: list[str], description: str, active: bool
) -> Endpoint:
    """Change the address, events, description or the on/off switch. Turning an endpoint
    back on forgets its failures."""
    require_admin(by, to="manage webhooks")
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    before = snapshot(endpoint, AUDITED)
    endpoint.url = check_reachable(clean_url(url))
    endpoint.events = clean_events(events)
    endpoint.description = _clean_description(description)
    if active and not endpoint.active:
        endpoint.failures_in_row = 0
        endpoint.disabled_reason = ""
    endpoint.active = active
    endpoint.save()
    changes = diff(before, snapshot(endpoint, AUDITED))
    if changes:
        record(actor=by, action="update", obj=endpoint, summary=endpoint.url, changes=changes)
    return endpoint


@transaction.atomic
def delete_endpoint(*, by: User, endpoint: Endpoint) -> None:
    """Remove an endpoint and its delivery log; nothing more is sent to it."""
    require_admin(by, to="manage webhooks")
    record(
        actor=by,
        action="delete",
        obj=endpoint,
        summary=endpoint.url,
        changes={**snapshot(endpoint, AUDITED), "deliveries": endpoint.deliveries.count()},
    )
    endpoint.delete()


@transaction.atomic
def rotate_secret(*, by: User, endpoint: Endpoint) -> Endpoint:
    """Give the endpoint a new signing secret; the old one stops working at once."""
    require_admin(by, to="manage webhooks")
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    before = endpoint.secret_rotated_at
    endpoint.secret = new_secret()
    endpoint.secret_rotated_at = timezone.now()
    endpoint.save(update_fields=["secret_encrypted", "secret_rotated_at", "updated_at"])
    record(
        actor=by,
        action="rotate_secret",
        obj=endpoint,
        summary=endpoint.url,
        changes={
            "secret_rotated_at": [
                before.isoformat() if before else None,
                endpoint.secret_rotated_at.isoformat(),
            ]
        },
    )
    return endpoint


@transaction.atomic
def reencrypt_secrets() -> int:
    """Encrypt every stored signing secret again with the current (first) encryption key, so
    an old key can be dropped from RAPPORT_ENCRYPTION_KEY; returns how many. The secrets
    themselves do not change: receivers notice nothing. An operator's command, so no `by`.
    Raises `crypto.SecretUnreadable`, changing nothing, if any secret cannot be read."""
    endpoints = list(Endpoint.objects.select_for_update().order_by("pk"))
    for endpoint in endpoints:
        endpoint.secret_encrypted = crypto.reencrypt(endpoint.secret_encrypted)
    Endpoint.objects.bulk_update(endpoints, ["secret_encrypted"])
    for endpoint in endpoints:
        record(
            actor=None,
            action="reencrypt_secret",
            obj=endpoint,
            summary=f"{endpoint.url}: secret encrypted with the current key",
        )
    return len(endpoints)


def _require_active(endpoint: Endpoint) -> None:
    if not endpoint.active:
        raise Invalid(
            "This endpoint is turned off; turn it on (Edit) before sending to it.",
            {"active": ["Turned off."]},
        )


@transaction.atomic
def redeliver(*, by: User, delivery: Delivery) -> Delivery:
    """Send a delivery again, as a new delivery with the same event and body (the event id is
    the same, the Rapport-Delivery id is new), whatever became of the first."""
    require_admin(by, to="manage webhooks")
    _require_active(delivery.endpoint)
    [again] = queue_deliveries(
        [delivery.endpoint],
        delivery.event,
        delivery.body,
        now=timezone.now(),
        redelivery_of=delivery,
    )
    record(
        actor=by,
        action="redeliver",
        obj=delivery.endpoint,
        summary=f"{delivery.event} {delivery.event_id}",
        changes={"delivery": [delivery.pk, again.pk]},
    )
    return again


@transaction.atomic
def send_test_event(*, by: User, endpoint: Endpoint) -> Delivery:
    """Queue a "webhook.test" delivery to this endpoint alone, to check it receives and
    verifies what Rapport sends."""
    require_admin(by, to="manage webhooks")
    _require_active(endpoint)
    now = timezone.now()
    data = {
        "message": "A test from Rapport. If your receiver verified this signature, it works.",
        "endpoint": {"id": endpoint.pk, "url": endpoint.url},
        "sent_by": by.username,
    }
    [delivery] = queue_deliveries(
        [endpoint], TEST_EVENT, body(TEST_EVENT, uuid.uuid4(), now, data), now=now
    )
    record(actor=by, action="test", obj=endpoint, summary=endpoint.url)
    return delivery
