"""A request's fields and the checks every write to them makes: shared by the other modules
of this package, not called from outside it (the package's `__init__` says what is public)."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from rapport.accounts.models import Role, User
from rapport.errors import Invalid
from rapport.people.models import Person
from rapport.requests.models import Request, Status
from rapport.touchpoints.models import Touchpoint

MAX_TEXT = 20_000
MAX_PAST_DAYS = 365
MAX_FUTURE_DAYS = 5 * 365
MIN_FOLLOW_UP_DAYS, MAX_FOLLOW_UP_DAYS = 1, 365
MAX_TAGS = 20

# Fields a librarian sets in the form or the API; owner changes through reassign_request.
REQUEST_FIELDS = [
    "title",
    "need",
    "purpose",
    "project",
    "grant",
    "course",
    "deadline",
    "scope",
    "preferred_format",
    "due_on",
    "group",
    "follow_up_days",
]
AUDITED = [*REQUEST_FIELDS, "owner", "status", "follow_up_on", "outcome", "story", "story_tags"]
OUTCOME_FIELDS = ["outcome", "story", "story_tags"]


def headline(text: str) -> str:
    """A short title from the need: its first line, cut at a word before 120 characters."""
    first = " ".join(text.strip().split("\n", 1)[0].split())
    if len(first) <= 120:
        return first
    return first[:120].rsplit(" ", 1)[0] + "…"


def summary(req: Request) -> str:
    """How the audit trail names a request."""
    return f"#{req.pk} {req.title}"


def local_today(now: dt.datetime | None) -> dt.date:
    """Today in the library's zone: a follow-up date is a calendar date, so DST cannot shift
    it by an hour into the day before."""
    return timezone.localdate(now or timezone.now())


def check_owner(owner: User) -> None:
    """Only an active librarian or administrator can own a request."""
    may_own = owner.is_superuser or owner.role in (Role.LIBRARIAN, Role.ADMIN)
    if not (owner.is_active and may_own):
        raise Invalid(
            f"{owner.username} cannot own a request: an owner is an active librarian or "
            "administrator, not a manager.",
            {"owner": ["Choose an active librarian."]},
        )


def check_linkable(touchpoint: Touchpoint) -> None:
    """A confidential touchpoint never joins a request, which other librarians may see."""
    if touchpoint.confidential:
        raise Invalid(
            "A confidential touchpoint stays with its author; it cannot join a request other "
            "librarians may see.",
            {"touchpoint": ["Confidential."]},
        )


#: The fields whose problems need saying where, as the request forms name them
#: (`Invalid.first_of`); the others' messages are whole sentences.
LABELS = {
    "title": "Short title",
    "purpose": "What it is for",
    "project": "Project",
    "grant": "Grant",
    "course": "Course",
    "deadline": "Their deadline",
    "scope": "Scope",
    "preferred_format": "Preferred format",
    "due_on": "Due",
    "outcome": "How did it go?",
    "story": "Impact story",
}


def require_people(people: list[Person]) -> None:
    """A request is always for someone."""
    if not people:
        raise Invalid(
            "A request needs at least one person who asked.",
            {"people": ["Name at least one person."]},
        )


def _check_date(errors: dict[str, list[str]], name: str, value: Any, today: dt.date) -> None:
    if value is None:
        return
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[name] = ["Give a date."]
    elif value < today - dt.timedelta(days=MAX_PAST_DAYS):
        errors[name] = [f"{value:%-d %b %Y} is more than a year ago; give the date still ahead."]
    elif value > today + dt.timedelta(days=MAX_FUTURE_DAYS):
        errors[name] = [f"{value:%-d %b %Y} is more than five years ahead."]


def _clean_tags(tags: Any, errors: dict[str, list[str]]) -> list[str]:
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        errors["story_tags"] = ["Tags must be a list of words."]
        return []
    cleaned = list(dict.fromkeys(t.strip().lstrip("#").lower() for t in tags if t.strip()))
    if len(cleaned) > MAX_TAGS:
        errors["story_tags"] = [f"At most {MAX_TAGS} tags."]
    elif any(len(t) > 50 for t in cleaned):
        errors["story_tags"] = ["Keep each tag under 50 characters."]
    return cleaned


def clean(req: Request, today: dt.date, dates: Iterable[str] = ()) -> None:
    """Normalise and check a request; only the date fields in `dates` (the ones being set) are
    checked against today, so editing an old request does not trip on its old due date."""
    errors: dict[str, list[str]] = {}
    req.need = (req.need or "").strip()
    if not req.need:
        errors["need"] = ["What do they need? Write it in their words."]
    req.title = " ".join((req.title or "").split()) or headline(req.need)
    for name in ("need", "purpose", "scope", "outcome", "story"):
        if len(getattr(req, name)) > MAX_TEXT:
            errors[name] = [f"Keep this under {MAX_TEXT:,} characters."]
    days = req.follow_up_days
    if not isinstance(days, int) or not MIN_FOLLOW_UP_DAYS <= days <= MAX_FOLLOW_UP_DAYS:
        errors["follow_up_days"] = [
            f"Follow up after {MIN_FOLLOW_UP_DAYS} to {MAX_FOLLOW_UP_DAYS} days, not {days}."
        ]
    for name in dates:
        _check_date(errors, name, getattr(req, name), today)
    req.story_tags = _clean_tags(req.story_tags, errors)
    exclude = ["owner", "created_by", "status_changed_at", "story_tags", "follow_up_days"]
    if not req.title:
        exclude.append("title")  # no need, so no title from it: the need's message says it
    try:
        req.full_clean(exclude=[*exclude, *errors], validate_constraints=False)
    except ValidationError as e:
        for name, messages in e.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise Invalid.first_of(errors, LABELS)


def assign(req: Request, fields: dict[str, Any]) -> None:
    """Set the interview fields given; any other name is refused."""
    unknown = set(fields) - set(REQUEST_FIELDS)
    if unknown:
        raise Invalid(
            f"Unknown field(s): {', '.join(sorted(unknown))}.",
            {f: ["Unknown field."] for f in sorted(unknown)},
        )
    for name, value in fields.items():
        if value is None and name not in ("deadline", "due_on", "group"):
            if name == "follow_up_days":
                continue
            value = ""
        setattr(req, name, value)


def follow_up_on(req: Request) -> dt.date | None:
    """Delivered: the delivery date plus the request's follow-up interval."""
    if req.status != Status.DELIVERED:
        return req.follow_up_on
    delivered = timezone.localdate(req.status_changed_at)
    return delivered + dt.timedelta(days=req.follow_up_days)
