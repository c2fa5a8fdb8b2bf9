"""Who owns a request: handing one over, or every open one of a librarian who leaves."""

from django.db import transaction

from rapport.accounts.models import User
from rapport.accounts.roles import require_admin, require_librarian
from rapport.audit.services import record
from rapport.concurrency import brought_up_to_date, save_changes, values_of
from rapport.errors import Invalid
from rapport.requests.models import OPEN_STATUSES, Request
from rapport.requests.queries import access_request
from rapport.requests.services.fields import check_owner, summary


@transaction.atomic
def reassign_request(*, by: User, request: Request, owner: User) -> Request:
    """Hand a request to another librarian (away, leaving, or better placed)."""
    require_librarian(by, to="change requests")
    check_owner(owner)
    row = access_request(by, request.pk, for_write=True)
    if owner.pk != row.owner_id:
        _hand_over(by, row, owner)
    return brought_up_to_date(request, row)


def _hand_over(by: User, row: Request, owner: User) -> None:
    before = values_of(row, ["owner"])
    row.owner = owner
    changes = save_changes(row, before)
    record(actor=by, action="reassign", obj=row, summary=summary(row), changes=changes)


@transaction.atomic
def reassign_all(*, by: User, from_user: User, to_user: User) -> list[Request]:
    """Move every open request of `from_user` (pending follow-ups included) to `to_user`, so
    nothing is left with a librarian who leaves. Administrators only."""
    require_admin(by, to="move all of a librarian's requests")
    if from_user.pk == to_user.pk:
        raise Invalid(
            "Choose a different librarian to take the requests over.",
            {"to_user": ["The same librarian."]},
        )
    check_owner(to_user)
    moving = list(
        Request.objects.select_for_update()
        .filter(owner=from_user, status__in=OPEN_STATUSES)
        .order_by("pk")
    )
    for row in moving:  # locked and fresh
        _hand_over(by, row, to_user)
    return moving
