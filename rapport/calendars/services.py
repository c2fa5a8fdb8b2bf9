"""Writes for calendars: the private feed (make, replace, revoke, serve) and .ics imports.

An import is an upload job of the kind `MEETINGS` (`rapport.uploads.lifecycle`: upload,
check, run, resume): checked when it is uploaded (nothing written: a file over 256 KB is
checked by the worker, never in the web process), then run by the worker, which reads the
file again and logs what is new. Running the same file twice logs nothing twice (see
`importer.external_id`). The run is one transaction: a run whose worker died left nothing
behind, and `resume` queues it again at once.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian
from rapport.audit.services import record
from rapport.calendars.feed import feed_text
from rapport.calendars.importer import Plan, log_all, plan
from rapport.calendars.models import (
    FEED_PREFIX,
    CalendarFeed,
    CalendarImport,
    hash_feed_token,
    new_feed_token,
)
from rapport.calendars.queries import access_calendar_import
from rapport.calendars.reader import Reading, decode, read_meetings
from rapport.errors import Invalid, NotFound, RapportError
from rapport.people.services import create_person
from rapport.uploads.kinds import Progress
from rapport.uploads.lifecycle import FileKind
from rapport.uploads.models import too_large, upload_limit
from rapport.uploads.services import Stored

DEFAULT_SINCE_DAYS = 90
MAX_MB = 20  # a calendar is read whole, into memory: a cap under RAPPORT_IMPORT_MAX_MB
# Reading a calendar takes about thirty times its size in memory (icalendar's objects): files
# up to this size are checked in the web request, larger ones by the worker.
INLINE_BYTES = 256 * 1024
SNIFF_BYTES = 100_000  # a calendar says BEGIN:VCALENDAR (or BEGIN:VEVENT) in its start
SHOWN = 500  # meetings listed in a preview
LISTED = 200  # unmatched addresses and problems kept
FETCH_MARK = dt.timedelta(minutes=1)


class FeedGone(RapportError):
    """A feed that existed but was revoked, or whose librarian may no longer have one."""

    status = 410


# The feed ------------------------------------------------------------------------------------


@transaction.atomic
def create_feed(*, by: User) -> tuple[CalendarFeed, str]:
    """A new secret feed address (the old one stops working); the raw token is shown once."""
    require_librarian(by, to="keep a calendar of follow-ups")
    replaced = _revoke_all(by)
    raw = new_feed_token()
    feed = CalendarFeed.objects.create(user=by, token_hash=hash_feed_token(raw), hint=raw[:8])
    record(
        actor=by,
        action="create",
        obj=feed,
        summary="Calendar feed replaced" if replaced else "Calendar feed created",
        changes={"replaced": replaced},
    )
    return feed, raw


def _revoke_all(by: User) -> list[int]:
    ids = list(
        CalendarFeed.objects.select_for_update()
        .filter(user=by, revoked_at=None)
        .values_list("pk", flat=True)
    )
    CalendarFeed.objects.filter(pk__in=ids).update(revoked_at=timezone.now())
    return ids


@transaction.atomic
def revoke_feed(*, by: User) -> int:
    """Stop every feed address of `by`; returns how many were active."""
    require_librarian(by, to="keep a calendar of follow-ups")
    revoked = _revoke_all(by)
    for pk in revoked:
        feed = CalendarFeed.objects.get(pk=pk)
        record(actor=by, action="revoke", obj=feed, summary="Calendar feed revoked")
    return len(revoked)


def open_feed(raw: str) -> CalendarFeed:
    """The feed a raw token opens: NotFound for a token never issued, FeedGone for one revoked
    or whose librarian was deactivated or is now a manager."""
    if not raw.startswith(FEED_PREFIX) or len(raw) > 100:
        raise NotFound("There is no such calendar feed.")
    feed = (
        CalendarFeed.objects.select_related("user").filter(token_hash=hash_feed_token(raw)).first()
    )
    if feed is None:
        raise NotFound("There is no such calendar feed.")
    if not feed.is_active or not feed.user.is_active or feed.user.is_manager:
        raise FeedGone("This calendar feed was turned off. Ask Rapport for a new address.")
    return feed


@dataclass
class Served:
    body: bytes
    etag: str
    changed_at: dt.datetime


def serve_feed(feed: CalendarFeed, today: dt.date | None = None) -> Served:
    """The feed's text with a validator. `changed_at` is when this content was first served, so
    Last-Modified moves only when an entry does (including one disappearing)."""
    body = feed_text(feed.user, today).encode("utf-8")
    etag = hashlib.sha256(body).hexdigest()[:32]
    now = timezone.now()
    updates: dict[str, object] = {}
    if etag != feed.etag or feed.changed_at is None:
        updates.update(etag=etag, changed_at=now.replace(microsecond=0))
    if feed.last_fetched_at is None or now - feed.last_fetched_at > FETCH_MARK:
        updates["last_fetched_at"] = now
    if updates:
        CalendarFeed.objects.filter(pk=feed.pk).update(**updates)
        for name, value in updates.items():
            setattr(feed, name, value)
    assert feed.changed_at is not None
    return Served(body=body, etag=etag, changed_at=feed.changed_at)


# Imports -------------------------------------------------------------------------------------


def default_since(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) - dt.timedelta(days=DEFAULT_SINCE_DAYS)


def read_file(
    by: User, data: bytes, since: dt.date, now: dt.datetime | None = None
) -> tuple[Reading, Plan]:
    """What a file holds from `since` until now, and what importing it would log for `by`."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time(), tzinfo=tz)
    reading = read_meetings(data, since=start, until=now or timezone.now(), tz=tz)  # type: ignore[arg-type]
    return reading, plan(by, reading)


def _check_since(since: dt.date, today: dt.date) -> None:
    if since > today:
        raise Invalid("Choose a start day that is not in the future.", {"since": ["In future."]})
    if since.year < 1950:
        raise Invalid("That start day is too far in the past.", {"since": ["Too early."]})


def _fill(job: CalendarImport, reading: Reading, result: Plan, logged: int | None = None) -> None:
    job.events = reading.events
    job.meetings = len(result.to_log) if logged is None else logged
    job.already = result.already
    job.skipped = dict(sorted(result.skipped.items()))
    job.planned = [
        [
            f"{timezone.localtime(p.meeting.start):%a %d %b %Y %H:%M}",
            p.meeting.summary[:120] or "Meeting",
            p.meeting.minutes,
            p.channel,
            [person.full_name for person in p.people],
        ]
        for p in result.to_log[:SHOWN]
    ]
    unmatched = sorted(result.unmatched.items(), key=lambda kv: (-kv[1][1], kv[0]))
    job.unmatched = [[email, name, count] for email, (name, count) in unmatched[:LISTED]]
    job.problems = [list(p) for p in reading.problems[:LISTED]]
    job.problem_count = len(reading.problems)


def _checked(
    by: User, data: bytes, since: dt.date | None, now: dt.datetime
) -> tuple[dt.date, Reading, Plan]:
    require_librarian(by, to="import meetings")
    since = since or default_since(timezone.localdate(now))
    _check_since(since, timezone.localdate(now))
    if not data:
        raise Invalid("That file is empty.", {"file": ["Empty."]})
    limit = upload_limit(MAX_MB)
    if len(data) > limit:
        raise Invalid(too_large(limit, MAX_MB), {"file": ["Too large."]})
    reading, result = read_file(by, data, since, now)
    if reading.events == 0:
        _require_calendar(data)
        raise Invalid(
            "No events found in that file (nothing between BEGIN:VEVENT and END:VEVENT).",
            {"file": ["No events."]},
        )
    return since, reading, result


def _require_calendar(head: bytes) -> None:
    """Invalid unless the file's start says it is a calendar."""
    text = decode(head[:SNIFF_BYTES]).upper()
    if "BEGIN:VCALENDAR" not in text and "BEGIN:VEVENT" not in text:
        raise Invalid(
            "That is not a calendar file (it has no BEGIN:VCALENDAR). "
            "Export an .ics file from your calendar.",
            {"file": ["Not an .ics file."]},
        )


class Meetings(FileKind):
    """Meetings from an .ics file, logged as touchpoints of the librarian who uploads it."""

    name = "ics"
    model = CalendarImport
    details = "calendars/job_details.html"
    list_url = "calendars:import"
    title = "calendar imports"
    urls = {"run": "calendars:import_run", "resume": "calendars:import_resume"}
    to = "import meetings"
    cap_mb = MAX_MB
    inline_bytes = INLINE_BYTES

    def access(self, user: User, pk: int | str, *, for_write: bool = False) -> CalendarImport:
        return access_calendar_import(user, pk, for_write=for_write)

    def accept(
        self,
        by: User,
        stored: Stored,
        since: dt.date | None = None,
        now: dt.datetime | None = None,
        **options: object,
    ) -> CalendarImport:
        """A small file is read whole and refused here if it holds no meetings; a larger one
        only has to start like a calendar."""
        now = now or timezone.now()
        since = since or default_since(timezone.localdate(now))
        _check_since(since, timezone.localdate(now))
        job = CalendarImport(since=since)
        if stored.size <= INLINE_BYTES:
            _since, reading, _plan = _checked(by, stored.full_path.read_bytes(), since, now)
            job.events = reading.events
        else:
            with stored.full_path.open("rb") as kept:
                _require_calendar(kept.read(SNIFF_BYTES))
        return job

    def upload_summary(self, job: Any) -> tuple[str, dict[str, Any]]:
        return f"Uploaded {job.original_name} for a meeting import", {
            "since": job.since.isoformat(),
            "events": job.events,
        }

    def check_file(self, job: Any, by: User, progress: Progress) -> None:
        with job.file.open("rb") as stream:
            data = stream.read()
        _since, reading, result = _checked(by, data, job.since, timezone.now())
        _fill(job, reading, result)

    def write_file(self, job: Any, by: User, progress: Progress) -> tuple[str, dict[str, Any]]:
        with job.file.open("rb") as stream:
            reading, result = read_file(by, stream.read(), job.since)
        written = log_all(by, result.to_log)
        logged = written.logged
        result.already += written.already
        reading.problems.extend(written.problems)
        _fill(job, reading, result, logged)
        return f"Meetings from {job.original_name}: {logged} logged", {
            "since": job.since.isoformat(),
            "events": job.events,
            "logged": logged,
            "already": job.already,
            "skipped": job.skipped,
        }


MEETINGS = Meetings()


@transaction.atomic
def add_people(*, by: User, job: CalendarImport, emails: Iterable[str]) -> list[int]:
    """Add people for attendees the preview could not match (their name, else the address)."""
    job = access_calendar_import(by, job.pk, for_write=True)
    offered = {row[0]: row[1] for row in job.unmatched}
    chosen = [e for e in dict.fromkeys(emails) if e in offered]
    if not chosen:
        raise Invalid("Tick the people to add.", {"emails": ["Choose at least one."]})
    created = []
    for email in chosen:
        name = offered[email] or email.split("@", 1)[0].replace(".", " ").title()
        created.append(create_person(by=by, full_name=name, email=email).pk)
    MEETINGS.check(by=by, job=job)
    return created
