"""Domain errors. Services raise them; views, the API and commands turn them into messages."""

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
