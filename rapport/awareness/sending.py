"""Sending the digests: every digest not yet accepted by the mail server, new ones and those
left over from earlier runs alike, marked sent only once the server has accepted it.

A digest that could not be sent stays waiting (`failed`, with `attempts` and `last_error`) and
the next run tries it again, so nothing is sent twice and nothing is lost. A digest the server
refuses for good (a 5xx answer: no such mailbox, message rejected), or that failed
`MAX_ATTEMPTS` times, is `refused`: its items go back to the person's approved list, and no new
digest is made for them until their address changes, so one dead address never holds up or
repeats anything.

`rapport send_digests` (cron) and the `send_digests_task` (the worker) both call `send_digests`.
"""

import contextlib
import datetime as dt
import smtplib
import socket
from dataclasses import dataclass, field

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from rapport.audit.services import record
from rapport.awareness.digests import WAITING, candidates, compose, is_due, message, receives_alerts
from rapport.awareness.models import Digest, Match, MatchStatus, Subscription

#: A digest that failed this many runs (about a week of daily runs) is given up.
MAX_ATTEMPTS = 8


@dataclass
class Sent:
    """What one run did, in counts; `errors` says why each failed digest failed."""

    composed: int = 0
    sent: int = 0
    failed: int = 0
    released: int = 0  # waiting digests given back because the person turned alerts off
    errors: list[str] = field(default_factory=list)


def _release(digest: Digest) -> None:
    """Give a waiting digest's matches back (still approved) and drop it: the person turned
    alerts off before it could go, and gets the items later if they turn them on again."""
    Match.objects.filter(digest=digest).update(digest=None)
    digest.delete()


def _fail(digest: Digest, why: str, *, permanent: bool = False) -> None:
    """Keep the digest waiting for the next run, or give it up: refused for good, or tried too
    often. A given-up digest hands its items back, still approved, for when the address works."""
    refused = permanent or digest.attempts >= MAX_ATTEMPTS
    digest.status = Digest.Status.REFUSED if refused else Digest.Status.FAILED
    digest.last_error = why[:500]
    digest.save(update_fields=["status", "attempts", "last_error", "address"])
    if refused:
        Match.objects.filter(digest=digest).update(digest=None)


def is_permanent(err: Exception) -> bool:
    """The server refused this address or this message for good (a 5xx answer). A refused
    sender is not: that is the library's own configuration, and every digest would fail."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in err.recipients.values())
    return (
        isinstance(err, smtplib.SMTPResponseException)
        and not isinstance(err, smtplib.SMTPSenderRefused)
        and err.smtp_code >= 500
    )


def is_unreachable(err: Exception) -> bool:
    """The server cannot be reached at all (down, refusing connections, hanging up): trying the
    next digest would only wait for the same timeout, so the rest of the run fails untried.
    (smtplib's errors are OSErrors too; a refused address or message is not this.)"""
    return isinstance(err, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)) or (
        isinstance(err, OSError) and not isinstance(err, smtplib.SMTPException)
    )


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _unreachable_why(err: Exception) -> str:
    """Why the server could not be reached, in words rather than "[Errno 111] …"."""
    if isinstance(err, ConnectionRefusedError):
        return "it refused the connection (is it running, at the EMAIL_HOST and EMAIL_PORT set?)"
    if isinstance(err, TimeoutError):
        return "it did not answer in time"
    if isinstance(err, socket.gaierror):
        return "its name (EMAIL_HOST) could not be found"
    if isinstance(err, smtplib.SMTPServerDisconnected):
        return "it hung up before the mail was sent"
    return f"{getattr(err, 'strerror', None) or err or type(err).__name__}"


def describe(err: Exception) -> str:
    """Why a send failed, in words an administrator can act on."""
    if is_unreachable(err):
        return f"The mail server could not be reached: {_unreachable_why(err)}."
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        why = "; ".join(f"{code} {_text(msg)}" for code, msg in err.recipients.values())
        return f"The mail server refused the address: {why}"
    if isinstance(err, smtplib.SMTPResponseException):
        return f"The mail server refused the message: {err.smtp_code} {_text(err.smtp_error)}"
    return f"{type(err).__name__}: {err}"


def for_librarian(err: Exception, what: str) -> str:
    """Why `what` ("The invitation") was not sent, and what to do, for a librarian: never a
    raw "[Errno 111] Connection refused"."""
    if is_unreachable(err):
        return (
            f"{what} could not be sent: the library's mail server is not answering. Nothing "
            "was sent; try again later, and if it keeps failing, tell your administrator."
        )
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return (
            f"{what} could not be sent: the mail server refused the address. Check the "
            "person's e-mail address, then try again."
        )
    return (
        f"{what} could not be sent: the mail server refused it. Nothing was sent; tell your "
        f"administrator ({describe(err)})."
    )


def send_digests(now: dt.datetime | None = None) -> Sent:
    """Compose the digests that are due, then send every digest not yet accepted."""
    now = now or timezone.now()
    result = Sent()
    for sub in candidates():
        if is_due(sub, now) and compose(sub, now) is not None:
            result.composed += 1
    waiting = list(
        Digest.objects.filter(status__in=WAITING).order_by("pk").values_list("pk", flat=True)
    )
    if not waiting:
        return result
    connection = get_connection(fail_silently=False)
    down = ""
    try:
        for pk in waiting:
            down = _send_one(pk, connection, now, result, down)
    finally:
        with contextlib.suppress(OSError):  # a failed goodbye must not hide what was sent
            connection.close()
    return result


def _send_one(pk: int, connection, now: dt.datetime, result: Sent, down: str) -> str:
    """Send one waiting digest; returns why the server is unreachable, if it turned out to be.

    The row stays locked while the server is talking, so a second run (cron and the worker at
    once, on PostgreSQL) skips it instead of sending it again; SQLite serialises the runs."""
    with transaction.atomic():
        digest = (
            Digest.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=pk, status__in=WAITING)
            .select_related("person")
            .first()
        )
        if digest is None:
            return down  # sent or being sent by another run
        sub = Subscription.objects.filter(person_id=digest.person_id).first()
        if not receives_alerts(sub) or not digest.person.email:
            _release(digest)
            result.released += 1
            return down
        matches = list(
            digest.matches.filter(status=MatchStatus.APPROVED)
            .select_related("item", "decided_by")
            .order_by("-score", "pk")
        )
        if not matches:  # every item was withdrawn while it waited
            digest.delete()
            return down
        assert sub is not None
        sub.person = digest.person
        digest.attempts += 1
        digest.address = digest.person.email
        if down:
            _fail(digest, down)
            result.failed += 1
            result.errors.append(f"{digest.person.email}: {down}")
            return down
        try:
            accepted = connection.send_messages([message(digest, sub, matches)])
        except OSError as err:  # smtplib's errors included
            why = describe(err)
            _fail(digest, why, permanent=is_permanent(err))
            result.failed += 1
            result.errors.append(f"{digest.person.email}: {why}")
            if is_unreachable(err):
                connection.close()
                return why
            return down
        except Exception as err:  # one bad row (a name that breaks a header) must not stop
            # the run and hold up everyone else's digest on every run after it
            why = f"The message could not be made: {type(err).__name__}: {err}"
            _fail(digest, why)
            result.failed += 1
            result.errors.append(f"{digest.person.email}: {why}")
            return down
        if not accepted:
            why = "The mail server did not accept the message."
            _fail(digest, why)
            result.failed += 1
            result.errors.append(f"{digest.person.email}: {why}")
            return down
        digest.status = Digest.Status.SENT
        digest.sent_at = now
        digest.last_error = ""
        digest.save(update_fields=["status", "attempts", "sent_at", "last_error"])
        Match.objects.filter(pk__in=[m.pk for m in matches]).update(status=MatchStatus.SENT)
        Subscription.objects.filter(pk=sub.pk).update(last_sent_at=now)
        record(
            actor=None,
            action="digest.sent",
            obj=digest,
            summary=f"{len(matches)} item(s) to {digest.person.full_name}",
            changes={"matches": [m.pk for m in matches], "message_id": digest.message_id},
        )
        result.sent += 1
    return down
