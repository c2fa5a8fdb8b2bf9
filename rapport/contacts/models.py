"""vCard imports (each one a job with its preview and report) and the address-book ids that let
a re-import find the people an earlier one created."""

from django.conf import settings
from django.db import models

from rapport.people.models import Person


class ContactImport(models.Model):
    """One vCard file brought in: uploaded, checked (a dry run shown as a preview), then run."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking the file"
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    file = models.FileField(upload_to="contacts/", max_length=300)
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    # The preview's counts and problems, then replaced by the run's.
    cards = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True, help_text="[card, name, message], capped")
    problem_count = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "rapport_contact_import"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.QUEUED, self.Status.RUNNING)


class CardKey(models.Model):
    """An address book's id for a person (a card's UID, or a hash of the name of a card with
    nothing else to know it by), so importing the same cards again updates, not duplicates."""

    key = models.CharField(max_length=255, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "rapport_card_key"

    def __str__(self) -> str:
        return self.key
