"""Web addresses: the one check for every URL Rapport stores or puts into a link.

Only `http://` and `https://` addresses with a server name pass. Anything else in an `href` is
a way in: `javascript:` (or `vbscript:`, `data:`) runs script in the reader's session when they
click, whoever they are. Browsers are lenient in ways a naive check is not: they ignore the
case of the scheme, drop leading spaces and control characters, and delete tabs and newlines
anywhere (`" java\\tscript:"` is `javascript:` to them), so the check refuses any address with
a space or an invisible character in it rather than guess what a browser would make of it.

    clean_web_address(value, field="link")   # services: the address, trimmed, or Invalid
    web_address(value)                        # importers and renderers: the address, or ""
    address_problem(value)                    # importers' report: why it is not one, or ""
    {{ item.link|safe_href }}                 # templates: the address, or "" (no link)
    absolute_url(path, request)               # a link to one of our pages, for a page or a mail

`absolute_url` builds a full address from the request being answered, so a page shows the
address the reader reached Rapport by; only without a request (e-mails, webhooks, feeds made
by a worker) does it fall back to the configured `SITE_URL`.

Services check what they store; templates check again with `safe_href`, because rows written
before this check (or restored from an old backup) may hold anything.
"""

import re
import unicodedata
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.http import HttpRequest

from rapport.errors import Invalid

SCHEMES = ("http", "https")
MAX_LENGTH = 1000

#: A scheme as RFC 3986 spells it: a letter, then letters, digits, "+", "-" or ".".
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
#: Unicode categories of characters that must not appear in an address: controls, format
#: characters (zero-width spaces, direction marks), lone surrogates, and every kind of space.
_INVISIBLE = {"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"}

register = template.Library()


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """The full address of `path` (one of our pages): from the request when there is one,
    else from the configured site address."""
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path


def _problem(text: str, max_length: int) -> str:
    """Why `text` (already trimmed, not empty) is not a web address; "" when it is one."""
    if len(text) > max_length:
        return f"Keep the address under {max_length:,} characters; this one has {len(text):,}."
    scheme = _SCHEME.match(text)
    if not scheme or scheme.group(1).lower() not in SCHEMES:
        return f"“{_shown(text)}” is not a web address (https://…)."
    if any(unicodedata.category(c) in _INVISIBLE for c in text):
        return f"“{_shown(text)}” has spaces or invisible characters; a web address has none."
    if not text[scheme.end() :].startswith("//"):
        return f"“{_shown(text)}” names no server; e.g. https://example.org/page."
    if "\\" in text:
        return f"“{_shown(text)}” is not a valid web address (it has a backslash)."
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (reading it checks that the port is a number in range)
    except ValueError:
        return f"“{_shown(text)}” is not a valid web address."
    if not parts.hostname:
        return f"“{_shown(text)}” names no server; e.g. https://example.org/page."
    return ""


def _shown(text: str, limit: int = 100) -> str:
    """The address as a message may quote it: shortened, invisible characters written as
    escapes (so a tab shows as \\t, and a lone surrogate cannot break a JSON answer)."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return "".join(
        repr(c)[1:-1] if unicodedata.category(c) in _INVISIBLE and c != " " else c for c in short
    )


def address_problem(value: str, *, max_length: int = MAX_LENGTH) -> str:
    """Why `value` is not a web address, said for a librarian; "" when it is one or is empty."""
    text = (value or "").strip()
    return _problem(text, max_length) if text else ""


def web_address(value: object, *, max_length: int = MAX_LENGTH) -> str:
    """The address, trimmed, when it is an http(s) address with a server name; else ""."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    return text if text and not _problem(text, max_length) else ""


def clean_web_address(
    value: object,
    *,
    field: str,
    label: str = "",
    required: bool = False,
    max_length: int = MAX_LENGTH,
) -> str:
    """The address, trimmed ("" when empty and not required), or Invalid naming `field`."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        if value not in (None, "") and not isinstance(value, str):
            message = "Give the web address as text (https://…)."
        elif required:
            message = "Give a web address (https://…)."
        else:
            return ""
    else:
        message = _problem(text, max_length)
        if not message:
            return text
    raise Invalid(f"{label or field}: {message}", {field: [message]})


@register.filter(is_safe=False)
def safe_href(value: object) -> str:
    """For `href="{{ x|safe_href }}"`: the address when it is a web address, else "" (so the
    template shows no link). Autoescaping still applies to what is returned."""
    return web_address(value)
