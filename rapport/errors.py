"""Domain errors. Services raise them; views, the API and commands turn them into messages."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError


class RapportError(Exception):
    """An error with a message fit to show the person who caused it."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(RapportError):
    """The object does not exist, or the user may not see it (we do not say which)."""

    status = 404


class Forbidden(RapportError):
    status = 403


class Invalid(RapportError):
    """Input that cannot be saved; `fields` maps field names to messages."""

    status = 422

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}

    @classmethod
    def first_of(cls, fields: dict[str, list[str]], labels: Mapping[str, str]) -> "Invalid":
        """Every field's problems, worded by the first: a sentence of our own stands alone
        ("1 Jan 2001 is more than a year ago…"); a field in `labels` (one whose problem needs
        saying where, like Django's "Ensure this value…") is named as the form shows it,
        never by its code name ("occurred at: …")."""
        name, messages = next(iter(fields.items()))
        label = labels.get(name)
        return cls(f"{label}: {messages[0]}" if label else messages[0], fields)

    @classmethod
    def from_django(cls, error: DjangoValidationError) -> "Invalid":
        if hasattr(error, "error_dict"):
            fields = {
                name: [m for e in errs for m in e.messages]
                for name, errs in error.error_dict.items()
            }
            first = next(iter(fields.items()))
            label = "" if first[0] == "__all__" else f"{first[0]}: "
            return cls(f"{label}{first[1][0]}", fields)
        return cls("; ".join(error.messages), {"__all__": list(error.messages)})
