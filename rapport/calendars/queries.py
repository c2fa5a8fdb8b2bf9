"""Reads for calendar pages: one's own feed and imports (administrators see every import)."""

from django.db.models import QuerySet

from rapport.access import scoped_row
from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian, require_owner
from rapport.calendars.models import CalendarFeed, CalendarImport


def active_feed_for(user: User) -> CalendarFeed | None:
    require_librarian(user, to="keep a calendar of follow-ups")
    return CalendarFeed.objects.filter(user=user, revoked_at=None).first()


def imports_for(user: User) -> QuerySet[CalendarImport]:
    require_librarian(user, to="import meetings")
    qs = CalendarImport.objects.select_related("created_by")
    return qs if user.is_admin else qs.filter(created_by=user)


#: Meetings are logged as the librarian who uploaded the calendar: no one else works it, not
#: even an administrator (who may look).
ONLY_UPLOADER = "Only the librarian who uploaded this file can import it."


def access_calendar_import(user: User, pk: int | str, *, for_write: bool = False) -> CalendarImport:
    """A calendar import the user uploaded (any, to look at, for an administrator); for a
    write (previewing again, adding people, running, resuming), the uploader's own."""
    job = scoped_row(
        imports_for(user),
        pk,
        for_write=for_write,
        missing=f"There is no calendar import {pk} that you can see.",
    )
    if for_write:
        require_owner(user, job.created_by_id, message=ONLY_UPLOADER, or_admin=False)
    return job
