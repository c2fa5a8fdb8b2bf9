"""Who may do what by role: the one module of role rules.

Every check that refuses someone for their role lives here, and every caller (queries,
services, pages, API routes, commands) calls these; nothing else raises `Forbidden` for a role.
Which *objects* a user may reach is the access-scoped queries' job (`people_for`, and
`access_<thing>(user, pk, *, for_write)` for one object, which calls these rules).

The three roles:
- librarian: works with individual people and their records, within their reach;
- manager: aggregate figures only — no individual person, touchpoint or request, no writes;
- admin: everything a librarian does, for every person, plus the library's settings
  (accounts, cadence rules, webhooks, privacy). Confidential entries stay their author's.
"""

from rapport.accounts.models import User
from rapport.errors import Forbidden

MANAGERS = "Managers see aggregate figures only"


def require_librarian(user: User | None, *, to: str) -> None:
    """Refuse a manager a change: `to` completes "…and cannot <to>" (e.g. "change requests").
    None is no librarian at all (the person on their own alert page, or the system), which no
    role rule concerns."""
    if user is not None and user.is_manager:
        raise Forbidden(f"{MANAGERS} and cannot {to}.")


def require_detail(user: User, *, what: str) -> None:
    """Refuse a manager a look at individual records: `what` completes "…not individual <what>"
    (e.g. "people")."""
    if user.is_manager:
        raise Forbidden(f"{MANAGERS}, not individual {what}.")


def require_admin(user: User | None, *, to: str) -> None:
    """Only administrators may `to` (e.g. "manage webhooks"). None is the operator at the
    command line, who holds the server's keys already; pages and the API always pass a user."""
    if user is not None and not user.is_admin:
        raise Forbidden(f"Only administrators can {to}.")


def is_owner(user: User, owner_id: int | None, *, or_admin: bool = True) -> bool:
    """Whether `user` is the librarian a record belongs to (who logged or uploaded it), or an
    administrator when `or_admin`. Pages ask this to offer only what will work."""
    if user.is_manager:
        return False
    return owner_id == user.pk or (or_admin and user.is_admin)


def require_owner(user: User, owner_id: int | None, *, message: str, or_admin: bool = True) -> None:
    """Refuse anyone but the owner (and administrators, when `or_admin`) with `message`."""
    if not is_owner(user, owner_id, or_admin=or_admin):
        raise Forbidden(message)
