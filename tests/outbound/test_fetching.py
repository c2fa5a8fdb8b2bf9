"""rapport.outbound against real servers on 127.0.0.1 (allowed here): it connects to the
address it checked, follows redirects itself and checks each, keeps to one deadline and a
size limit, ignores proxies, and POSTs without following redirects."""

import socket
import time

import pytest

from rapport import outbound
from rapport.outbound import FetchError, fetch, post
from tests.servers import answer, redirect, trickle, web_site

pytestmark = pytest.mark.usefixtures("allow_loopback")


def _resolving(monkeypatch, names: dict[str, list[str]]) -> list[str]:
    """Patch the resolver so each name answers its addresses in turn (the last repeated);
    returns the names asked, in order."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def resolver(host, *args, **kwargs):
        if host not in names:
            return real(host, *args, **kwargs)
        asked.append(host)
        answers = names[host]
        return real(answers.pop(0) if len(answers) > 1 else answers[0], *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    return asked


def test_fetch_returns_the_body_headers_and_address():
    with web_site({"/feed": answer(200, b"<rss/>", content_type="application/rss+xml")}) as site:
        response = fetch(f"{site.url}/feed", headers={"Accept": "application/rss+xml"})

    assert (response.status, response.body, response.url) == (200, b"<rss/>", f"{site.url}/feed")
    assert response.headers["content-type"] == "application/rss+xml"
    [seen] = site.seen
    assert seen.headers["Host"] == f"127.0.0.1:{site.port}"
    assert seen.headers["User-Agent"] == outbound.USER_AGENT
    assert seen.headers["Accept"] == "application/rss+xml"


def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_connected_to(monkeypatch):
    # DNS rebinding: the name answers an allowed address when checked, then another (not
    # allowed, nothing listening) to whoever asks again. Rapport never asks again.
    asked = _resolving(monkeypatch, {"rebind.example": ["127.0.0.1", "127.0.0.2"]})
    with web_site({"/feed": answer(200, b"ok")}) as site:
        response = fetch(f"http://rebind.example:{site.port}/feed", timeout=2)

    assert response.body == b"ok"
    assert asked == ["rebind.example"]
    assert site.seen[0].headers["Host"] == f"rebind.example:{site.port}"


def test_an_allowed_name_is_reached_whatever_it_resolves_to(monkeypatch, settings):
    settings.RAPPORT_OUTBOUND_ALLOW = ["intranet.campus.example"]
    _resolving(monkeypatch, {"intranet.campus.example": ["127.0.0.1"]})
    with web_site({"/feed": answer(200, b"ok")}) as site:
        assert fetch(f"http://intranet.campus.example:{site.port}/feed").body == b"ok"


def test_with_an_empty_allow_list_loopback_is_refused_without_connecting(settings):
    settings.RAPPORT_OUTBOUND_ALLOW = []
    with (
        web_site({"/feed": answer(200, b"ok")}) as site,
        pytest.raises(FetchError) as caught,
    ):
        fetch(f"{site.url}/feed")

        assert site.seen == []
    assert str(caught.value) == outbound.PRIVATE


def test_redirects_are_followed_to_the_final_address():
    with web_site(
        {"/old": redirect("/moved", 301), "/moved": redirect("/feed", 307), "/feed": answer(200)}
    ) as site:
        response = fetch(f"{site.url}/old")

    assert response.url == f"{site.url}/feed"
    assert [seen.path for seen in site.seen] == ["/old", "/moved", "/feed"]


def test_a_redirect_to_another_loopback_address_is_refused_before_connecting():
    with (
        web_site({"/": answer(200, b"inside")}, host="127.0.0.2") as inside,
        web_site({"/feed": redirect(f"http://127.0.0.2:{inside.port}/")}) as site,
    ):
        with pytest.raises(FetchError) as caught:
            fetch(f"{site.url}/feed")

        assert inside.seen == []
    assert str(caught.value) == outbound.PRIVATE


def test_a_redirect_by_name_is_checked_after_resolving(monkeypatch):
    _resolving(monkeypatch, {"inside.example": ["10.0.0.3"]})
    with (
        web_site({"/feed": redirect("http://inside.example/")}) as site,
        pytest.raises(FetchError) as caught,
    ):
        fetch(f"{site.url}/feed", timeout=0.5)

    assert str(caught.value) == outbound.PRIVATE


def test_redirects_stop_after_five():
    with (
        web_site({"/loop": redirect("/loop")}) as site,
        pytest.raises(FetchError) as caught,
    ):
        fetch(f"{site.url}/loop")

        assert len(site.seen) == outbound.MAX_REDIRECTS + 1
    assert str(caught.value) == (
        "The site sent Rapport on from address to address more than 5 times; give the final "
        "address instead."
    )


def test_a_redirect_to_something_that_is_not_a_web_address_is_refused():
    with (
        web_site({"/feed": redirect("file:///etc/passwd")}) as site,
        pytest.raises(FetchError) as caught,
    ):
        fetch(f"{site.url}/feed")

    assert str(caught.value) == "The site sent Rapport on to something that is not a web address."


def test_a_body_announced_larger_than_the_limit_is_refused():
    with (
        web_site({"/big": answer(200, b"x" * 2_000_001)}) as site,
        pytest.raises(FetchError) as caught,
    ):
        fetch(f"{site.url}/big", max_bytes=2_000_000)

    assert str(caught.value) == "The response was larger than 2 MB, more than Rapport reads."


def test_a_body_exactly_at_the_limit_is_read():
    with web_site({"/feed": answer(200, b"x" * 1000, length=False)}) as site:
        assert fetch(f"{site.url}/feed", max_bytes=1000).body == b"x" * 1000


def test_headers_trickled_slower_than_the_time_limit_are_given_up():
    with web_site({"/slow": trickle(b"y" * 100, every=0.05, in_headers=True)}) as site:
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            fetch(f"{site.url}/slow", timeout=0.4)
        took = time.monotonic() - started

    assert str(caught.value) == "The site did not answer in time (Rapport waits 0.4 seconds)."
    assert took < 2


def test_the_time_limit_covers_every_redirect_together():
    def slow_redirect(handler):
        time.sleep(0.25)
        redirect("/next")(handler)

    with (
        web_site({"/first": slow_redirect, "/next": slow_redirect}) as site,
        pytest.raises(FetchError) as caught,
    ):
        fetch(f"{site.url}/first", timeout=0.4)

    assert str(caught.value) == "The site did not answer in time (Rapport waits 0.4 seconds)."


def test_a_proxy_in_the_environment_is_not_used(monkeypatch):
    # A proxy would resolve and connect by itself, past the checks.
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    with web_site({"/feed": answer(200, b"direct")}) as site:
        assert fetch(f"{site.url}/feed").body == b"direct"


def test_a_path_with_spaces_and_other_characters_is_sent_encoded():
    with web_site({"/a%20b/%C3%A9?q=x%20y": answer(200, b"ok")}) as site:
        assert fetch(f"{site.url}/a b/é?q=x y").body == b"ok"


def test_post_returns_a_redirect_without_following_it():
    with web_site({"/hook": redirect("/elsewhere", 307), "/elsewhere": answer(200)}) as site:
        response = post(f"{site.url}/hook", b"{}", headers={"Content-Type": "application/json"})

    assert response.status == 307
    assert [(seen.method, seen.path, seen.body) for seen in site.seen] == [("POST", "/hook", b"{}")]


def test_post_keeps_only_the_start_of_a_long_answer():
    with web_site({"/hook": answer(500, b"e" * 10_000)}) as site:
        response = post(f"{site.url}/hook", b"{}", keep=100)

    assert (response.status, response.body, response.truncated) == (500, b"e" * 100, True)


def test_post_to_a_private_address_sends_nothing(settings):
    settings.RAPPORT_OUTBOUND_ALLOW = []
    with (
        web_site({"/hook": answer(200)}) as site,
        pytest.raises(FetchError) as caught,
    ):
        post(f"{site.url}/hook", b"{}")

        assert site.seen == []
    assert str(caught.value) == outbound.PRIVATE
