"""Reads of librarians' accounts: who work can be logged as or handed to.

`librarians()` is the one definition (active, not a manager); `librarians_for(user)` is the
same list as a page shows it to someone, which only librarians and administrators see.
"""

from django.db.models import QuerySet

from rapport.accounts.models import Role, User
from rapport.errors import Forbidden, NotFound


def librarians() -> QuerySet[User]:
    """Active librarians and administrators, by user name: the people who log touchpoints."""
    return User.objects.filter(is_active=True).exclude(role=Role.MANAGER).order_by("username")


def librarians_for(user: User) -> QuerySet[User]:
    """`librarians()` for a page: managers, who log and assign nothing, are refused."""
    if user.is_manager:
        raise Forbidden("Managers see aggregate figures only, not librarians' work.")
    return librarians()


def get_librarian_for(user: User, pk: int) -> User:
    try:
        return librarians_for(user).get(pk=pk)
    except User.DoesNotExist:
        raise NotFound("There is no such active librarian.") from None
