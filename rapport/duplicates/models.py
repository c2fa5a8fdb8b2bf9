"""Duplicate people: the scans that find candidate pairs, the pairs, the pairs a librarian said
are different people, and the merges (with what each moved, so it can be undone)."""

from django.conf import settings
from django.db import models

from rapport.people.models import Person


class Scan(models.Model):
    """One search for candidates across the library, with its progress for the page that waits."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=100, blank=True, help_text="What it is doing now")
    people = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0, help_text="Pairs to weigh")
    done = models.PositiveIntegerField(default=0)
    pairs_found = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "rapport_duplicate_scan"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"duplicate scan {self.pk} ({self.status})"


class Candidate(models.Model):
    """Two people who may be one, lower id first, with the score and the evidence in words."""

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField()
    evidence = models.JSONField(default=list)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "rapport_duplicate_candidate"
        ordering = ["-score", "id"]
        indexes = [models.Index(fields=["-score", "id"], name="duplicate_candidate_rank")]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="candidate_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(person_a__lt=models.F("person_b")), name="candidate_a_below_b"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.score})"

    @property
    def summary(self) -> str:
        return "; ".join(self.evidence)


class NotDuplicate(models.Model):
    """A pair a librarian said are two different people: never proposed again (until undone)."""

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "rapport_not_duplicate"
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="not_duplicate_unique"),
            models.CheckConstraint(
                condition=models.Q(person_a__lt=models.F("person_b")),
                name="not_duplicate_a_below_b",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ≠ {self.person_b_id}"


class Merge(models.Model):
    """`merged` was merged into `keep`: it stays, archived, and `log` says precisely what moved,
    what was set aside and what each person's fields were, so `undo_merge` can put it back."""

    keep = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    keep_name = models.CharField(max_length=200)
    merged_name = models.CharField(max_length=200)
    choices = models.JSONField(default=dict, help_text="Field → whose value was kept")
    log = models.JSONField(default=dict)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "rapport_merge"
        ordering = ["-at", "-id"]
        constraints = [
            # A person is merged into one other at a time; after an undo they may be again.
            models.UniqueConstraint(
                fields=["merged"], condition=models.Q(undone_at__isnull=True), name="merge_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merged_name} merged into {self.keep_name}"

    @property
    def is_active(self) -> bool:
        return self.undone_at is None
