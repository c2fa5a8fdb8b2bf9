"""No token in any log line: with the logging settings as configured, Django's "Not Found"
lines, the development server's access lines, waitress's lines and our own tracebacks show
secret addresses with [redacted] in place of the key."""

import contextlib
import io
import logging
import socket
from collections.abc import Iterator

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from rapport.accounts.models import new_raw_token
from rapport.awareness import links
from rapport.awareness.models import Subscription, new_link_token, new_token
from rapport.calendars.models import new_feed_token
from rapport.calendars.services import create_feed
from rapport.logs import PLACEHOLDER, RedactSecrets, redact
from rapport.webhooks.models import new_secret

LOGGERS = ["", "django", "django.request", "django.server", "waitress", "rapport.api"]


def _reached(name: str) -> list[logging.Handler]:
    """The handlers a record logged on `name` reaches, pytest's own capture left out."""
    logger: logging.Logger | None = logging.getLogger(name)
    found = []
    while logger is not None:
        found += [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
        logger = logger.parent if logger.propagate else None
    return found


@contextlib.contextmanager
def written() -> Iterator[io.StringIO]:
    """What the configured handlers write, while the block runs."""
    out = io.StringIO()
    handlers = {h for name in LOGGERS for h in _reached(name)}
    streams = {h: h.setStream(out) for h in handlers if isinstance(h, logging.StreamHandler)}
    try:
        yield out
    finally:
        for handler, stream in streams.items():
            handler.setStream(stream)


def serve_once(path: str) -> int:
    """One GET through the development server's own request handler (whose access line is
    what `runserver` prints), in this thread so it sees the test's rows; returns the status."""
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(WSGIHandler())
    # As Django's test client does: the request must not close the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with socket.create_connection(server.server_address[:2]) as sock:
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: testserver\r\nConnection: close\r\n\r\n".encode()
            )
            server.handle_request()
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        server.server_close()
    return int(answer.split(b" ", 2)[1])


def test_every_configured_handler_redacts():
    for name in LOGGERS:
        handlers = _reached(name)
        assert handlers, name
        for handler in handlers:
            assert any(isinstance(f, RedactSecrets) for f in handler.filters), (name, handler)
    assert logging.getLogger("django").handlers == []  # Django's unfiltered defaults are gone


@pytest.mark.django_db
def test_a_404_on_a_secret_address_is_logged_without_the_token():
    tokens = [new_link_token(), new_token(), new_feed_token()]
    client = Client()

    with written() as out:
        assert client.get(f"/alerts/{tokens[0]}/").status_code == 404
        assert client.get(f"/alerts/{tokens[1]}/feedback/3/useful/").status_code == 404
        assert client.get(f"/calendar/feed/{tokens[2]}.ics").status_code == 404

    lines = out.getvalue()
    assert lines == (
        "Not Found: /alerts/[redacted]/\n"
        "Not Found: /alerts/[redacted]/feedback/3/useful/\n"
        "Not Found: /calendar/feed/[redacted].ics\n"
    )
    assert not any(token in lines for token in tokens)


@pytest.mark.django_db
def test_the_access_line_of_a_200_on_a_secret_address_has_no_token(world):
    alert = links.issue(Subscription.objects.create(person=world.ana))
    _feed, feed = create_feed(by=world.alice)

    with written() as out:
        assert serve_once(f"/alerts/{alert}/") == 200
        assert serve_once(f"/calendar/feed/{feed}.ics") == 200
        assert serve_once(f"/alerts/{alert}/nowhere/") == 404

    lines = out.getvalue()
    assert alert not in lines and feed not in lines
    assert '"GET /alerts/[redacted]/ HTTP/1.1" 200 ' in lines
    assert '"GET /calendar/feed/[redacted].ics HTTP/1.1" 200 ' in lines
    assert "Not Found: /alerts/[redacted]/nowhere/\n" in lines
    assert '"GET /alerts/[redacted]/nowhere/ HTTP/1.1" 404 ' in lines


def test_waitress_lines_and_our_tracebacks_lose_their_tokens():
    alert, feed, api = new_link_token(), new_feed_token(), new_raw_token()

    with written() as out:
        logging.getLogger("waitress").error(f"Exception while serving /alerts/{alert}/")
        try:
            raise ValueError(f"could not read https://rapport.example/calendar/feed/{feed}.ics")
        except ValueError:
            logging.getLogger("rapport.api").exception(
                "Unexpected error in %s %s with %s", "GET", f"/alerts/{alert}/", f"Bearer {api}"
            )

    lines = out.getvalue()
    assert not any(token in lines for token in (alert, feed, api))
    assert "Exception while serving /alerts/[redacted]/\n" in lines
    assert "Unexpected error in GET /alerts/[redacted]/ with Bearer rpt_[redacted]\n" in lines
    assert "Traceback (most recent call last):" in lines
    assert (
        "ValueError: could not read https://rapport.example/calendar/feed/[redacted].ics" in lines
    )


def test_pages_that_are_not_keys_keep_their_paths():
    for line in (
        '"POST /calendar/feed/new/ HTTP/1.1" 200 10',
        '"POST /calendar/feed/revoke/ HTTP/1.1" 302 0',
        "Not Found: /people/12/alerts",
        "physical_chemistry_lab calendar",
    ):
        assert redact(line) == line


SEPARATORS = st.sampled_from([" ", "/", "=", '"', "'", ":", "\n", "?", "#", "<", ">", ","])
TOKENS = st.sampled_from([new_link_token, new_feed_token, new_raw_token, new_secret])


@given(
    before=st.text(max_size=40),
    after=st.text(max_size=40),
    left=SEPARATORS,
    right=SEPARATORS,
    make=TOKENS,
)
def test_no_token_of_ours_survives_wherever_it_stands(before, after, left, right, make):
    token = make()

    line = redact(f"{before}{left}{token}{right}{after}")

    assert token not in line
    assert PLACEHOLDER in line
