"""A real HTTP receiver on 127.0.0.1 that records what Rapport sends and answers as told
(rapport.outbound is allowed to reach 127.0.0.1 while it runs).

`receiver.answers` is a list of (status, body, delay seconds) used one per request, the last
one repeated (status 0 sends the body alone, not HTTP); with `receiver.trickle` set, the body
goes one byte at a time that many seconds apart. `receiver.received` holds each request's
headers and raw body.
"""

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rapport.webhooks import services
from rapport.webhooks.models import Endpoint


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    answers: list[tuple[int, bytes, float]] = field(default_factory=lambda: [(200, b"ok", 0)])
    received: list[Received] = field(default_factory=list)
    trickle: float = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> tuple[int, bytes, float]:
        with self.lock:
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (the timeout test) is expected: no traceback."""


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_POST(self) -> None:
        receiver = self.server.receiver
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with receiver.lock:
            receiver.received.append(Received(self.path, dict(self.headers.items()), body))
        status, answer, delay = receiver.answer()
        if delay:
            time.sleep(delay)
        if status == 0:  # not HTTP at all
            self.wfile.write(answer)
            return
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "https://elsewhere.example/hook")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        if not receiver.trickle:
            self.wfile.write(answer)
            return
        for byte in answer:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(receiver.trickle)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def receiver(allow_loopback) -> Iterator[Receiver]:
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.receiver = Receiver(url=f"http://127.0.0.1:{httpd.server_address[1]}/hook")
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd.receiver
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def endpoint(world, receiver) -> Endpoint:
    """An active endpoint for every event, pointed at the receiver."""
    return services.create_endpoint(
        by=world.ada,
        url=receiver.url,
        events=["touchpoint.created", "request.delivered", "person.merged"],
        description="Test receiver",
    )
