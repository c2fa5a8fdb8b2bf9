"""Sending deliveries: sign, POST, record the answer, and schedule the retry.

One attempt has three steps, so no database lock is held while a receiver takes its time:
1. claim: in a short transaction, check the delivery is still pending and due, count the
   attempt, and push its next attempt a lease ahead (a crash mid-send leaves it to be retried
   once the lease runs out, never lost);
2. send: POST the stored body, signed with a fresh timestamp, with a short timeout, through
   `rapport.outbound` (which refuses private addresses unless allowed, at every attempt);
3. record: a 2xx answer delivers it; anything else (another status, a redirect, a timeout, a
   refused connection, a refused address) schedules the next attempt after the backoff, or
   after the last attempt marks it failed. An endpoint whose deliveries fail `DISABLE_AFTER`
   times in a row, with no success between, is turned off.

Receivers may get a delivery twice (a send whose answer was lost is sent again); the
Rapport-Delivery header lets them notice.
"""

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rapport import crypto, outbound
from rapport.audit.services import record
from rapport.webhooks.models import Delivery, Endpoint
from rapport.webhooks.signing import HEADER, signature_header

#: Seconds to wait after each failed attempt: 1 min, 5 min, 30 min, 2 h, 12 h; then give up.
BACKOFF = (60, 300, 1_800, 7_200, 43_200)
MAX_ATTEMPTS = len(BACKOFF) + 1
#: Each wait is lengthened by up to this share, so endpoints that failed together do not all
#: come back at the same second.
JITTER = 0.25
#: Deliveries given up one after another before the endpoint is turned off.
DISABLE_AFTER = 5
EXCERPT = 500
#: Finished deliveries (delivered or failed) are kept in the log this many days.
KEEP_DAYS = 30
USER_AGENT = "Rapport-Webhooks/1"


def timeout() -> float:
    return float(getattr(settings, "RAPPORT_WEBHOOK_TIMEOUT", 10))


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next attempt, after `attempts` failed ones (1-based), with jitter."""
    base = BACKOFF[min(attempts, len(BACKOFF)) - 1]
    return dt.timedelta(seconds=base * (1 + random.random() * JITTER))


@dataclass
class Answer:
    """What the receiver said, or why it said nothing."""

    code: int | None = None
    excerpt: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


@dataclass
class Sent:
    """What one sweep did, in counts."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def _excerpt(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").strip()[:EXCERPT]


def post(url: str, body: bytes, headers: dict[str, str], wait: float) -> Answer:
    """POST the body through rapport.outbound, which checks the address again now (names can
    change what they point at since the endpoint was saved) and follows no redirect: the
    signed body goes to the registered address only. Every failure becomes an Answer whose
    error is one of outbound's fixed messages."""
    try:
        response = outbound.post(url, body, headers=headers, timeout=wait, keep=4096)
    except outbound.FetchError as exc:
        return Answer(error=str(exc))
    error = ""
    if 300 <= response.status < 400:
        error = (
            f"The receiver answered with a redirect (HTTP {response.status}); webhooks are "
            "sent to the registered address only, so change the address instead."
        )
    return Answer(code=response.status, excerpt=_excerpt(response.body), error=error)


def headers_for(delivery: Delivery, secret: str, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Rapport-Event": delivery.event,
        "Rapport-Delivery": str(delivery.delivery_id),
        HEADER: signature_header(secret, int(time.time()), body),
    }


def _claim(pk: int, now: dt.datetime) -> Delivery | None:
    """Take a due pending delivery for one attempt, or None (not due, done, or taken)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=pk, status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        if not delivery.endpoint.active:
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
            delivery.error = "Not sent: the endpoint is turned off. Redeliver once it is on."
            delivery.save(update_fields=["status", "next_attempt_at", "error"])
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        # The lease: if this process dies while sending, the delivery is due again after it.
        delivery.next_attempt_at = now + dt.timedelta(seconds=timeout() + 60)
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    return delivery


def _record(delivery: Delivery, answer: Answer, now: dt.datetime) -> str:
    """Keep what happened; returns the delivery's status afterwards."""
    delivery.response_code = answer.code
    delivery.response_excerpt = answer.excerpt
    delivery.error = answer.error or ("" if answer.ok else f"Answered {answer.code}")
    with transaction.atomic():
        endpoints = Endpoint.objects.filter(pk=delivery.endpoint_id)
        if answer.ok:
            delivery.status = Delivery.Status.SUCCEEDED
            delivery.next_attempt_at = None
            endpoints.exclude(failures_in_row=0).update(failures_in_row=0)
        elif delivery.attempts < MAX_ATTEMPTS:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            when, pk = delivery.next_attempt_at, delivery.pk
            transaction.on_commit(lambda: enqueue_send(pk, when))
        else:
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
            endpoints.update(failures_in_row=F("failures_in_row") + 1)
            _maybe_disable(delivery.endpoint_id)
        # An update, not save(): the endpoint (and its log) may have been deleted meanwhile.
        Delivery.objects.filter(pk=delivery.pk).update(
            status=delivery.status,
            next_attempt_at=delivery.next_attempt_at,
            response_code=delivery.response_code,
            response_excerpt=delivery.response_excerpt,
            error=delivery.error[:300],
        )
    return delivery.status


def _maybe_disable(endpoint_id: int) -> None:
    endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is not None and endpoint.active and endpoint.failures_in_row >= DISABLE_AFTER:
        endpoint.active = False
        endpoint.disabled_reason = (
            f"Turned off by Rapport on {timezone.localdate():%d %b %Y}: "
            f"{endpoint.failures_in_row} deliveries in a row failed after every retry."
        )
        endpoint.save(update_fields=["active", "disabled_reason", "updated_at"])
        record(
            actor=None,
            action="disable",
            obj=endpoint,
            summary=endpoint.url,
            changes={"active": [True, False], "reason": endpoint.disabled_reason},
        )


def attempt(pk: int, now: dt.datetime | None = None) -> str | None:
    """Try to send one delivery if it is pending and due; returns its status afterwards, or
    None when there was nothing to do. Safe to call twice: the claim makes one of them wait."""
    now = now or timezone.now()
    delivery = _claim(pk, now)
    if delivery is None:
        return None
    raw = delivery.body.encode()
    try:
        secret = delivery.endpoint.secret
    except crypto.SecretUnreadable as exc:
        # Counted as a failed attempt like any other, so it backs off and finally gives up
        # instead of being claimed again every lease.
        return _record(delivery, Answer(error=exc.message), now)
    headers = headers_for(delivery, secret, raw)
    answer = post(delivery.endpoint.url, raw, headers, timeout())
    return _record(delivery, answer, now)


def send_due(now: dt.datetime | None = None) -> Sent:
    """Attempt every pending delivery that is due (the sweep `rapport send_webhooks` runs)."""
    now = now or timezone.now()
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    result = Sent()
    for pk in list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)):
        status = attempt(pk, now)
        if status == Delivery.Status.SUCCEEDED:
            result.delivered += 1
        elif status == Delivery.Status.PENDING:
            result.retrying += 1
        elif status == Delivery.Status.FAILED:
            result.failed += 1
    return result


def prune(now: dt.datetime | None = None) -> int:
    """Forget finished deliveries older than KEEP_DAYS; returns how many. Pending ones stay."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    finished = [Delivery.Status.SUCCEEDED, Delivery.Status.FAILED]
    old = Delivery.objects.filter(status__in=finished, created_at__lt=cutoff)
    count, _ = old.delete()
    return count


def enqueue_send(pk: int, when: dt.datetime | None = None) -> None:
    # Imported here: the task module imports this one.
    from rapport.webhooks.tasks import enqueue_sends

    enqueue_sends([pk], when)
