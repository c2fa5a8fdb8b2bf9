"""Where a request may go: an http(s) URL's host and port, the public internet, and what
RAPPORT_OUTBOUND_ALLOW opens. Checked with DNS when connecting (`resolve`) and without it when
an address is saved for later (`check_destination`)."""

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from string import punctuation
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from rapport.outbound.messages import NO_SUCH_SITE, NOT_WEB, PRIVATE, FetchError

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


@dataclass(frozen=True)
class Target:
    tls: bool
    host: str  # ASCII (IDNA), no brackets
    port: int
    path: str  # path and query, ready for the request line


def parse_url(url: str) -> Target:
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
    return Target(scheme == "https", host, port or (443 if scheme == "https" else 80), path)


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
    target = parse_url(url)
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


def resolve(target: Target) -> list[Address]:
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
