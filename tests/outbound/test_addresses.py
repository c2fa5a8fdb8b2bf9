"""Which addresses rapport.outbound reaches: public ones, and what RAPPORT_OUTBOUND_ALLOW
opens; checked when an address is saved (no DNS) and when a name is resolved."""

import ipaddress
import socket

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from rapport import outbound
from rapport.outbound import FetchError, allowed, check_destination, public

ip = ipaddress.ip_address


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "93.184.216.34",
        "2606:4700::1111",
        "2a00:1450:4001:81b::200e",
        "::ffff:8.8.8.8",  # IPv4-mapped: judged by the IPv4 address
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8, as an IPv6-only network's resolver gives it
    ],
)
def test_public_addresses_are_public(address):
    assert public(ip(address)) is True


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "0.0.0.0",
        "0.1.2.3",
        "10.0.0.1",
        "172.16.5.4",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "192.0.0.8",
        "192.0.2.1",  # documentation
        "198.18.0.1",  # benchmarking
        "224.0.0.1",  # multicast
        "239.255.255.250",
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "::1",
        "::",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible (deprecated)
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "fc00::1",
        "fd12:3456::1",  # unique local
        "fe80::1",  # link-local
        "fec0::1",  # site-local (deprecated)
        "ff02::1",  # multicast
        "2001:db8::1",  # documentation
        "2001::1",  # Teredo
        "100::1",  # discard-only
    ],
)
def test_private_and_special_addresses_are_not_public(address):
    assert public(ip(address)) is False


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_an_ipv4_address_inside_ipv6_is_judged_as_the_ipv4_address(number):
    v4 = ipaddress.IPv4Address(number)

    assert public(ipaddress.IPv6Address(f"::ffff:{v4}")) == public(v4)
    assert public(ipaddress.IPv6Address((0x64FF9B << 96) | number)) == public(v4)
    if not public(v4):
        assert public(ipaddress.IPv6Address((0x2002 << 112) | (number << 80))) is False


def test_the_allow_list_reads_addresses_networks_names_and_domains():
    allow = allowed([" 10.0.0.0/8", "127.0.0.1", "[fd00::1]", "Feeds.Campus.Example.", "*.lib.edu"])

    assert allow.networks == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("fd00::1/128"),
    )
    assert allow.address(ip("10.200.0.1")) is True
    assert allow.address(ip("::ffff:127.0.0.1")) is True  # the IPv4 inside counts
    assert allow.address(ip("127.0.0.2")) is False
    assert allow.name("feeds.campus.example") is True
    assert allow.name("other.campus.example") is False
    assert allow.name("hooks.lib.edu") is True
    assert allow.name("lib.edu") is False
    assert allow.name("evil-lib.edu") is False


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "http://x.example/", "a b", "*.", "x..y"])
def test_a_bad_allow_list_entry_stops_with_its_name(settings, entry):
    settings.RAPPORT_OUTBOUND_ALLOW = [entry]

    with pytest.raises(ImproperlyConfigured) as caught:
        check_destination("https://example.org/")

    assert str(caught.value) == (
        f"RAPPORT_OUTBOUND_ALLOW: “{entry}” is neither an address, a network such as "
        "10.0.0.0/8, a host name, nor *.domain."
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://0/",
        "http://[::]/",
        "http://[::1]:8080/",
        "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:127.0.0.1]/",
        "http://localhost/",
        "http://LOCALHOST./",
        "http://db.localhost/",
        "http://10.1.1.1/",
        "http://169.254.169.254/",
        "https://[fe80::1]/",
    ],
)
def test_an_address_that_can_only_be_private_is_refused_when_saved(url):
    with pytest.raises(FetchError) as caught:
        check_destination(url)

    assert str(caught.value) == outbound.PRIVATE


@pytest.mark.parametrize(
    "url", ["https://example.org/hook", "http://8.8.8.8/", "https://[2606:4700::1111]/"]
)
def test_a_public_address_or_a_name_passes_when_saved(url):
    check_destination(url)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/", "file:///etc/passwd", "gopher://x/", "http:///path", "x"]
)
def test_what_is_not_a_web_address_is_refused(url):
    with pytest.raises(FetchError) as caught:
        check_destination(url)

    assert str(caught.value) == outbound.NOT_WEB


def test_a_name_with_a_public_and_a_private_address_is_refused(monkeypatch):
    def resolver(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)

    with pytest.raises(FetchError) as caught:
        outbound.fetch("https://both.example/feed", timeout=0.5)

    assert str(caught.value) == outbound.PRIVATE


def test_a_name_that_does_not_resolve_is_said_plainly():
    with pytest.raises(FetchError) as caught:
        outbound.fetch("https://no-such-host.invalid/feed", timeout=1)

    assert str(caught.value) == "There is no site at that address; check it for a typing error."
