"""Touchpoints: one interaction each, the unit of a relationship's history."""

from django.conf import settings
from django.db import models

from rapport.people.models import Group, Person


class Kind(models.TextChoices):
    QUESTION = "question", "Question"
    CONSULTATION = "consultation", "Consultation"
    INSTRUCTION = "instruction", "Instruction"
    MEETING = "meeting", "Meeting"
    HALLWAY = "hallway", "Hallway encounter"
    EMAIL = "email", "Email"
    DELIVERABLE = "deliverable", "Deliverable"


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    OTHER = "other", "Other"


class Origin(models.TextChoices):
    DIRECT = "direct", "Direct contact"
    WALKBY = "walkby", "Walk-by"
    ROUTINE = "routine", "Routine"
    REFERRAL = "referral", "Referral"
    DESK = "desk", "Desk"
    SCHEDULED = "scheduled", "Scheduled"
    CAMPAIGN = "campaign", "Campaign"
    ALERT = "alert", "Alert"
    OTHER = "other", "Other"


class Initiator(models.TextChoices):
    THEM = "them", "They reached out"
    US = "us", "We reached out"


READ_LEVELS = [(n, f"READ {n}") for n in range(1, 7)]


class Touchpoint(models.Model):
    occurred_at = models.DateTimeField(help_text="When it happened, not when it was logged")
    logged_at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="touchpoints"
    )
    people: "models.ManyToManyField[Person, Participation]" = models.ManyToManyField(
        Person, through="Participation", related_name="touchpoints"
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="touchpoints"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.QUESTION)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.IN_PERSON)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.DIRECT)
    initiated_by = models.CharField(max_length=8, choices=Initiator.choices, default=Initiator.THEM)
    read_level = models.PositiveSmallIntegerField(null=True, blank=True, choices=READ_LEVELS)
    minutes = models.PositiveIntegerField(null=True, blank=True)
    topic = models.CharField(max_length=300, blank=True)
    question = models.TextField(blank=True)
    answer = models.TextField(blank=True, help_text="Answer or notes")
    outcome = models.CharField(max_length=300, blank=True)
    confidential = models.BooleanField(default=False)
    tags = models.JSONField(default=list, blank=True)
    capture_line = models.TextField(blank=True, help_text="The line as typed, kept verbatim")
    source_system = models.CharField(max_length=40, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    # What an imported row held that has no field of its own (location, patron status, …).
    # Nullable, so adding it is a plain ALTER TABLE on SQLite (the search triggers stay).
    details = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Counts the edits of this row: every write of a field a librarian edits adds one (see
    # rapport/concurrency.py); the API's ETag and the edit forms' hidden version. A database
    # default too, so bulk inserts that name their columns get 1.
    version = models.IntegerField(default=1, db_default=1, editable=False)

    #: Not a column: the people the touchpoint services could not make the author's contacts
    #: (colleagues have them; rapport/people/sharing.py), for the capture's answer.
    withheld: tuple[Person, ...] = ()

    class Meta:
        db_table = "rapport_touchpoint"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # Covers the reports' counts by month, origin and READ level without the table.
            models.Index(
                fields=["occurred_at", "origin", "read_level"], name="touchpoint_when_origin_read"
            ),
            models.Index(fields=["author", "occurred_at"]),
            models.Index(fields=["group", "occurred_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "external_id"],
                condition=~models.Q(external_id=""),
                name="touchpoint_unique_external_id",
            ),
            models.CheckConstraint(
                condition=models.Q(read_level__isnull=True)
                | models.Q(read_level__gte=1, read_level__lte=6),
                name="touchpoint_read_level_1_to_6",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}: {self.topic[:40]}"


class Participation(models.Model):
    """A person's part in a touchpoint. Event time is copied here so timelines need no join."""

    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="participations")
    occurred_at = models.DateTimeField()

    class Meta:
        db_table = "rapport_participation"
        constraints = [
            models.UniqueConstraint(fields=["touchpoint", "person"], name="participation_unique")
        ]
        indexes = [models.Index(fields=["person", "-occurred_at", "-touchpoint"])]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.touchpoint_id}"
