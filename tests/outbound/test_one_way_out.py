"""docs/architecture.md: every outbound request goes through rapport.outbound. A module that
opened its own connection would skip the private-address checks, so none may."""

import re
from pathlib import Path

RAPPORT = Path(__file__).parents[2] / "rapport"
# Ways to open a connection by URL or host name, beside the one module allowed to.
DIRECT = re.compile(
    r"^\s*(?:import|from)\s+(?:urllib\.request|urllib3|http\.client|requests|httpx|aiohttp|"
    r"pycurl)\b|socket\.create_connection|\burlopen\(",
    re.M,
)


def test_no_module_but_outbound_opens_connections_of_its_own():
    offenders = sorted(
        str(path.relative_to(RAPPORT.parent))
        for path in RAPPORT.rglob("*.py")
        if path.parent != RAPPORT / "outbound"
        if DIRECT.search(path.read_text(encoding="utf-8"))
    )

    assert offenders == []


def test_the_pattern_finds_a_direct_request():
    assert DIRECT.search("import urllib.request\n")
    assert DIRECT.search("    from http.client import HTTPSConnection\n")
    assert DIRECT.search("body = urlopen(url).read()")
    assert not DIRECT.search("from urllib.parse import urlsplit\n")
