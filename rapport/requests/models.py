"""Requests: the reference interview, the work delivered, and the follow-up after it."""

from django.conf import settings
from django.db import models

from rapport.people.models import Group, Person
from rapport.touchpoints.models import Touchpoint


class RequestStatus(models.TextChoices):
    """Where a request stands. Named in full because the class name is the enum's name in the
    API's schema (a person has a status too)."""

    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered"
    FOLLOWED_UP = "followed_up", "Followed up"
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Declined"


Status = RequestStatus  # the short name the app's own code uses


#: Statuses in which the request still asks something of its owner (a delivered one awaits its
#: follow-up, a followed-up one its closing); closed and declined requests are done.
OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.DELIVERED, Status.FOLLOWED_UP)
DEFAULT_FOLLOW_UP_DAYS = 14


class Request(models.Model):
    """One request, from the reference interview to the follow-up check-in."""

    title = models.CharField(max_length=200, help_text="A short headline; from the need if empty")
    need = models.TextField(help_text="What they need, in their own words")
    purpose = models.TextField(blank=True, help_text="What it is for")
    project = models.CharField(max_length=200, blank=True)
    grant = models.CharField(max_length=200, blank=True)
    course = models.CharField(max_length=200, blank=True)
    deadline = models.DateField(null=True, blank=True, help_text="Their own deadline")
    scope = models.TextField(blank=True)
    preferred_format = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True, help_text="When we owe it")
    people = models.ManyToManyField(
        Person, related_name="requests", db_table="rapport_request_person"
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    status_changed_at = models.DateTimeField()
    follow_up_days = models.PositiveSmallIntegerField(default=DEFAULT_FOLLOW_UP_DAYS)
    follow_up_on = models.DateField(null=True, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    story = models.TextField(blank=True, help_text="What the work made possible")
    story_tags = models.JSONField(default=list, blank=True)
    story_at = models.DateTimeField(null=True, blank=True, help_text="When the story last changed")
    touchpoints = models.ManyToManyField(
        Touchpoint, related_name="requests", blank=True, db_table="rapport_request_touchpoint"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Counts the edits of this row: every write of a field a librarian edits adds one (see
    # rapport/concurrency.py); the API's ETag and the edit forms' hidden version. A database
    # default too, so bulk inserts that name their columns get 1.
    version = models.IntegerField(default=1, db_default=1, editable=False)

    class Meta:
        db_table = "rapport_request"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The Today page: requests due, and follow-ups due, for one owner.
            models.Index(fields=["owner", "status", "due_on"]),
            models.Index(fields=["owner", "status", "follow_up_on"]),
            models.Index(fields=["group", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(follow_up_days__gte=1, follow_up_days__lte=365),
                name="request_follow_up_days_1_to_365",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class StatusChange(models.Model):
    """One step of a request's life, kept so its page can show the whole timeline."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        db_table = "rapport_request_status_change"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status or '—'} → {self.to_status}"


class Deliverable(models.Model):
    """What was handed over: a link, a file, or just a description of it."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="deliverables")
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=1000, blank=True)
    file = models.FileField(upload_to="deliverables/%Y/%m/", blank=True, max_length=300)
    description = models.TextField(blank=True)
    delivered_at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "rapport_deliverable"
        ordering = ["delivered_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def file_name(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""
