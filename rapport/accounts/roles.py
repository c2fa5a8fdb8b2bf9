"""What a role may do, checked by the services before they write.

Reads are scoped by the queries (`people_for` and the like); these checks are for writes, where
a refusal must say why in words fit to show.
"""

from rapport.accounts.models import User
from rapport.errors import Forbidden


def require_librarian(by: User, *, to: str) -> None:
    """Refuse a manager: managers see aggregate figures only, so they may not `to` (e.g.
    "change requests"), which completes the message shown."""
    if by.is_manager:
        raise Forbidden(f"Managers see aggregate figures only and cannot {to}.")
