"""Reads of librarians' accounts: who work can be logged as or handed to.

`librarians()` is the one definition (active, not a manager); `librarians_for(user)` is the
same list as a page shows it to someone, which only librarians and administrators see.
"""

from django.db.models import QuerySet

from rapport.access import scoped_row
from rapport.accounts.models import Role, User
from rapport.accounts.roles import require_detail


def librarians() -> QuerySet[User]:
    """Active librarians and administrators, by user name: the people who log touchpoints."""
    return User.objects.filter(is_active=True).exclude(role=Role.MANAGER).order_by("username")


def librarians_for(user: User) -> QuerySet[User]:
    """`librarians()` for a page: managers, who log and assign nothing, are refused."""
    require_detail(user, what="librarians' work")
    return librarians()


def access_librarian(user: User, pk: int | str, *, for_write: bool = False) -> User:
    """An active librarian (to assign work to, or log as); accounts change only through the
    account services, so `for_write` asks nothing more."""
    return scoped_row(
        librarians_for(user), pk, for_write=for_write, missing="There is no such active librarian."
    )
