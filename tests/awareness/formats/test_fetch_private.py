"""Feeds and ORCID records are never fetched from the server's own network (the loopback
address, private and link-local networks) unless allowed, whatever form the address takes,
and a failure never repeats what the other side said."""

import socket

import pytest

from rapport.awareness.formats import FetchError, fetch_feed, fetch_orcid
from tests.servers import answer, raw, redirect, trickle, web_site

PRIVATE = "That address is on a private network, which Rapport does not fetch from."
RSS = b'<rss version="2.0"><channel><title>T</title><item><title>A</title></item></channel></rss>'


@pytest.fixture
def local():
    """A feed server on 127.0.0.1, which is NOT allowed here (no allow_loopback)."""
    with web_site({"/feed": answer(200, RSS, content_type="application/rss+xml")}) as site:
        yield site


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "0.0.0.0",
        "localhost",
        "2130706433",  # 127.0.0.1 as one decimal number
        "0x7f.1",  # hexadecimal, shortened
        "0177.0.0.1",  # octal
        "127.1",
    ],
)
def test_a_feed_on_this_server_is_refused_in_any_form(local, host):
    with pytest.raises(FetchError) as caught:
        fetch_feed(f"http://{host}:{local.port}/feed", timeout=1)

    assert str(caught.value) == PRIVATE
    assert local.seen == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.20.30.40/feed",
        "http://192.168.1.1/feed",
        "http://172.16.0.1/feed",
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://[fd00::1]/feed",
        "http://[fe80::1]/feed",
        "http://100.64.0.1/feed",  # carrier-grade NAT
        "http://224.0.0.1/feed",  # multicast
    ],
)
def test_a_feed_on_a_private_network_is_refused_without_connecting(url):
    with pytest.raises(FetchError) as caught:
        fetch_feed(url, timeout=0.5)

    assert str(caught.value) == PRIVATE


def test_a_feed_whose_name_resolves_to_a_private_address_is_refused(local, monkeypatch):
    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):
        return real("10.1.2.3" if host == "feeds.campus.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)

    with pytest.raises(FetchError) as caught:
        fetch_feed("http://feeds.campus.example/feed", timeout=0.5)

    assert str(caught.value) == PRIVATE


def test_a_redirect_to_a_private_address_is_refused(allow_loopback):
    with (
        web_site({"/secret": answer(200, RSS)}, host="127.0.0.2") as inside,
        web_site({"/feed": redirect(f"{inside.url}/secret")}) as allowed,
    ):
        with pytest.raises(FetchError) as caught:
            fetch_feed(f"{allowed.url}/feed", timeout=1)

        assert str(caught.value) == PRIVATE
        assert [seen.path for seen in allowed.seen] == ["/feed"]
        assert inside.seen == []


@pytest.mark.parametrize(
    "location", ["http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://10.0.0.1/"]
)
def test_a_redirect_to_the_metadata_service_or_loopback_is_refused(allow_loopback, location):
    with (
        web_site({"/feed": redirect(location, 301)}) as site,
        pytest.raises(FetchError) as caught,
    ):
        fetch_feed(f"{site.url}/feed", timeout=0.5)

    assert str(caught.value) == PRIVATE


def test_an_allowed_feed_is_fetched(allow_loopback, local):
    result = fetch_feed(f"{local.url}/feed")

    assert [r.title for r in result.records] == ["A"]


def test_a_feed_larger_than_the_limit_sent_without_its_length_is_refused(allow_loopback):
    with (
        web_site({"/big": answer(200, b"<rss>" + b" " * 50_000, length=False)}) as site,
        pytest.raises(FetchError) as caught,
    ):
        fetch_feed(f"{site.url}/big", max_bytes=10_000)

    assert str(caught.value) == "The response was larger than 0.01 MB, more than Rapport reads."


def test_a_feed_trickled_slower_than_the_time_limit_is_given_up(allow_loopback):
    # 60 bytes, each in time for a per-read timeout, 3 seconds in all.
    with (
        web_site({"/slow": trickle(RSS[:60], every=0.05)}) as site,
        pytest.raises(FetchError) as caught,
    ):
        fetch_feed(f"{site.url}/slow", timeout=0.5)

    assert str(caught.value) == "The site did not answer in time (Rapport waits 0.5 seconds)."


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (
            answer(404, b"FATAL: password for user postgres", reason="Secret Internal Thing"),
            "The site answered with an error (HTTP 404).",
        ),
        (
            raw(b"SSH-2.0-OpenSSH_9.6 secret-banner\r\n"),
            "The site's answer could not be read (it did not answer as a web server does).",
        ),
        (raw(b""), "The site closed the connection without answering."),
    ],
)
def test_a_failure_says_nothing_the_site_said(allow_loopback, route, message):
    with web_site({"/feed": route}) as site, pytest.raises(FetchError) as caught:
        fetch_feed(f"{site.url}/feed", timeout=1)

    assert str(caught.value) == message
    for said in ("postgres", "Secret", "SSH", "banner", "Remote end"):
        assert said not in str(caught.value)


def test_orcid_on_a_private_address_is_refused(local):
    with pytest.raises(FetchError) as caught:
        fetch_orcid("0000-0002-1825-0097", base_url=f"{local.url}/v3.0", timeout=1)

    assert str(caught.value) == PRIVATE
    assert local.seen == []


def test_orcid_at_the_metadata_address_is_refused():
    with pytest.raises(FetchError) as caught:
        fetch_orcid("0000-0002-1825-0097", base_url="http://169.254.169.254/v3.0", timeout=0.5)

    assert str(caught.value) == PRIVATE
