"""People the library serves, the groups a librarian is embedded in, and memberships."""

from django.conf import settings
from django.db import models


class PersonStatus(models.TextChoices):
    """A person's standing in the institution. Named in full because the class name is the
    enum's name in the API's schema (a request has a status too)."""

    FACULTY = "faculty", "Faculty"
    RESEARCHER = "researcher", "Researcher"
    POSTDOC = "postdoc", "Postdoc"
    STUDENT = "student", "Student"
    STAFF = "staff", "Staff"
    EXTERNAL = "external", "External"
    OTHER = "other", "Other"


Status = PersonStatus  # the short name the app's own code uses


class GroupKind(models.TextChoices):
    RESEARCH_TEAM = "research_team", "Research team"
    DEPARTMENT = "department", "Department"
    COURSE = "course", "Course"
    UNIT = "unit", "Unit"
    COMMITTEE = "committee", "Committee"


class Group(models.Model):
    """A unit the librarian is embedded in. `librarians` are the users who serve it."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=GroupKind.choices)
    description = models.TextField(blank=True)
    librarians = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="served_groups", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "rapport_group"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Someone the library serves. Contact counts are kept current by the touchpoint services."""

    full_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, db_index=True)
    other_emails = models.JSONField(default=list, blank=True)
    orcid = models.CharField(max_length=19, blank=True, db_index=True)
    directory_id = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="Id in the campus directory"
    )
    job_title = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OTHER)
    department = models.CharField(max_length=200, blank=True)
    building = models.CharField(max_length=100, blank=True)
    room = models.CharField(max_length=50, blank=True)
    desk = models.CharField(max_length=50, blank=True)
    notes = models.TextField(blank=True)
    referred_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    # Lower-cased name and e-mail addresses, so one indexed-free LIKE finds either.
    search_text = models.CharField(max_length=600, editable=False, default="")
    first_contact_at = models.DateTimeField(null=True, blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    touchpoint_count = models.PositiveIntegerField(default=0)
    # Librarians who have worked with this person: they see the person even outside their groups.
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="contacts", blank=True, db_table="rapport_contact"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Counts the edits of this row: every write of a field a librarian edits adds one (see
    # rapport/concurrency.py); the API's ETag and the edit forms' hidden version. A database
    # default too, so bulk inserts that name their columns get 1.
    version = models.IntegerField(default=1, db_default=1, editable=False)

    class Meta:
        db_table = "rapport_person"
        ordering = ["full_name"]
        indexes = [
            models.Index(fields=["full_name"]),
            models.Index(fields=["status", "full_name"]),
            models.Index(fields=["last_contact_at"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def emails(self) -> list[str]:
        return [e for e in [self.email, *self.other_emails] if e]

    @property
    def location(self) -> str:
        return ", ".join(
            p
            for p in [
                self.building,
                self.room and f"room {self.room}",
                self.desk and f"desk {self.desk}",
            ]
            if p
        )

    def refresh_search_text(self) -> None:
        self.search_text = " ".join([self.full_name, *self.emails]).lower()[:600]


class Membership(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=100, blank=True, help_text="e.g. PI, member, student")
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "rapport_membership"
        ordering = ["group__name"]
        indexes = [
            models.Index(fields=["group", "person"]),
            models.Index(fields=["person", "group"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.group}"

    @property
    def is_current(self) -> bool:
        from django.utils import timezone

        return self.ended_on is None or self.ended_on >= timezone.localdate()
