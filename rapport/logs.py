"""Keeping secrets out of log lines.

Some addresses are keys: a librarian's calendar feed (`/calendar/feed/<token>.ics`) and a
person's alert pages (`/alerts/<token>/…`) open without sign-in to whoever knows them. Django
writes the path of every 4xx and 5xx answer ("Not Found: /calendar/feed/cal_….ics"), the
development server and waitress write paths too, and a traceback may quote a URL. Log files
are read, copied and kept by more people and for longer than the database, so the filter that
settings.LOGGING puts on every handler replaces those tokens, and any Rapport token by its
prefix (`rpt_` API tokens, `cal_` feeds, `alr_` alert links, `whsec_` webhook secrets), with
`[redacted]` before a line is written.
"""

import logging
import re

PLACEHOLDER = "[redacted]"
#: One path segment in a log line: up to a slash, a space, a quote, a query or a fragment.
_SEGMENT = r"[^/\s\"'?#<>]+"
_END = r"(?=[/\s\"'?#<>]|$)"
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # A calendar feed's address (the pages `feed/new/` and `feed/revoke/` hold no key).
    (
        re.compile(rf"(/calendar/feed/)(?!(?:new|revoke)/){_SEGMENT}?(\.ics)?{_END}"),
        rf"\g<1>{PLACEHOLDER}\g<2>",
    ),
    # A person's alert pages: the first segment after /alerts/ is the key.
    (re.compile(rf"(/alerts/){_SEGMENT}"), rf"\g<1>{PLACEHOLDER}"),
    # Any of Rapport's own tokens and secrets, wherever they appear (a header, a message).
    (re.compile(r"\b(rpt|cal|alr|whsec)_[A-Za-z0-9_\-]{8,}"), rf"\g<1>_{PLACEHOLDER}"),
    # A token given as a query parameter.
    (
        re.compile(r"([?&](?:token|key|secret|signature)=)[^&\s\"'#]+", re.IGNORECASE),
        rf"\g<1>{PLACEHOLDER}",
    ),
]


def redact(text: str) -> str:
    """The text with every secret address and token replaced by the placeholder."""
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites a record's message (its arguments merged in) and its traceback text without
    secrets. Put on handlers, not loggers: a logger's filter does not see the records its
    children pass up (django.request's, say), a handler's sees every line it writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it for the formatter to report
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        # The request itself stays on the record for handlers that read it (an e-mail
        # report), but nothing configured here does.
        return True
