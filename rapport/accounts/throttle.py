"""Sign-in throttling: too many wrong passwords lock sign-in for an account and for an address.

Every wrong password on the sign-in form is a `FailedSignIn` row (kept a day). Sign-in is
refused, before the password is even checked, while the failures of the last
RAPPORT_SIGNIN_LOCK_MINUTES reach RAPPORT_SIGNIN_LIMIT for the account typed, or
RAPPORT_SIGNIN_ADDRESS_LIMIT from the client's address; the lock lifts as they age out, or at
once with `rapport unlock` (`unlock_sign_in`). While locked, the right password is refused
exactly like a wrong one and nothing is counted, so an attacker learns nothing and cannot keep
a lock going for ever; a guesser gets RAPPORT_SIGNIN_LIMIT tries per RAPPORT_SIGNIN_LOCK_MINUTES.

- Accounts are keyed by the username as typed, case-folded: "ALICE" counts against "alice",
  and unknown usernames are throttled alike, so a lock does not tell that an account exists.
- A correct sign-in clears the failures counted against that account (a librarian who
  mistyped starts afresh), never those counted against the address: signing in to one's own
  account must not reset a guesser's count.
- Addresses are the connection's, or with RAPPORT_BEHIND_PROXY the last one the proxy added
  to X-Forwarded-For (anything before it the client wrote itself). An IPv6 address counts as
  its /64 network, which one client usually holds whole.

The API takes no passwords (tokens only), so it is no way round this; see docs/deploy.md.
"""

import datetime as dt
import ipaddress
import math

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from rapport.accounts.models import FailedSignIn, User
from rapport.accounts.roles import require_admin
from rapport.audit.services import record
from rapport.errors import Invalid

#: How long a failure is kept at all (for `unlock` and the audit to make sense of it).
KEEP = dt.timedelta(days=1)


class Locked(Invalid):
    """Sign-in refused: too many wrong passwords for this account or from this address."""

    status = 429


def window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.RAPPORT_SIGNIN_LOCK_MINUTES)


def account_key(username: str) -> str:
    return username.strip().casefold()[:150]


def address_key(raw: str) -> str | None:
    """The address throttled: an IPv4 address, or an IPv6 address's /64 network."""
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False).network_address)
    return str(address)


def client_address(request: HttpRequest) -> str | None:
    """The client's address, as the one proxy Rapport is told to trust saw it, if any."""
    if settings.RAPPORT_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1]
        if forwarded.strip():
            return address_key(forwarded)
    return address_key(request.META.get("REMOTE_ADDR", ""))


def _account_failures(username: str, since: dt.datetime):
    return FailedSignIn.objects.filter(
        username=account_key(username), account_cleared=False, at__gte=since
    )


def _address_failures(address: str, since: dt.datetime):
    return FailedSignIn.objects.filter(address=address, address_cleared=False, at__gte=since)


def _lock_ends(failures, limit: int) -> dt.datetime | None:
    """When the failures fall under `limit` again, or None if they are under it now."""
    times = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    return times[-1] + window() if len(times) >= limit else None


def _minutes(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def check_sign_in(*, username: str, address: str | None) -> None:
    """Raise `Locked` if this account or this address may not try a password now."""
    now = timezone.now()
    since = now - window()
    ends = _lock_ends(_account_failures(username, since), settings.RAPPORT_SIGNIN_LIMIT)
    if ends is not None:
        raise Locked(
            "Too many failed sign-ins for this account; try again in "
            f"{_minutes(ends, now)} or ask an administrator."
        )
    if address is not None:
        failures = _address_failures(address, since)
        ends = _lock_ends(failures, settings.RAPPORT_SIGNIN_ADDRESS_LIMIT)
        if ends is not None:
            raise Locked(
                "Too many failed sign-ins from your network address; try again in "
                f"{_minutes(ends, now)} or ask an administrator."
            )


@transaction.atomic
def record_failure(*, username: str, address: str | None) -> FailedSignIn:
    """Count a wrong password; the failure that locks an account or an address is audited."""
    now = timezone.now()
    FailedSignIn.objects.filter(at__lt=now - KEEP).delete()
    failure = FailedSignIn.objects.create(at=now, username=account_key(username), address=address)
    since = now - window()
    count = _account_failures(username, since).count()
    if count == settings.RAPPORT_SIGNIN_LIMIT:
        user = User.objects.filter(username__iexact=failure.username).first()
        record(
            actor=None,
            action="lock",
            obj=user or failure,
            summary=f"Sign-in locked for “{failure.username}”: {count} wrong passwords",
            changes={"username": failure.username, "address": address, "failures": count},
        )
    if address is not None:
        count = _address_failures(address, since).count()
        if count == settings.RAPPORT_SIGNIN_ADDRESS_LIMIT:
            record(
                actor=None,
                action="lock",
                obj=failure,
                summary=f"Sign-in locked for address {address}: {count} wrong passwords",
                changes={"username": failure.username, "address": address, "failures": count},
            )
    return failure


def record_success(*, username: str) -> None:
    """The account signed in: its own earlier failures no longer count against it."""
    FailedSignIn.objects.filter(username=account_key(username), account_cleared=False).update(
        account_cleared=True
    )


@transaction.atomic
def unlock_sign_in(*, by: User | None, username: str = "", address: str = "") -> int:
    """Forget the failures counted against an account and/or an address, so either may sign
    in at once; returns how many were forgotten. `by` is None for the command line."""
    require_admin(by, to="unlock sign-in")
    name = account_key(username)
    key = address_key(address) if address.strip() else None
    if address.strip() and key is None:
        raise Invalid(f"“{address.strip()}” is not an IP address.")
    if not name and key is None:
        raise Invalid("Say which account or address to unlock.")
    cleared = FailedSignIn.objects.none()
    if name:
        account = FailedSignIn.objects.filter(username=name, account_cleared=False)
        cleared = cleared | account
    if key is not None:
        from_address = FailedSignIn.objects.filter(address=key, address_cleared=False)
        cleared = cleared | from_address
    latest = cleared.order_by("-at").first()
    if latest is None:
        return 0
    forgotten = cleared.count()
    if name:
        account.update(account_cleared=True)
    if key is not None:
        from_address.update(address_cleared=True)
    subject = " and ".join(s for s in (name and f"“{name}”", key and f"address {key}") if s)
    user = User.objects.filter(username__iexact=name).first() if name else None
    record(
        actor=by,
        action="unlock",
        obj=user or latest,
        summary=f"Sign-in unlocked for {subject}",
        changes={"username": name, "address": key, "forgotten": forgotten},
    )
    return forgotten
