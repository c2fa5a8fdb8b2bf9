"""vCard imports (each one a job with its preview and report) and the address-book ids that let
a re-import find the people an earlier one created."""

from django.db import models
from django.urls import reverse

from rapport.people.models import Person
from rapport.uploads.models import UploadJob


class ContactImport(UploadJob):
    """One vCard file brought in: uploaded, checked (a dry run: what importing would do), then
    run."""

    upload_folder = "contacts"

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking the file"
        CHECKED = "checked", "Checked"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

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

    class Meta(UploadJob.Meta):
        db_table = "rapport_contact_import"

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("contacts:import_detail", args=[self.pk])

    unit = "cards"

    @property
    def total_items(self) -> int:
        return self.cards if self.status == self.Status.RUNNING else 0

    @property
    def run_label(self) -> str:
        changes = self.created + self.updated
        return f"Import {changes} change{'' if changes == 1 else 's'}"


class CardKey(models.Model):
    """An address book's id for a person (a card's UID, or a hash of the name of a card with
    nothing else to know it by), so importing the same cards again updates, not duplicates."""

    key = models.CharField(max_length=255, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "rapport_card_key"

    def __str__(self) -> str:
        return self.key
