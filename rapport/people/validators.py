"""Checks on identifiers that people type or import."""

import re

from django.core.exceptions import ValidationError

ORCID_RE = re.compile(r"^(?:https?://orcid\.org/)?(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$", re.I)


def normalise_orcid(value: str) -> str:
    """Return the ORCID iD as 0000-0000-0000-000X, or raise ValidationError with the reason."""
    match = ORCID_RE.match(value.strip())
    if not match:
        raise ValidationError(f"“{value}” is not an ORCID iD (expected 0000-0000-0000-000X).")
    digits = "".join(match.groups()).upper()
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if digits[-1] != expected:
        raise ValidationError(f"“{value}” has a wrong check digit; please check the ORCID iD.")
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))
