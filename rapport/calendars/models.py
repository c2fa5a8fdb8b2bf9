"""A librarian's private calendar feed, and .ics files of meetings brought in as touchpoints."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from rapport.uploads.models import UploadJob

FEED_PREFIX = "cal_"


def hash_feed_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_feed_token() -> str:
    return FEED_PREFIX + secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A secret feed address. Only the token's hash is kept, so a copy of the database alone
    cannot be used to read anyone's feed; the address is shown once, when it is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="The first characters, to tell feeds apart")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    # The validator of what was last served and when that content first appeared, so a client
    # polling with If-None-Match or If-Modified-Since gets a 304 until something changes.
    etag = models.CharField(max_length=64, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "rapport_calendar_feed"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.hint}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CalendarImport(UploadJob):
    """One .ics file of meetings: uploaded, checked (a large file by the worker), then logged as
    touchpoints."""

    upload_folder = "calendars"

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking the file"
        CHECKED = "checked", "Checked"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    since = models.DateField(help_text="Meetings from this day up to the upload are logged")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    # The preview's counts and lists, replaced by the run's.
    events = models.PositiveIntegerField(default=0, help_text="Events read from the file")
    meetings = models.PositiveIntegerField(default=0, help_text="Meetings to log, then logged")
    already = models.PositiveIntegerField(default=0, help_text="Logged by an earlier import")
    skipped = models.JSONField(default=dict, blank=True, help_text="{reason: count}")
    planned = models.JSONField(default=list, blank=True, help_text="[when, topic, minutes, …]")
    unmatched = models.JSONField(default=list, blank=True, help_text="[email, name, meetings]")
    problems = models.JSONField(default=list, blank=True, help_text="[where, message], capped")
    problem_count = models.PositiveIntegerField(default=0)

    class Meta(UploadJob.Meta):
        db_table = "rapport_calendar_import"

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("calendars:import_detail", args=[self.pk])

    unit = "events"

    @property
    def done_so_far(self) -> int | None:
        return None  # a calendar is read whole: no count to show as it goes

    @property
    def run_label(self) -> str:
        return f"Log {self.meetings} meeting{'' if self.meetings == 1 else 's'}"

    @property
    def nothing_to_run(self) -> bool:
        return not self.meetings

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())
