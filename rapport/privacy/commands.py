"""What the privacy commands share: who is acting, and the person by id."""

from rapport.accounts.models import User
from rapport.accounts.roles import require_admin
from rapport.errors import NotFound
from rapport.people.models import Person


def acting_admin(username: str | None) -> User | None:
    """The administrator named by --by; None (the operator at the command line) when not
    given: whoever can run commands on the server already holds every key."""
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"There is no user “{username}”.")
    require_admin(user, to="act on privacy requests")
    return user


def person_by_id(pk: int) -> Person:
    try:
        return Person.objects.select_related("referred_by", "created_by").get(pk=pk)
    except Person.DoesNotExist:
        raise NotFound(f"There is no person {pk}.") from None
