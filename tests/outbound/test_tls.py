"""HTTPS to the checked address: the name still goes in TLS's SNI and the certificate is
checked against it. The server's certificate (certs/site.pem, for feeds.example) is signed by
a test authority (certs/ca.pem), both valid 2000 to 2199; Rapport trusts that authority
through SSL_CERT_FILE, which OpenSSL reads for its default trust store."""

import socket
import ssl
from pathlib import Path

import pytest

from rapport import outbound
from rapport.outbound import FetchError, fetch
from tests.servers import answer, web_site

CERTS = Path(__file__).parent / "certs"

pytestmark = pytest.mark.usefixtures("allow_loopback")


@pytest.fixture
def tls(monkeypatch):
    """A server context presenting the feeds.example certificate; `tls.names` holds the SNI
    name each client sent."""
    monkeypatch.setenv("SSL_CERT_FILE", str(CERTS / "ca.pem"))
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, *a, **kw: real(
            "127.0.0.1" if host in ("feeds.example", "other.example") else host, *a, **kw
        ),
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERTS / "site.pem")
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    context.names = names  # type: ignore[attr-defined]
    return context


def test_https_connects_to_the_checked_address_with_the_name_for_sni_and_certificate(tls):
    with web_site({"/feed": answer(200, b"secure")}, tls=tls) as site:
        response = fetch(f"https://feeds.example:{site.port}/feed")

    assert response.body == b"secure"
    assert tls.names == ["feeds.example"]
    assert site.seen[0].headers["Host"] == f"feeds.example:{site.port}"


def test_a_certificate_for_another_name_is_refused(tls):
    with (
        web_site({"/feed": answer(200, b"secure")}, tls=tls) as site,
        pytest.raises(FetchError) as caught,
    ):
        fetch(f"https://other.example:{site.port}/feed")

        assert site.seen == []
    assert str(caught.value) == outbound.TLS_NOT_VERIFIED


def test_https_to_a_server_that_speaks_plain_http_fails_plainly(tls):
    with (
        web_site({"/feed": answer(200, b"plain")}) as site,
        pytest.raises(FetchError) as caught,
    ):
        fetch(f"https://127.0.0.1:{site.port}/feed")

    assert str(caught.value) == "A secure connection to the site could not be made."
