"""Secrets at rest that Rapport must read back (webhook signing secrets), encrypted.

Fernet (from the `cryptography` package: AES-128-CBC with an HMAC-SHA256, so a changed byte
is refused rather than read wrong). The Fernet keys are derived, with HKDF-SHA256, from key
material the operator configures:

- `RAPPORT_ENCRYPTION_KEY`: a comma-separated list. The first value encrypts; every value can
  still decrypt what it encrypted earlier. This is how the key is rotated: put the new one
  first, keep the old one after it, run `rapport reencrypt`, then drop the old one.
- Unset: the key is derived from Django's `SECRET_KEY`. The `SECRET_KEY` (and any
  `SECRET_KEY_FALLBACKS`) also always decrypt, so setting a dedicated key later reads what
  was stored before it, until `rapport reencrypt` has moved everything to it.

A database copy or a backup alone holds only ciphertext. Restored on a server with the same
key (or the same `SECRET_KEY`) it reads as before; with neither, the secrets cannot be read
and have to be made again (`SecretUnreadable` says so).
"""

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from rapport.errors import Invalid

#: Binds the derived keys to this one use: the same material gives other keys elsewhere.
PURPOSE = b"rapport: secrets at rest, v1"


class SecretUnreadable(Invalid):
    """A stored ciphertext that none of the configured keys opens."""

    # Rendered in a template, the value shows as empty instead of breaking the page.
    silent_variable_failure = True


def _fernet_key(material: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
        material.encode()
    )
    return base64.urlsafe_b64encode(derived)


def key_material() -> tuple[str, ...]:
    """Every key that may decrypt, the one that encrypts first; read from settings each call
    so a test (or a restart with new settings) sees its own."""
    configured = [k for k in getattr(settings, "RAPPORT_ENCRYPTION_KEY", []) if k]
    fallbacks = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return tuple(dict.fromkeys([*configured, *fallbacks]))


@functools.lru_cache(maxsize=8)
def _box(material: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(m)) for m in material])


def encrypt(value: str) -> str:
    """The value encrypted with the current key, as ASCII text for a text column."""
    return _box(key_material()).encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The value back; `SecretUnreadable` when no configured key opens it."""
    try:
        return _box(key_material()).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretUnreadable(
            "A stored secret cannot be read with this server's encryption key (was"
            " RAPPORT_ENCRYPTION_KEY or the secret key changed?). Put the old key back in"
            " RAPPORT_ENCRYPTION_KEY, after the new one, or make a new secret."
        ) from None


def reencrypt(token: str) -> str:
    """The same value encrypted with the current (first) key."""
    return encrypt(decrypt(token))
