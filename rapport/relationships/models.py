"""The state of each relationship, derived from touchpoints, and the cadence a librarian keeps.

`Relationship` holds event-time aggregates that do not depend on today's date, so a write
keeps them exact (see `services.refresh`), and the cadence in force with the days its
intervals pass. Everything that does depend on today (recency, contacts in the last
30/90/365 days, health, whether a contact is due) is computed when read (`health.py`,
`cadence.py`).
"""

from django.conf import settings
from django.db import models

from rapport.people.models import Group, Person, Status


class Stage(models.IntegerChoices):
    """The relationship ladder, lowest first; the numbers order the funnel."""

    PROSPECT = 0, "Prospect"
    FIRST_CONTACT = 1, "First contact"
    CLIENT = 2, "Client"
    SUPPORTER = 3, "Supporter"
    ADVOCATE = 4, "Advocate"
    PARTNER = 5, "Partner"


class Relationship(models.Model):
    """One per person. The aggregates are recomputed from the person's participations."""

    person = models.OneToOneField(
        Person, primary_key=True, on_delete=models.CASCADE, related_name="relationship"
    )
    last_real_contact_at = models.DateTimeField(
        null=True, blank=True, help_text="Last touchpoint that was not an alert or a campaign"
    )
    minutes = models.PositiveIntegerField(default=0)
    read_sum = models.PositiveIntegerField(default=0)
    read_count = models.PositiveIntegerField(default=0)
    kinds_used = models.PositiveSmallIntegerField(default=0)
    initiated_by_them = models.PositiveIntegerField(default=0)
    partnership = models.PositiveIntegerField(
        default=0, help_text="Touchpoints tagged as partnership work"
    )
    referrals = models.PositiveIntegerField(default=0, help_text="People this person referred")
    computed_stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.PROSPECT)
    stage_override = models.PositiveSmallIntegerField(choices=Stage.choices, null=True, blank=True)
    stage_reason = models.CharField(max_length=300, blank=True)
    stage = models.PositiveSmallIntegerField(
        choices=Stage.choices, default=Stage.PROSPECT, help_text="The override, else computed"
    )
    # The cadence in force (the person's own, else the first matching rule) and the local days
    # (date ordinals) on which the ideal and the maximum interval since the last real contact
    # pass. Kept by the same writes as the aggregates, and by `rapport refresh` (run it daily:
    # memberships end by date). The Today page selects and ranks on these in SQL.
    ideal_days = models.PositiveSmallIntegerField(null=True, blank=True)
    max_days = models.PositiveSmallIntegerField(null=True, blank=True)
    cadence_source = models.CharField(max_length=140, blank=True)
    due_day = models.IntegerField(null=True, blank=True)
    overdue_day = models.IntegerField(null=True, blank=True)

    class Meta:
        db_table = "rapport_relationship"
        indexes = [models.Index(fields=["stage"]), models.Index(fields=["due_day"])]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.get_stage_display()}"


class CadenceRule(models.Model):
    """A default cadence for the people it matches. The first matching rule by position wins."""

    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=100)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE)
    role = models.CharField(
        max_length=100, blank=True, help_text="Matches a current membership role containing this"
    )
    status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    min_stage = models.PositiveSmallIntegerField(choices=Stage.choices, null=True, blank=True)
    ideal_days = models.PositiveSmallIntegerField()
    max_days = models.PositiveSmallIntegerField()
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "rapport_cadence_rule"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name}: every {self.ideal_days}–{self.max_days} days"


class PersonCadence(models.Model):
    """A librarian's cadence for one person, overriding the rules. Empty days: no cadence."""

    person = models.OneToOneField(Person, primary_key=True, on_delete=models.CASCADE)
    ideal_days = models.PositiveSmallIntegerField(null=True, blank=True)
    max_days = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "rapport_person_cadence"

    def __str__(self) -> str:
        return f"{self.person_id}: every {self.ideal_days}–{self.max_days} days"


class Snooze(models.Model):
    """Keep a person off one librarian's Today page until a date."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    until = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "rapport_snooze"
        constraints = [models.UniqueConstraint(fields=["user", "person"], name="snooze_unique")]

    def __str__(self) -> str:
        return f"{self.person_id} snoozed until {self.until}"
