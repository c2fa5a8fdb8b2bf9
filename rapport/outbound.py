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

`check_destination` is the same check without DNS, for services that store an address to
use later (webhook endpoints): it refuses what can only be private. This module checks where a
connection goes; which URLs may be stored at all is the storing service's business (it checks
only that a URL is http or https, since it cannot connect anywhere else).

Resolving a name is not covered by the deadline (the system resolver has no timeout of its
own to give); it is bounded by the resolver's own configuration.
"""

import functools
import http.client
import ipaddress
import math
import os
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from string import punctuation
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

USER_AGENT = "Rapport (current awareness for embedded librarians)"
MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 65_536
# Characters sent as they are in a request's path: printable ASCII. Anything else (spaces,
# non-ASCII, control characters) is percent-encoded, so no address can split the request line.
_SAFE = punctuation.replace("%", "") + "%"

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: A checked address to connect to: its family and the socket address getaddrinfo gave.
Address = tuple[int, tuple[Any, ...]]
# IPv6 ranges that carry an IPv4 address the packets really go to: NAT64's well-known prefix
# (a resolver on an IPv6-only network returns these for every IPv4-only site).
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Blocks IANA's special-purpose registries mark as not globally reachable, which the standard
# library's lists (revised in later Python releases) may not know yet.
_NOT_GLOBAL = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",
        "100.64.0.0/10",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "240.0.0.0/4",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
    )
)
# What a localhost name (RFC 6761) stands for when an address is checked without DNS.
_LOCALHOST = (ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv6Address("::1"))


# The messages. A fixed set: nothing in them comes from the other side except a status code.

NOT_WEB = "That is not a web address; it should start with https:// (or http://)."
PRIVATE = "That address is on a private network, which Rapport does not fetch from."
NO_SUCH_SITE = "There is no site at that address; check it for a typing error."
REFUSED = "The site refused the connection; check the address, or try again later."
UNREACHABLE = "Rapport could not reach the site; it, or the network to it, may be down."
CLOSED = "The site closed the connection without answering."
NOT_HTTP = "The site's answer could not be read (it did not answer as a web server does)."
TLS_NOT_VERIFIED = (
    "The site's secure connection could not be verified (its certificate is not valid for "
    "that address)."
)
TLS_FAILED = "A secure connection to the site could not be made."
TOO_MANY_REDIRECTS = (
    f"The site sent Rapport on from address to address more than {MAX_REDIRECTS} times; "
    "give the final address instead."
)
BAD_REDIRECT = "The site sent Rapport on to something that is not a web address."


def timed_out(seconds: float) -> str:
    return f"The site did not answer in time (Rapport waits {seconds:g} seconds)."


def http_error(status: int) -> str:
    return f"The site answered with an error (HTTP {status})."


def too_large(max_bytes: int) -> str:
    return f"The response was larger than {max_bytes / 1_000_000:g} MB, more than Rapport reads."


class FetchError(Exception):
    """A request to another server failed; the message says why, in words for a librarian,
    and `status` is the HTTP status when the server answered with an error."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Response:
    status: int
    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case
    truncated: bool = False  # the body went on past what was read


@dataclass(frozen=True)
class _Target:
    tls: bool
    host: str  # ASCII (IDNA), no brackets
    port: int
    path: str  # path and query, ready for the request line


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        raise FetchError(NOT_WEB) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        raise FetchError(NOT_WEB)
    path = quote(parts.path or "/", safe=_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=_SAFE)
    return _Target(scheme == "https", host, port or (443 if scheme == "https" else 80), path)


# Which addresses may be reached.


@dataclass(frozen=True)
class Allowed:
    """What `RAPPORT_OUTBOUND_ALLOW` opens: networks, exact host names, and `*.domain`."""

    networks: tuple[Network, ...] = ()
    names: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()

    def name(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host in self.names or host.endswith(self.suffixes)

    def address(self, ip: IP) -> bool:
        return any(one in net for one in _forms(ip) for net in self.networks)


def allowed(entries: Iterable[str] | None = None) -> Allowed:
    """The allow-list from settings (or the entries given); a bad entry stops with a message
    naming it, rather than being ignored."""
    if entries is None:
        entries = getattr(settings, "RAPPORT_OUTBOUND_ALLOW", ())
    networks: list[Network] = []
    names: set[str] = set()
    suffixes: list[str] = []
    for raw in entries:
        entry = raw.strip().lower().rstrip(".")
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        label = entry.removeprefix("*.")
        if not label or not all(c.isalnum() or c in "-." for c in label) or ".." in label:
            raise ImproperlyConfigured(
                f"RAPPORT_OUTBOUND_ALLOW: “{raw}” is neither an address, a network such as "
                "10.0.0.0/8, a host name, nor *.domain."
            )
        if entry.startswith("*."):
            suffixes.append("." + label)
        else:
            names.add(label)
    return Allowed(tuple(networks), frozenset(names), tuple(suffixes))


def _forms(ip: IP) -> list[IP]:
    """The address, and the IPv4 address it carries when it is IPv6 wrapping one."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None:
            return [ip, inner]
    return [ip]


def _public_one(ip: IP) -> bool:
    site_local = isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local
    listed = any(ip in net for net in _NOT_GLOBAL if net.version == ip.version)
    return ip.is_global and not (
        listed
        or ip.is_multicast
        or ip.is_private
        or ip.is_reserved
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
        or site_local
    )


def public(ip: IP) -> bool:
    """Whether an address is on the public internet. An IPv6 address carrying an IPv4 one is
    judged by the IPv4 address too; the mapped (::ffff:a.b.c.d) and NAT64 forms by it alone,
    since the packets go there."""
    forms = _forms(ip)
    if isinstance(ip, ipaddress.IPv6Address) and (ip.ipv4_mapped or ip in _NAT64):
        return _public_one(forms[-1])
    return all(_public_one(one) for one in forms)


def _ip(sockaddr: tuple[Any, ...]) -> IP:
    return ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])


def _is_localhost(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(".localhost")


def check_destination(url: str) -> None:
    """Refuse, without asking DNS, an address that can only lead to a private network: an IP
    address in any form the resolver reads (127.1, 2130706433, 0x7f.0.0.1, [::ffff:127.0.0.1])
    or a localhost name. For checking an address when it is saved; names are checked again,
    after resolving, every time Rapport connects."""
    target = _target(url)
    allow = allowed()
    if allow.name(target.host):
        return
    try:
        infos = socket.getaddrinfo(
            target.host, target.port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST
        )
    except (socket.gaierror, UnicodeError):
        if _is_localhost(target.host) and not any(allow.address(ip) for ip in _LOCALHOST):
            raise FetchError(PRIVATE) from None
        return  # another name: what it points at is checked when connecting
    for *_, sockaddr in infos:
        ip = _ip(sockaddr)
        if not public(ip) and not allow.address(ip):
            raise FetchError(PRIVATE)


def _resolve(target: _Target) -> list[Address]:
    """The addresses to connect to, each checked; refused if any of them is not allowed (a
    name that resolves to both a public and a private address is refused outright)."""
    allow = allowed()
    by_name = allow.name(target.host)
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(NO_SUCH_SITE) from None
    found: list[Address] = [(family, tuple(sockaddr)) for family, _, _, _, sockaddr in infos]
    if not found:
        raise FetchError(NO_SUCH_SITE)
    for _, sockaddr in found:
        ip = _ip(sockaddr)
        if not by_name and not public(ip) and not allow.address(ip):
            raise FetchError(PRIVATE)
    return found


# Connecting to the checked addresses, with one deadline for everything.


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("deadline passed")
    return left


class _Socket(socket.socket):
    """A socket that gives each read and write only the time left before its deadline."""

    deadline = math.inf

    def recv_into(self, buffer, nbytes=0, flags=0):  # type: ignore[no-untyped-def]
        self.settimeout(_left(self.deadline))
        return super().recv_into(buffer, nbytes, flags)

    def sendall(self, data, flags=0):  # type: ignore[no-untyped-def]
        self.settimeout(_left(self.deadline))
        return super().sendall(data, flags)


class _TLSSocket(ssl.SSLSocket):
    """The same for TLS (made by the context, so the deadline is set once it exists)."""

    deadline = math.inf

    def recv_into(self, buffer, nbytes=None, flags=0):  # type: ignore[no-untyped-def]
        self.settimeout(_left(self.deadline))
        return super().recv_into(buffer, nbytes, flags)

    def sendall(self, data, flags=0):  # type: ignore[no-untyped-def]
        self.settimeout(_left(self.deadline))
        return super().sendall(data, flags)


def _open(addresses: list[Address], deadline: float) -> _Socket:
    """A connection to the first of the checked addresses that answers."""
    error: OSError = ConnectionRefusedError()
    for family, sockaddr in addresses:
        sock = _Socket(family, socket.SOCK_STREAM)
        sock.deadline = deadline
        try:
            sock.settimeout(_left(deadline))
            sock.connect(sockaddr)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except OSError as exc:
            sock.close()
            if isinstance(exc, TimeoutError):
                raise
            error = exc
    raise error


@functools.lru_cache(maxsize=4)
def _tls_context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    """The system's trust store, certificates checked against the name. Loading it takes
    tens of milliseconds, so it is made once per process (and per SSL_CERT_FILE/SSL_CERT_DIR,
    which OpenSSL reads when it loads it); a context is safe to share between threads."""
    context = ssl.create_default_context()
    context.sslsocket_class = _TLSSocket
    return context


class _Connection(http.client.HTTPConnection):
    """An HTTP(S) connection to checked addresses rather than to whatever the name says now.
    The host name still goes in the Host header, TLS's SNI and the certificate check."""

    def __init__(self, target: _Target, addresses: list[Address], deadline: float) -> None:
        super().__init__(target.host, target.port, timeout=_left(deadline))
        self.default_port = 443 if target.tls else 80  # the Host header leaves it out
        self._tls = target.tls
        self._addresses = addresses
        self._deadline = deadline

    def connect(self) -> None:
        sock: socket.socket = _open(self._addresses, self._deadline)
        if self._tls:
            context = _tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
            sock.settimeout(_left(self._deadline))  # the handshake has what is left
            tls = context.wrap_socket(sock, server_hostname=self.host)
            assert isinstance(tls, _TLSSocket)
            tls.deadline = self._deadline
            sock = tls
        self.sock = sock


def _read(response: http.client.HTTPResponse, limit: int) -> tuple[bytes, bool]:
    """At most `limit` bytes of the body, and whether there was more."""
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = response.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(parts), False
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)[:limit], True


def _exchange(
    method: str,
    url: str,
    *,
    body: bytes | None,
    headers: dict[str, str],
    deadline: float,
    limit: int,
    partial: bool,
) -> Response:
    """One request and its answer (any status), reading at most `limit` bytes of the body; a
    body announced as longer is not read at all unless a `partial` one will do."""
    target = _target(url)
    addresses = _resolve(target)
    connection = _Connection(target, addresses, deadline)
    try:
        connection.request(
            method,
            target.path,
            body=body,
            headers={"User-Agent": USER_AGENT, "Connection": "close", **headers},
        )
        response = connection.getresponse()
        got = {name.lower(): value for name, value in response.getheaders()}
        length = got.get("content-length", "")
        if not partial and length.isdigit() and int(length) > limit:
            return Response(response.status, url, b"", got, truncated=True)
        data, more = _read(response, limit)
        return Response(response.status, url, data, got, truncated=more)
    finally:
        connection.close()


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
        return _exchange(method, url, **kwargs)
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
            _target(url)
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
