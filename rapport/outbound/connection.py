"""One HTTP(S) exchange with checked addresses: the connection goes to the addresses that were
checked (the name still goes in the Host header, TLS's SNI and the certificate check), every
read and write gets only the time left before one deadline, and at most a set number of bytes
of the body is read."""

import functools
import http.client
import math
import os
import socket
import ssl
import time
from dataclasses import dataclass, field

from rapport.outbound.addresses import Address, Target, parse_url, resolve

USER_AGENT = "Rapport (current awareness for embedded librarians)"
_CHUNK = 65_536


@dataclass
class Response:
    status: int
    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case
    truncated: bool = False  # the body went on past what was read


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


class Connection(http.client.HTTPConnection):
    """An HTTP(S) connection to checked addresses rather than to whatever the name says now.
    The host name still goes in the Host header, TLS's SNI and the certificate check."""

    def __init__(self, target: Target, addresses: list[Address], deadline: float) -> None:
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


def exchange(
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
    target = parse_url(url)
    addresses = resolve(target)
    connection = Connection(target, addresses, deadline)
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
        if not partial and length.isdecimal() and int(length) > limit:
            return Response(response.status, url, b"", got, truncated=True)
        data, more = _read(response, limit)
        return Response(response.status, url, data, got, truncated=more)
    finally:
        connection.close()
