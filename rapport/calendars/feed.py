"""What a librarian's calendar feed holds: follow-ups, request due dates, snoozes ending.

Each entry is an all-day event with a stable UID, so a calendar client updates it in place when
a date moves. Only titles and names go into the feed, never question text, notes or snooze
reasons: calendar services keep copies of what they subscribe to.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import User
from rapport.calendars.ics import AllDayEvent, calendar
from rapport.people.models import Person
from rapport.relationships.models import Snooze
from rapport.requests.models import Request, Status

PAST_DAYS = 30
FUTURE_DAYS = 365
NAMES_SHOWN = 5


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _uid(name: str) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "rapport.invalid"
    return f"rapport-{name}@{host}"


def _names(people: list[Person]) -> str:
    names = [p.full_name for p in people[:NAMES_SHOWN]]
    more = len(people) - len(names)
    return ", ".join(names) + (f" and {more} more" if more else "")


def _request_event(req: Request, kind: str, day: dt.date) -> AllDayEvent:
    people = list(req.people.all())
    label = {"follow-up": "Follow up", "due": "Due"}[kind]
    lines = [f"Request #{req.pk}: {req.title}"]
    if people:
        lines.append(f"For {_names(people)}")
    lines.append(f"Status: {req.get_status_display()}")
    url = _link(reverse("requests:detail", args=[req.pk]))
    lines.append(url)
    return AllDayEvent(
        uid=_uid(f"request-{req.pk}-{kind}"),
        day=day,
        summary=f"{label}: {req.title}",
        description="\n".join(lines),
        url=url,
        stamp=req.updated_at,
        categories=("Rapport", "Follow-up" if kind == "follow-up" else "Request due"),
    )


def _snooze_event(snooze: Snooze) -> AllDayEvent:
    person = snooze.person
    url = _link(reverse("people:person_detail", args=[person.pk]))
    return AllDayEvent(
        uid=_uid(f"snooze-{snooze.pk}"),
        day=snooze.until,
        summary=f"Back on Today: {person.full_name}",
        description=f"The snooze on {person.full_name} ends; they are back on your Today page.\n"
        + url,
        url=url,
        stamp=snooze.created_at,
        categories=("Rapport", "Snooze ends"),
    )


def feed_events(user: User, today: dt.date | None = None) -> list[AllDayEvent]:
    """The user's entries from PAST_DAYS ago to FUTURE_DAYS ahead, by day then UID."""
    today = today or timezone.localdate()
    start, end = today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=FUTURE_DAYS)
    owned = Request.objects.filter(owner=user).prefetch_related("people")
    events: list[AllDayEvent] = []
    for req in owned.filter(status=Status.DELIVERED, follow_up_on__range=(start, end)):
        assert req.follow_up_on is not None
        events.append(_request_event(req, "follow-up", req.follow_up_on))
    due = owned.filter(status__in=(Status.NEW, Status.IN_PROGRESS), due_on__range=(start, end))
    for req in due:
        assert req.due_on is not None
        events.append(_request_event(req, "due", req.due_on))
    snoozes = Snooze.objects.filter(
        user=user, until__range=(start, end), person__archived_at=None
    ).select_related("person")
    events.extend(_snooze_event(s) for s in snoozes)
    return sorted(events, key=lambda e: (e.day, e.uid))


def feed_text(user: User, today: dt.date | None = None) -> str:
    return calendar(f"Rapport: {user.display_name}", feed_events(user, today))
