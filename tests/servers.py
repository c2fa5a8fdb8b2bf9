"""Small real web servers on a loopback address, for the tests of what Rapport fetches.

    with web_site({"/feed": answer(200, b"<rss/>"), "/old": redirect("/feed")}) as site:
        fetch(f"{site.url}/feed")
        site.seen  # every request that reached it: method, path, headers, body

A path with no route answers 404. `host` binds another loopback address (127.0.0.2 is as
local as 127.0.0.1 on Linux, and is not in the tests' allow-list); `tls` serves HTTPS.
"""

import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Site:
    url: str
    port: int
    routes: dict[str, Route]
    seen: list[Seen] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (time and size limits) is expected: no traceback."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _any(self) -> None:
        site = self.server.site
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length) if length else b""
        site.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
        site.routes.get(self.path, answer(404, b"no such page"))(self)

    do_GET = do_POST = _any

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


def answer(
    status: int = 200,
    body: bytes = b"",
    *,
    content_type: str = "text/plain",
    reason: str | None = None,
    length: bool = True,
    headers: dict[str, str] | None = None,
) -> Route:
    """An HTTP answer; without `length` the body is sent without a Content-Length (ended by
    closing the connection), as a server that streams does."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status, reason)
        handler.send_header("Content-Type", content_type)
        if length:
            handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    return route


def redirect(location: str, status: int = 302) -> Route:
    return answer(status, b"moved", headers={"Location": location})


def trickle(body: bytes, every: float, *, in_headers: bool = False) -> Route:
    """Send the body (or, with `in_headers`, a long header) one byte at a time, `every`
    seconds apart: each read gets a byte in time, so only a deadline for the whole exchange
    stops it."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"HTTP/1.0 200 OK\r\n")
        if in_headers:
            handler.wfile.write(b"X-Slow: ")
        else:
            handler.wfile.write(b"Content-Type: text/plain\r\n\r\n")
        for byte in body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(every)

    return route


def raw(data: bytes) -> Route:
    """Bytes that are not HTTP at all (an SSH banner, a database's greeting), or nothing."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(data)
        handler.close_connection = True

    return route


@contextmanager
def web_site(
    routes: dict[str, Route] | None = None,
    *,
    host: str = "127.0.0.1",
    tls: ssl.SSLContext | None = None,
) -> Iterator[Site]:
    server = _Server((host, 0), _Handler)
    port = server.server_address[1]
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    server.site = Site(url=f"{scheme}://{host}:{port}", port=port, routes=dict(routes or {}))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.site
    finally:
        server.shutdown()
        server.server_close()
