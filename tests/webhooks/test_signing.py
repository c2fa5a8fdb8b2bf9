"""Signatures: what a receiver checks, and that any change to body, time or secret fails."""

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapport.webhooks.signing import BadSignature, signature_header, verify

SECRET = "whsec_test-secret"
BODY = b'{"id":"1","event":"webhook.test","created_at":"2026-11-29T08:00:00+00:00","data":{}}'


def test_signature_header_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()

    assert signature_header(SECRET, 1_700_000_000, BODY) == f"t=1700000000,v1={expected}"


def test_verify_returns_the_timestamp_of_a_fresh_signature():
    header = signature_header(SECRET, 1_700_000_000, BODY)

    assert verify(SECRET, header, BODY, now=1_700_000_100) == 1_700_000_000


@pytest.mark.parametrize(
    ("header", "body", "now", "message"),
    [
        ("v1=abc", BODY, 1_700_000_000, "No timestamp in the signature header."),
        ("t=soon,v1=abc", BODY, 1_700_000_000, "No timestamp in the signature header."),
        (None, BODY, 1_700_000_301, "The signature is too old (or from the future)."),
        (None, BODY, 1_699_999_699, "The signature is too old (or from the future)."),
        (None, BODY + b" ", 1_700_000_000, "The signature does not match the body."),
        ("t=1700000000,v1=00", BODY, 1_700_000_000, "The signature does not match the body."),
    ],
)
def test_verify_refuses(header, body, now, message):
    header = header or signature_header(SECRET, 1_700_000_000, BODY)

    with pytest.raises(BadSignature) as err:
        verify(SECRET, header, body, now=now)

    assert str(err.value) == message


def test_verify_refuses_another_secret():
    header = signature_header("whsec_old", 1_700_000_000, BODY)

    with pytest.raises(BadSignature):
        verify(SECRET, header, BODY, now=1_700_000_000)


@given(secret=st.text(min_size=1, max_size=60), body=st.binary(max_size=2_000), flip=st.data())
def test_any_body_verifies_and_any_changed_byte_does_not(secret, body, flip):
    header = signature_header(secret, 1_700_000_000, body)
    assert verify(secret, header, body, now=1_700_000_000) == 1_700_000_000
    if body:
        at = flip.draw(st.integers(0, len(body) - 1))
        changed = body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]
        with pytest.raises(BadSignature):
            verify(secret, header, changed, now=1_700_000_000)
