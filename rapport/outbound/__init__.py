"""Every request Rapport makes to another server: feeds, ORCID records, webhook deliveries.

A librarian types a feed's address and the server fetches it, so without care anyone who may
add a feed could make the server knock on doors only it can reach: the database on
127.0.0.1:5432, a cloud's metadata service at 169.254.169.254, the campus intranet. Every
outbound request therefore goes through this module, which:

- resolves the name once, refuses it when any address it resolves to is loopback, private,
  link-local, multicast, unspecified or otherwise not public (IPv4 and IPv6, IPv4 inside IPv6
  too), unless whoever runs the server allows it in `RAPPORT_OUTBOUND_ALLOW`;
- connects to exactly the addresses it checked, sending the name in the Host header and in
  TLS (SNI, and the certificate is checked against the name), so a name that points elsewhere
  by the time of connecting (DNS rebinding) gains nothing;
- follows redirects itself, at most `MAX_REDIRECTS`, checking each new address the same way
  (`post`, used for webhooks, follows none);
- holds the whole exchange to one deadline, enforced on every read and write, so a server
  that trickles bytes cannot hold a worker, and reads no more than a set number of bytes;
- ignores HTTP(S)_PROXY: a proxy would resolve and connect by itself, past these checks;
- turns every failure into one of a fixed set of messages written for a librarian, which
  never repeat what the other side said (no reason phrases, no bodies, no error text).

Inside: `addresses.py` (where a request may go: parsing the URL, the public internet, the
allow-list, resolving), `connection.py` (one exchange with the checked addresses, under the
deadline and the size limit), `messages.py` (the fixed messages and FetchError); here, the
redirects and turning every failure into its message.

`check_destination` is the same check without DNS, for services that store an address to
use later (webhook endpoints): it refuses what can only be private. This module checks where a
connection goes; which URLs may be stored at all is the storing service's business (it checks
only that a URL is http or https, since it cannot connect anywhere else).

Resolving a name is not covered by the deadline (the system resolver has no timeout of its
own to give); it is bounded by the resolver's own configuration.
"""

import http.client
import ssl
import time
from typing import Any
from urllib.parse import urljoin

from rapport.outbound.addresses import (
    Allowed,
    allowed,
    check_destination,
    parse_url,
    public,
)
from rapport.outbound.connection import USER_AGENT, Response, exchange
from rapport.outbound.messages import (
    BAD_REDIRECT,
    CLOSED,
    MAX_REDIRECTS,
    NO_SUCH_SITE,
    NOT_HTTP,
    NOT_WEB,
    PRIVATE,
    REFUSED,
    TLS_FAILED,
    TLS_NOT_VERIFIED,
    TOO_MANY_REDIRECTS,
    UNREACHABLE,
    FetchError,
    http_error,
    timed_out,
    too_large,
)

REDIRECTS = frozenset({301, 302, 303, 307, 308})

__all__ = [
    "BAD_REDIRECT",
    "CLOSED",
    "MAX_REDIRECTS",
    "NOT_HTTP",
    "NOT_WEB",
    "NO_SUCH_SITE",
    "PRIVATE",
    "REFUSED",
    "TLS_FAILED",
    "TLS_NOT_VERIFIED",
    "TOO_MANY_REDIRECTS",
    "UNREACHABLE",
    "USER_AGENT",
    "Allowed",
    "FetchError",
    "Response",
    "allowed",
    "check_destination",
    "fetch",
    "get",
    "post",
    "public",
]


def _failure(exc: BaseException, seconds: float) -> FetchError:
    """The fixed message for a way a connection can fail. Only the kind of failure is used,
    never its text, which may quote what the other side sent."""
    if isinstance(exc, FetchError):
        return exc
    if isinstance(exc, TimeoutError):
        return FetchError(timed_out(seconds))
    if isinstance(exc, ssl.SSLCertVerificationError):
        return FetchError(TLS_NOT_VERIFIED)
    if isinstance(exc, ssl.SSLError):
        return FetchError(TLS_FAILED)
    if isinstance(exc, ConnectionRefusedError):
        return FetchError(REFUSED)
    if isinstance(exc, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError):
        return FetchError(CLOSED)
    if isinstance(exc, http.client.HTTPException | ValueError):
        return FetchError(NOT_HTTP)
    return FetchError(UNREACHABLE)


def _attempt(method: str, url: str, seconds: float, **kwargs: Any) -> Response:
    try:
        return exchange(method, url, **kwargs)
    except (OSError, http.client.HTTPException, ValueError, FetchError) as exc:
        raise _failure(exc, seconds) from None


def fetch(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
    max_bytes: int = 5_000_000,
) -> Response:
    """GET an http(s) URL, following redirects; the whole exchange takes at most `timeout`
    seconds and the body at most `max_bytes`. Raises FetchError for anything but a 2xx."""
    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        response = _attempt(
            "GET",
            url,
            timeout,
            body=None,
            headers=headers or {},
            deadline=deadline,
            limit=max_bytes,
            partial=False,
        )
        location = response.headers.get("location", "")
        if response.status not in REDIRECTS or not location:
            break
        try:
            url = urljoin(url, location.strip())
            parse_url(url)
        except (ValueError, FetchError):
            raise FetchError(BAD_REDIRECT) from None
    else:
        raise FetchError(TOO_MANY_REDIRECTS)
    if not 200 <= response.status < 300:
        raise FetchError(http_error(response.status), status=response.status)
    if response.truncated:
        raise FetchError(too_large(max_bytes))
    return response


def get(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
    max_bytes: int = 5_000_000,
) -> bytes:
    """Just the body of a URL (see fetch)."""
    return fetch(url, headers=headers, timeout=timeout, max_bytes=max_bytes).body


def post(
    url: str,
    body: bytes,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
    keep: int = 4096,
) -> Response:
    """POST a body and return the answer whatever its status, with the first `keep` bytes of
    what was said; a redirect is returned, not followed. Raises FetchError when there is no
    answer (refused address, timeout, broken connection)."""
    return _attempt(
        "POST",
        url,
        timeout,
        body=body,
        headers=headers or {},
        deadline=time.monotonic() + timeout,
        limit=keep,
        partial=True,
    )
