"""Signing deliveries: HMAC-SHA256 over "{timestamp}.{body}" with the endpoint's secret.

The header reads `Rapport-Signature: t=<unix seconds>,v1=<hex digest>`. The timestamp is part of
what is signed, so a receiver that rejects old timestamps cannot be fed a recorded delivery
again. `verify` is what a receiver does; Rapport itself only signs (tests verify).
"""

import hashlib
import hmac
import time

HEADER = "Rapport-Signature"
#: How old a signature a receiver should accept, in seconds (the docs suggest the same).
TOLERANCE = 300


class BadSignature(Exception):
    """The header is missing, malformed, too old, or does not match the body."""


def digest(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={digest(secret, timestamp, body)}"


def verify(
    secret: str, header: str, body: bytes, *, now: float | None = None, tolerance: int = TOLERANCE
) -> int:
    """Check a received delivery; returns its timestamp, or raises BadSignature."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise BadSignature("No timestamp in the signature header.") from None
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise BadSignature("The signature is too old (or from the future).")
    expected = digest(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        raise BadSignature("The signature does not match the body.")
    return timestamp
