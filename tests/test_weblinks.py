"""The one check of web addresses (rapport/weblinks.py), and the rule that every template
puts an address into a link only through it."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.template import Context, Template
from hypothesis import example, given
from hypothesis import strategies as st

import rapport
from rapport.errors import Invalid
from rapport.weblinks import address_problem, clean_web_address, web_address

#: What browsers make of an address's scheme (the WHATWG URL parser, in short): leading and
#: trailing C0 controls and spaces dropped, tabs and newlines deleted anywhere, case ignored.
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))


def browser_scheme(value: str) -> str:
    text = value.strip(_C0_OR_SPACE).replace("\t", "").replace("\n", "").replace("\r", "")
    found = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", text)
    return found.group(1).lower() if found else ""  # "": relative to the page


NOT_WEB = "is not a web address (https://…)."
INVISIBLE = "has spaces or invisible characters; a web address has none."


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("javascript:alert(1)", f"“javascript:alert(1)” {NOT_WEB}"),
        ("JaVaScRiPt:alert(1)", f"“JaVaScRiPt:alert(1)” {NOT_WEB}"),
        (" javascript:alert(1)", f"“javascript:alert(1)” {NOT_WEB}"),
        ("\n\tjavascript:alert(1) ", f"“javascript:alert(1)” {NOT_WEB}"),
        ("\x01javascript:alert(1)", f"“\\x01javascript:alert(1)” {NOT_WEB}"),
        ("java\tscript:alert(1)", f"“java\\tscript:alert(1)” {NOT_WEB}"),
        ("java\nscript:alert(1)", f"“java\\nscript:alert(1)” {NOT_WEB}"),
        ("vbscript:msgbox(1)", f"“vbscript:msgbox(1)” {NOT_WEB}"),
        (
            "data:text/html,<script>alert(1)</script>",
            f"“data:text/html,<script>alert(1)</script>” {NOT_WEB}",
        ),
        ("//evil.example/x", f"“//evil.example/x” {NOT_WEB}"),
        ("/relative/path", f"“/relative/path” {NOT_WEB}"),
        ("ftp://files.example/x", f"“ftp://files.example/x” {NOT_WEB}"),
        ("file:///etc/passwd", f"“file:///etc/passwd” {NOT_WEB}"),
        ("example.org/page", f"“example.org/page” {NOT_WEB}"),
        ("ht\ttps://example.org", f"“ht\\ttps://example.org” {NOT_WEB}"),
        ("https://exa mple.org/", f"“https://exa mple.org/” {INVISIBLE}"),
        ("https://example.org/\u200b", f"“https://example.org/\\u200b” {INVISIBLE}"),
        ("https://example.org/a\x00b", f"“https://example.org/a\\x00b” {INVISIBLE}"),
        ("https://example.org/\ud800", f"“https://example.org/\\ud800” {INVISIBLE}"),
        (
            "https:example.org",
            "“https:example.org” names no server; e.g. https://example.org/page.",
        ),
        ("https:///path", "“https:///path” names no server; e.g. https://example.org/page."),
        (
            "https:\\\\evil.example",
            "“https:\\\\evil.example” names no server; e.g. https://example.org/page.",
        ),
        (
            "https://good.example\\@evil.example/",
            "“https://good.example\\@evil.example/” is not a valid web address (it has a "
            "backslash).",
        ),
        ("https://example.org:99999/", "“https://example.org:99999/” is not a valid web address."),
        ("http://[::1/", "“http://[::1/” is not a valid web address."),
        ("https://" + "a" * 993, "Keep the address under 1,000 characters; this one has 1,001."),
    ],
)
def test_anything_but_an_http_address_is_refused_with_the_field_named(value, message):
    with pytest.raises(Invalid) as err:
        clean_web_address(value, field="link")

    assert (err.value.message, err.value.fields) == (f"link: {message}", {"link": [message]})
    assert address_problem(value) == message
    assert web_address(value) == ""


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("https://example.org/page?q=1#top", "https://example.org/page?q=1#top"),
        ("http://example.org", "http://example.org"),
        ("  HTTPS://Example.org/X  ", "HTTPS://Example.org/X"),
        ("https://例え.jp/パス", "https://例え.jp/パス"),
        ("https://127.0.0.1:8000/feed", "https://127.0.0.1:8000/feed"),
        ("https://[::1]/x", "https://[::1]/x"),
        ("https://example.org/a%20b", "https://example.org/a%20b"),
    ],
)
def test_an_http_or_https_address_is_kept_trimmed(value, kept):
    assert clean_web_address(value, field="link") == kept
    assert web_address(value) == kept
    assert address_problem(value) == ""


def test_an_empty_address_is_empty_unless_one_is_required():
    assert clean_web_address("  ", field="link") == ""
    assert clean_web_address(None, field="link") == ""
    with pytest.raises(Invalid) as err:
        clean_web_address(" ", field="url", label="feed address", required=True)
    assert (err.value.message, err.value.fields) == (
        "feed address: Give a web address (https://…).",
        {"url": ["Give a web address (https://…)."]},
    )


def test_an_address_that_is_not_text_is_refused():
    with pytest.raises(Invalid) as err:
        clean_web_address(["https://example.org"], field="link")
    assert err.value.fields == {"link": ["Give the web address as text (https://…)."]}
    assert web_address(42) == ""


# Any text, and text built the way attacks on link checks are built.
_tricky = st.builds(
    lambda before, scheme, sep, rest: before + scheme + sep + rest,
    st.text(alphabet=" \t\n\r\x00\x01\x0b\x0c\x1f\x7f\u00a0\u200b\ufeff", max_size=3),
    st.sampled_from(
        [
            "http",
            "https",
            "HTTPS",
            "javascript",
            "JaVaScRiPt",
            "java\tscript",
            "vbscript",
            "data",
            "ht\ntps",
            "",
            "/",
        ]
    ),
    st.sampled_from([":", "://", ":/", ":\\\\", "//", ":\t//"]),
    st.text(max_size=40),
)


@given(st.one_of(st.text(), _tricky))
@example("java\tscript:alert(1)")
@example("\x00javascript:alert(1)")
@example("https://example.org/\ud800")
def test_whatever_the_text_it_is_refused_or_a_browser_reads_it_as_http(value):
    try:
        kept = clean_web_address(value, field="link")
    except Invalid as err:
        assert list(err.fields) == ["link"]
        assert err.message.encode("utf-8")  # quotable in a JSON answer: no lone surrogates
        assert web_address(value) == ""
        return
    assert web_address(value) == kept
    if kept:
        assert browser_scheme(kept) in {"http", "https"}
        assert urlsplit(kept).hostname
        assert kept == kept.strip(_C0_OR_SPACE)


def test_the_template_filter_gives_the_address_or_nothing():
    template = Template(
        "{% with href=link|safe_href %}"
        '{% if href %}<a href="{{ href }}">x</a>{% endif %}'
        "{% endwith %}"
    )

    assert template.render(Context({"link": " https://example.org/?a=1&b=2"})) == (
        '<a href="https://example.org/?a=1&amp;b=2">x</a>'
    )
    for bad in ("javascript:alert(1)", "java\tscript:alert(1)", "//evil.example", None, ""):
        assert template.render(Context({"link": bad})) == ""


# Addresses Rapport builds itself (reverse(), {% url %}, the site's own setting), never from
# what someone typed or a file held. A new name here needs a reason.
BUILT_HERE = {
    "preferences_url",  # awareness.subscriptions / digests: SITE_URL + reverse()
    "unsubscribe_url",
    "line.useful_url",  # digests.feedback_url: SITE_URL + reverse()
    "line.not_useful_url",
    "timeline_url",  # people.views: reverse()
    "links.csv",  # exports' {% export_links %}: reverse()
    "links.xlsx",
    "links.vcard",
    "hit.url",  # search.queries.url_for: reverse(), or a stored link through web_address
    "similar_base",  # {% url 'search:similar' as similar_base %}
    "site_url",  # today.digest: the SITE_URL setting
    "back_url",  # {% url ... as back_url %}
    "list_url",  # uploads.views.job_page: reverse() of the kind's list page
    "actions.check",  # uploads.views.job_page: reverse() of the kind's routes
    "actions.run",
    "actions.resume",
    "job.get_absolute_url",  # every upload job's get_absolute_url: reverse()
}
_ATTRIBUTE = re.compile(
    r"""\b(href|src|action|formaction|hx-(?:get|post|put|patch|delete))\s*=\s*(["'])(.*?)\2""",
    re.S,
)
_VARIABLE = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_TAG = re.compile(r"\{%.*?%\}", re.S)
_WITH_HREF = re.compile(r"\{%\s*with\s+href=(\S+)\s*%\}")


def _unchecked_addresses(text: str) -> list[str]:
    """Each `{{ … }}` that starts an address attribute (nothing but tags before it, so it
    decides the scheme) and is neither passed through safe_href nor built by Rapport."""
    found = []
    with_href = _WITH_HREF.findall(text)
    for attribute in _ATTRIBUTE.finditer(text):
        value = attribute.group(3)
        for variable in _VARIABLE.finditer(value):
            if _TAG.sub("", value[: variable.start()]).strip():
                continue  # a literal start ("mailto:", "/", "?page=") fixes the scheme
            expression = variable.group(1)
            if expression.endswith("|safe_href") or expression in BUILT_HERE:
                continue
            if (
                expression == "href"
                and with_href
                and all(w.endswith("|safe_href") for w in with_href)
            ):
                continue
            found.append(f"{attribute.group(1)}={expression}")
    return found


def test_every_template_puts_stored_addresses_into_links_only_through_safe_href():
    root = Path(rapport.__file__).parent
    templates = sorted(p for p in root.rglob("templates/**/*") if p.suffix in {".html", ".txt"})
    assert len(templates) > 50  # the walk found the templates

    unchecked = {
        str(p.relative_to(root)): found
        for p in templates
        if (found := _unchecked_addresses(p.read_text()))
    }

    assert unchecked == {}


def test_the_template_rule_catches_an_unchecked_link():
    assert _unchecked_addresses('<a href="{{ item.link }}">x</a>') == ["href=item.link"]
    assert _unchecked_addresses('<a href="{% if x %}{{ d.url }}{% endif %}">') == ["href=d.url"]
    assert _unchecked_addresses("{% with href=item.link %}<a href='{{ href }}'>") == ["href=href"]
    assert _unchecked_addresses('<a href="{{ item.link|safe_href }}">') == []
    assert _unchecked_addresses('<a href="mailto:{{ address }}">') == []
