"""fetch_feed and fetch_orcid against a real HTTP server on 127.0.0.1 serving the fixtures
(rapport.outbound is allowed to reach 127.0.0.1 here; test_fetch_private.py checks it is
refused otherwise)."""

import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rapport.awareness.formats import FetchError, Problem, fetch_feed, fetch_orcid

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"
JOSIAH = "0000-0002-1825-0097"  # details fetch fine
NO_RECORD = "0000-0001-5109-3700"  # ORCID answers 404
NO_DETAILS = "0000-0003-0000-0003"  # the summary works, the details fail

ROUTES = {
    "/feeds/toc.rss": ("application/rss+xml", "journal-toc.rss"),
    "/feeds/page.html": ("text/html; charset=utf-8", "not-a-feed.html"),
    f"/v3.0/{JOSIAH}/works": ("application/json", "orcid-works.json"),
    f"/v3.0/{JOSIAH}/works/1002,1003": ("application/json", "orcid-works-detail.json"),
    f"/v3.0/{NO_DETAILS}/works": ("application/json", "orcid-works.json"),
}


class Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []

    def do_GET(self) -> None:
        Handler.seen.append((self.path, self.headers.get("Accept", "")))
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path == "/big":
            self._send(200, "application/rss+xml", b"<rss>" + b" " * 5000 + b"</rss>")
            return
        route = ROUTES.get(self.path)
        if route is None:
            self._send(404 if "/works/" not in self.path else 500, "text/plain", b"no")
            return
        content_type, name = route
        self._send(200, content_type, (FIXTURES / name).read_bytes())

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A client that gave up (the timeout and size-limit tests) is expected: no traceback."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


pytestmark = pytest.mark.usefixtures("allow_loopback")


def test_fetch_feed_reads_a_served_feed(server):
    result = fetch_feed(f"{server}/feeds/toc.rss")

    assert result.format == "feed"
    assert [(r.title, r.doi) for r in result.records] == [
        ("Liaison Work in Engineering Departments", "10.5555/jel.2025.3"),
        ("Library Closed on Friday", ""),
    ]


def test_fetch_feed_says_an_html_page_is_not_a_feed_and_resolves_its_feed_link(server):
    result = fetch_feed(f"{server}/feeds/page.html")

    assert result.records == []
    assert result.problems == [
        Problem(
            "file",
            f"This is an HTML page, not a feed. The page names a feed at {server}/jel/rss.xml; "
            "try that address.",
        )
    ]


def test_fetch_feed_reports_a_404(server):
    with pytest.raises(FetchError) as caught:
        fetch_feed(f"{server}/feeds/gone.rss")

    assert str(caught.value) == "The site answered with an error (HTTP 404)."
    assert caught.value.status == 404


def test_fetch_feed_gives_up_on_a_server_that_does_not_answer_in_time(server):
    with pytest.raises(FetchError) as caught:
        fetch_feed(f"{server}/slow", timeout=0.3)

    assert str(caught.value) == "The site did not answer in time (Rapport waits 0.3 seconds)."


def test_fetch_feed_reports_a_refused_connection():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port now.

    with pytest.raises(FetchError) as caught:
        fetch_feed(f"http://127.0.0.1:{port}/feed")

    assert str(caught.value) == (
        "The site refused the connection; check the address, or try again later."
    )


def test_fetch_feed_refuses_a_feed_larger_than_the_limit(server):
    with pytest.raises(FetchError) as caught:
        fetch_feed(f"{server}/big", max_bytes=1000)

    assert str(caught.value) == "The response was larger than 0.001 MB, more than Rapport reads."


def test_fetch_feed_refuses_an_address_that_is_not_a_web_address():
    with pytest.raises(FetchError) as caught:
        fetch_feed("file:///etc/passwd")

    assert str(caught.value) == (
        "That is not a web address; it should start with https:// (or http://)."
    )


def test_fetch_orcid_reads_the_summary_then_the_full_works_as_json(server):
    Handler.seen.clear()

    result = fetch_orcid(f"https://orcid.org/{JOSIAH}", base_url=f"{server}/v3.0")

    assert result.format == "orcid"
    assert [(r.title, r.authors, r.abstract, r.published_on) for r in result.records] == [
        (
            "Reading Rooms as Research Infrastructure",
            ["Josiah Carberry", "Ngozi Okafor"],
            "Why people who work in reading rooms ask better questions.",
            date(2020, 11, 1),
        ),
        # Its details were missing from the bulk answer, so the summary stays.
        ("Embedding a Librarian in a Chemistry Lab: A Two-Year Study", [], "", date(2022, 3, 9)),
    ]
    assert Handler.seen == [
        (f"/v3.0/{JOSIAH}/works", "application/json"),
        (f"/v3.0/{JOSIAH}/works/1002,1003", "application/json"),
    ]
    assert result.problems == [
        Problem("work 3 (put-code 1004)", "This work has no title; it was skipped.")
    ]


def test_fetch_orcid_keeps_the_summaries_when_the_details_fail(server):
    result = fetch_orcid(NO_DETAILS, base_url=f"{server}/v3.0")

    assert [r.external_id for r in result.records] == ["1002", "1003"]
    assert result.problems[-1] == Problem(
        "ORCID",
        "Only the summaries of 2 works were kept; their details could not be fetched. The site "
        "answered with an error (HTTP 500).",
    )


def test_fetch_orcid_says_when_there_is_no_public_record(server):
    with pytest.raises(FetchError) as caught:
        fetch_orcid(NO_RECORD, base_url=f"{server}/v3.0")

    assert str(caught.value) == f"ORCID has no public record for {NO_RECORD}."


def test_fetch_orcid_refuses_a_bad_id_before_touching_the_network(server):
    Handler.seen.clear()

    with pytest.raises(FetchError) as caught:
        fetch_orcid("0000-0002-1825-0098", base_url=f"{server}/v3.0")

    assert str(caught.value) == (
        "“0000-0002-1825-0098” is not a valid ORCID iD: its last character does not match the "
        "others. Check it for a typing error."
    )
    assert Handler.seen == []
