"""Privacy by design: the retention schedule and its runs, what retention and erasure left
behind for the figures (anonymous participations, each person's tally of detached history),
and the record of every erasure.

Nothing here names a person it was detached from: an `AnonymousParticipation` holds a
touchpoint, a time, a number drawn at random for one person and one month (so the people
counted per month stay exact) and whether that month was their first contact. A `Tally`
belongs to a person but names no touchpoint: it is what their detached history added up to,
so their contact count, first contact and stage do not change when the records go.
"""

from django.conf import settings
from django.db import models

from rapport.people.models import Person
from rapport.touchpoints.models import Kind, Touchpoint

#: What a retention rule can apply to: each kind of touchpoint, requests (with their status
#: notes, deliverables and follow-ups) and the personal notes sent with alerts.
REQUESTS = "request"
ALERT_NOTES = "match"
RECORDS: list[tuple[str, str]] = [
    *((f"touchpoint.{value}", f"Touchpoints: {label.lower()}") for value, label in Kind.choices),
    (REQUESTS, "Requests, with their status notes, deliverables and follow-ups"),
    (ALERT_NOTES, "Personal notes sent with alerts"),
]


class RetentionRule(models.Model):
    """How long one kind of record keeps its text and its people. No row, or no months:
    kept forever (the default until an administrator sets a period)."""

    record = models.CharField(max_length=40, unique=True, choices=RECORDS)
    months = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "privacy_retention_rule"
        ordering = ["record"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(months__isnull=True) | models.Q(months__gte=1),
                name="retention_rule_months_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record}: {self.months or 'forever'}"


class RetentionRun(models.Model):
    """One run of the schedule, with what it stripped and detached (its audit entry says the
    same). A run is written in chunks; one interrupted is finished by the next run."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "privacy_retention_run"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"retention run {self.pk} ({self.status})"


class Stripped(models.Model):
    """A record whose text was removed, when, and why: retention skips it next time, and its
    page can say what happened."""

    class Reason(models.TextChoices):
        RETENTION = "retention", "Retention schedule"
        ERASURE = "erasure", "Erasure on request"

    object_type = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    at = models.DateTimeField()

    class Meta:
        db_table = "privacy_stripped"
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id", "reason"], name="stripped_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id} ({self.reason})"


class AnonymousParticipation(models.Model):
    """Someone took part in a touchpoint, no longer named. `someone` is the same for every
    row of one person in one calendar month and unrelated across months, so the people
    counted per month are exact and nothing links a person's months together."""

    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.CASCADE, related_name="+")
    occurred_at = models.DateTimeField()
    someone = models.BigIntegerField()
    new = models.BooleanField(help_text="This month was the person's first contact")

    class Meta:
        db_table = "privacy_anonymous_participation"
        indexes = [models.Index(fields=["occurred_at"], name="anon_participation_when")]

    def __str__(self) -> str:
        return f"someone in {self.touchpoint_id}"


class Tally(models.Model):
    """What a person's detached touchpoints added up to, so their relationship (contact
    count, first and last contact, effort, breadth, stage) stays what it was."""

    person = models.OneToOneField(
        Person, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    touchpoint_count = models.PositiveIntegerField(default=0)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    last_real_contact_at = models.DateTimeField(null=True, blank=True)
    minutes = models.PositiveIntegerField(default=0)
    read_sum = models.PositiveIntegerField(default=0)
    read_count = models.PositiveIntegerField(default=0)
    kinds = models.JSONField(default=list, blank=True)
    initiated_by_them = models.PositiveIntegerField(default=0)
    partnership = models.PositiveIntegerField(default=0)
    referrals = models.PositiveIntegerField(default=0, help_text="Referred people since erased")

    class Meta:
        db_table = "privacy_tally"

    def __str__(self) -> str:
        return f"tally of {self.person_id}: {self.touchpoint_count}"


class Erasure(models.Model):
    """A person erased: who did it, at whose request, and what went. The person's id is kept
    (it names no one once the row is gone); `first_contact_at` keeps the count of people new
    in that month exact."""

    person_id = models.BigIntegerField(db_index=True)
    erased_at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(
        max_length=200, blank=True, help_text="Who asked and how (e.g. a ticket number)"
    )
    first_contact_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "privacy_erasure"
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"person {self.person_id} erased {self.erased_at:%Y-%m-%d}"
