"""Reads for calendar pages: one's own feed and imports (administrators see every import)."""

from django.db.models import QuerySet

from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian
from rapport.calendars.models import CalendarFeed, CalendarImport
from rapport.errors import NotFound


def active_feed_for(user: User) -> CalendarFeed | None:
    require_librarian(user, to="keep a calendar of follow-ups")
    return CalendarFeed.objects.filter(user=user, revoked_at=None).first()


def imports_for(user: User) -> QuerySet[CalendarImport]:
    require_librarian(user, to="import meetings")
    qs = CalendarImport.objects.select_related("created_by")
    return qs if user.is_admin else qs.filter(created_by=user)


def get_import_for(user: User, pk: int | str) -> CalendarImport:
    try:
        return imports_for(user).get(pk=int(pk))
    except (CalendarImport.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(f"There is no calendar import {pk} that you can see.") from None
