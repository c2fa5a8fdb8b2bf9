"""Import jobs: one uploaded file brought in (touchpoints or people), its mapping, progress and
per-row report; and mappings saved by name for the next file of the same shape."""

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from rapport.uploads.models import UploadJob


class Target(models.TextChoices):
    TOUCHPOINTS = "touchpoints", "Touchpoints"
    PEOPLE = "people", "People"


class SavedMapping(models.Model):
    """A column mapping kept by name, reusable from the page and `rapport import --mapping`."""

    name = models.CharField(max_length=100, unique=True)
    target = models.CharField(max_length=12, choices=Target.choices)
    format = models.CharField(max_length=40, blank=True, help_text="The format it was made for")
    mapping = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportJob(UploadJob):
    """One file on its way in. A workbook is first read by the worker (its preview kept), a
    text file while it is uploaded. A check (dry run) reads every row and writes nothing; a run
    writes in chunks, each committed with its checkpoint, so an interrupted run resumes."""

    upload_folder = "imports"
    BUSY = ("reading", "checking", "queued", "running")
    ENDED = ("done", "failed", "interrupted")

    class Status(models.TextChoices):
        READING = "reading", "Reading the file"
        UPLOADED = "uploaded", "Uploaded"
        CHECKING = "checking", "Checking"
        CHECKED = "checked", "Checked"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        INTERRUPTED = "interrupted", "Interrupted"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    target = models.CharField(max_length=12, choices=Target.choices, default=Target.TOUCHPOINTS)
    format = models.CharField(max_length=40, blank=True)
    score = models.FloatField(default=0.0, help_text="How sure the format detection was, 0–1")
    sheet = models.CharField(max_length=100, blank=True)
    sheets = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    # What the pages show of the file, kept when it is read so that no page opens it again:
    # {"headers": [...], "rows": [[number, [cells]], ...], "warnings": [...],
    #  "distinct": {column: [values]}, "filled": {column: rows with a value}, "sampled": rows},
    # cells and values cut short (see files.read_preview).
    preview = models.JSONField(default=dict, blank=True)
    saved_mapping = models.ForeignKey(
        SavedMapping, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    staff_fallback = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who touchpoints by unknown staff are logged as (else the importer)",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UPLOADED)
    # The dry run's counts ({"created": …, "updated": …, "skipped": …, "failed": …, "rows": …})
    # and the mapping it was made with, so a run can tell whether the check still holds.
    dry_run = models.JSONField(default=dict, blank=True)
    dry_run_mapping = models.JSONField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    checkpoint = models.PositiveIntegerField(
        default=0, help_text="The last row number committed by the run"
    )
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # What the report says beyond the counts: unknown staff and groups, people created, …
    summary = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"import {self.pk}: {self.original_name} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("imports:job", args=[self.pk])

    @property
    def headers(self) -> list[str]:
        """The file's column headings, as read when it was uploaded."""
        headers: Any = self.preview.get("headers", [])
        return list(headers)

    @property
    def is_workbook(self) -> bool:
        return bool(self.sheets)

    unit = "rows"
    all_or_nothing = False
    resume_note = "Nothing after the last saved row was written. Resume to go on."

    @property
    def resume_label(self) -> str:  # type: ignore[override]
        if self.status == self.Status.READING:
            return "Read the file again"
        if self.status == self.Status.CHECKING:
            return "Check again"
        return f"Resume after row {self.checkpoint}"

    @property
    def done_so_far(self) -> int | None:
        if (self.busy and self.status != self.Status.READING) or self.done_rows:
            return self.done_rows
        return None

    @property
    def total_items(self) -> int:
        return self.total_rows

    @property
    def run_label(self) -> str:
        """What the button imports: the rows the dry run would write, and those it leaves out."""
        counts = self.dry_run or {}
        if not counts:
            return f"Import {self.total_rows} row{'' if self.total_rows == 1 else 's'}"
        n = (counts.get("created") or 0) + (counts.get("updated") or 0)
        failing = counts.get("failed") or 0
        label = f"Import {n} row{'' if n == 1 else 's'}"
        if failing:
            label += f"; leave out {failing} that fail{'s' if failing == 1 else ''}"
        return label

    @property
    def resumable(self) -> bool:
        """A run that stopped part way (interrupted, failed, or its worker gone)."""
        if self.worker_gone:
            return True
        return self.status in (self.Status.INTERRUPTED, self.Status.FAILED) and bool(
            self.started_at
        )

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.done_rows / self.total_rows))


class ImportIssue(models.Model):
    """An error or warning about one row, from a check or a run (written with its chunk)."""

    class Phase(models.TextChoices):
        CHECK = "check", "Dry run"
        RUN = "run", "Run"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    phase = models.CharField(max_length=5, choices=Phase.choices)
    row = models.PositiveIntegerField(help_text="Row number in the file (0: the whole file)")
    level = models.CharField(max_length=7)  # "error" or "warning"
    message = models.CharField(max_length=500)

    class Meta:
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["job", "phase", "row"])]

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"
