"""Writes for calendars: the private feed (make, replace, revoke, serve) and .ics imports.

An import is kept as a job: uploaded and previewed (nothing written: a file over 256 KB is
previewed by the worker, never in the web process), then run by the worker,
which reads the file again and logs what is new. Running the same file twice logs nothing
twice (see `importer.external_id`). The run holds the job's lock (`UploadJob.hold`); if its
worker dies, `resume_ics_import` queues it again at once (the run is one transaction: it left
nothing behind).
"""

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian
from rapport.audit.services import record
from rapport.calendars.feed import feed_text
from rapport.calendars.importer import Plan, log_planned, plan
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
from rapport.uploads.models import this_worker, too_large, upload_limit
from rapport.uploads.services import reopen_lost_job, save_upload_job, store_upload

log = logging.getLogger(__name__)
DEFAULT_SINCE_DAYS = 90
MAX_MB = 20  # a calendar is read whole, into memory: a cap under RAPPORT_IMPORT_MAX_MB
# Reading a calendar takes about thirty times its size in memory (icalendar's objects): files
# up to this size are previewed in the web request, larger ones by the worker.
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


def preview_ics(
    *, by: User, data: bytes, filename: str, since: dt.date | None = None
) -> CalendarImport:
    """What importing the file would log, as an unsaved job: a dry run that keeps nothing."""
    since, reading, result = _checked(by, data, since, timezone.now())
    job = CalendarImport(original_name=Path(filename).name[:255], size=len(data), since=since)
    _fill(job, reading, result)
    return job


def upload_ics(
    *,
    by: User,
    file: IO[bytes],
    filename: str,
    since: dt.date | None = None,
    now: dt.datetime | None = None,
    how: str = "auto",
) -> CalendarImport:
    """Keep an uploaded .ics file and preview what importing it would log (nothing logged).
    A small file is previewed here, and refused here if it holds no meetings; a larger one is
    previewed by the worker (`how`: "auto" or "queue"; "caller" previews it itself with
    `check_ics_import`), since reading a calendar takes about thirty times its size."""
    require_librarian(by, to="import meetings")
    now = now or timezone.now()
    since = since or default_since(timezone.localdate(now))
    _check_since(since, timezone.localdate(now))
    stored = store_upload(file, folder=CalendarImport.upload_folder, name=filename, cap_mb=MAX_MB)
    try:
        if stored.size <= INLINE_BYTES:
            data = stored.full_path.read_bytes()
            since, reading, result = _checked(by, data, since, now)
            job = CalendarImport(since=since)
            _fill(job, reading, result)
        else:
            with stored.full_path.open("rb") as kept:
                _require_calendar(kept.read(SNIFF_BYTES))
            job = CalendarImport(since=since, status=CalendarImport.Status.CHECKING)
    except BaseException:
        stored.discard()
        raise
    with transaction.atomic():
        job = save_upload_job(
            job,
            by=by,
            stored=stored,
            summary=f"Uploaded {stored.name} for a meeting import",
            changes={"since": since.isoformat(), "events": job.events},
        )
        if job.status == CalendarImport.Status.CHECKING and how != "caller":
            _enqueue(job.pk)
    return job


def _enqueue(job_id: int) -> None:
    from rapport.calendars.tasks import enqueue_import

    transaction.on_commit(lambda: enqueue_import(job_id))


def check_ics_import(job_id: int) -> CalendarImport:
    """Preview a large uploaded file in the worker: what importing it would log, nothing
    logged. A file with no meetings fails the job with the reason and is removed; nothing
    else changes. Safe to call twice."""
    job = CalendarImport.objects.select_related("created_by").get(pk=job_id)
    if job.status != CalendarImport.Status.CHECKING:
        return job
    with job.hold() as held:
        claimed = held and CalendarImport.objects.filter(
            pk=job_id, status=CalendarImport.Status.CHECKING, worker=""
        ).update(worker=this_worker())
        if not claimed:
            return CalendarImport.objects.get(pk=job_id)
        try:
            by = job.created_by
            if by is None or not by.is_active:
                raise Invalid("The librarian who uploaded this file can no longer import it.")
            with job.file.open("rb") as stream:
                data = stream.read()
            _since, reading, result = _checked(by, data, job.since, timezone.now())
        except Exception as exc:
            if not isinstance(exc, RapportError):
                log.exception("Calendar import %s could not be checked", job_id)
            job.end(
                CalendarImport.Status.FAILED,
                exc.message if isinstance(exc, RapportError) else "An unexpected error stopped it.",
            )
            job.remove_file()
            return job
        _fill(job, reading, result)
        job.status, job.worker = CalendarImport.Status.PREVIEWED, ""
        job.save()
    return job


def work_on(job_id: int) -> CalendarImport:
    """What the worker does with a job: preview it, or log it, as its status says."""
    job = CalendarImport.objects.get(pk=job_id)
    if job.status == CalendarImport.Status.CHECKING:
        return check_ics_import(job_id)
    return run_ics_import(job_id) if job.status == CalendarImport.Status.QUEUED else job


def preview_again(*, by: User, job: CalendarImport) -> CalendarImport:
    """Read a previewed file again (after adding people, say): here if it is small, else in
    the worker."""
    job = access_calendar_import(by, job.pk, for_write=True)
    if job.status != CalendarImport.Status.PREVIEWED:
        raise Invalid("This import has already been started.")
    if job.size > INLINE_BYTES:
        with transaction.atomic():
            job.status = CalendarImport.Status.CHECKING
            job.save(update_fields=["status"])
            _enqueue(job.pk)
        return job
    with job.file.open("rb") as stream:
        reading, result = read_file(by, stream.read(), job.since)
    _fill(job, reading, result)
    job.save()
    return job


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
    preview_again(by=by, job=job)
    return created


def start_ics_import(*, by: User, job: CalendarImport) -> CalendarImport:
    """Queue a previewed import for the worker."""
    job = access_calendar_import(by, job.pk, for_write=True)
    with transaction.atomic():
        queued = CalendarImport.objects.filter(
            pk=job.pk, status=CalendarImport.Status.PREVIEWED
        ).update(status=CalendarImport.Status.QUEUED)
        if not queued:
            raise Invalid("This import has already been started.")
        _enqueue(job.pk)
    job.refresh_from_db()
    return job


@transaction.atomic
def resume_ics_import(*, by: User, job: CalendarImport) -> CalendarImport:
    """Queue again a run whose worker stopped (killed, crashed): it logged nothing. Invalid
    while its worker is alive."""
    job = access_calendar_import(by, job.pk, for_write=True)
    checking = job.status == CalendarImport.Status.CHECKING
    job = reopen_lost_job(
        job,
        by=by,
        status=CalendarImport.Status.CHECKING if checking else CalendarImport.Status.QUEUED,
    )
    _enqueue(job.pk)
    return job


def run_ics_import(job_id: int) -> CalendarImport:
    """Log a queued (or, from the command line, previewed) import; safe to call twice, and
    worked by one process at a time (the one holding the job's lock)."""
    with CalendarImport(pk=job_id).hold() as held:
        with transaction.atomic():
            job = CalendarImport.objects.select_for_update().get(pk=job_id)
            workable = (CalendarImport.Status.QUEUED, CalendarImport.Status.PREVIEWED)
            if not held or job.status not in workable or job.worker:
                return job
            job.status = CalendarImport.Status.RUNNING
            job.started_at = timezone.now()
            job.worker = this_worker()
            job.save(update_fields=["status", "started_at", "worker"])
        return _run(job)


def _run(job: CalendarImport) -> CalendarImport:
    job_id = job.pk
    try:
        by = job.created_by
        if by is None or not by.is_active:
            raise Invalid("The librarian who uploaded this file can no longer import it.")
        with job.file.open("rb") as stream:
            reading, result = read_file(by, stream.read(), job.since)
        with transaction.atomic():
            logged = 0
            for planned in result.to_log:
                try:
                    if log_planned(by, planned):
                        logged += 1
                    else:
                        result.already += 1
                except Invalid as err:
                    reading.problems.append((planned.meeting.summary or "Meeting", err.message))
            _fill(job, reading, result, logged)
            job.status, job.worker = CalendarImport.Status.DONE, ""
            job.finished_at = timezone.now()
            job.save()
            record(
                actor=by,
                action="import",
                obj=job,
                summary=f"Meetings from {job.original_name}: {logged} logged",
                changes={
                    "file": job.original_name,
                    "sha256": job.sha256,
                    "since": job.since.isoformat(),
                    "events": job.events,
                    "logged": logged,
                    "already": job.already,
                    "skipped": job.skipped,
                },
            )
    except Exception as exc:
        log.exception("Calendar import %s failed", job_id)
        message = (
            exc.message if isinstance(exc, RapportError) else "An unexpected error stopped it."
        )
        job.end(CalendarImport.Status.FAILED, message)
        job.refresh_from_db()
        return job
    # The meetings are touchpoints now; the file (other people's invitations) is not kept.
    job.remove_file()
    return job
