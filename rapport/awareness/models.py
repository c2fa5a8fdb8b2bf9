"""Current awareness: what each person is interested in, items worth telling them about, the
matches between the two, and the digests that carry approved matches to the person."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from rapport.people.models import Person


class ItemKind(models.TextChoices):
    ARTICLE = "article", "Article"
    PREPRINT = "preprint", "Preprint"
    DATASET = "dataset", "Dataset"
    NEWS = "news", "News"
    TOOL = "tool", "Tool"


class SourceKind(models.TextChoices):
    FEED = "feed", "RSS/Atom feed"
    CROSSREF = "crossref", "Crossref"
    BIBTEX = "bibtex", "BibTeX"
    RIS = "ris", "RIS"
    ORCID = "orcid", "ORCID"
    MANUAL = "manual", "Entered by hand"


class Item(models.Model):
    """Something worth telling people about: an article, preprint, dataset, news or a tool."""

    kind = models.CharField(max_length=16, choices=ItemKind.choices, default=ItemKind.ARTICLE)
    title = models.CharField(max_length=500)
    abstract = models.TextField(blank=True)
    authors = models.JSONField(default=list, blank=True, help_text="Names as given by the source")
    venue = models.CharField(max_length=300, blank=True, help_text="Journal, feed or publisher")
    published_on = models.DateField(null=True, blank=True)
    link = models.URLField(max_length=1000, blank=True)
    doi = models.CharField(max_length=200, blank=True, help_text="Lower case, without a resolver")
    arxiv_id = models.CharField(max_length=50, blank=True, help_text="Without a version suffix")
    title_key = models.CharField(max_length=300, editable=False, help_text="Normalised title")
    source_kind = models.CharField(max_length=16, choices=SourceKind.choices)
    source = models.CharField(max_length=500, blank=True, help_text="Feed URL or file name")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        indexes = [models.Index(fields=["title_key"]), models.Index(fields=["added_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["doi"], condition=~models.Q(doi=""), name="item_unique_doi"
            ),
            models.UniqueConstraint(
                fields=["arxiv_id"], condition=~models.Q(arxiv_id=""), name="item_unique_arxiv"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Publication(models.Model):
    """A work a person wrote: evidence of what they work on."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="publications")
    title = models.CharField(max_length=500)
    abstract = models.TextField(blank=True)
    authors = models.JSONField(default=list, blank=True)
    venue = models.CharField(max_length=300, blank=True)
    published_on = models.DateField(null=True, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    link = models.URLField(max_length=1000, blank=True)
    doi = models.CharField(max_length=200, blank=True)
    title_key = models.CharField(max_length=300, editable=False)
    source_kind = models.CharField(max_length=16, choices=SourceKind.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "title_key"], name="publication_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class InterestState(models.TextChoices):
    STATED = "stated", "Stated"
    PINNED = "pinned", "Pinned"
    REMOVED = "removed", "Removed"


class Interest(models.Model):
    """A topic stated, pinned or removed by hand; corrections win over learned evidence."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="interests")
    term = models.CharField(max_length=100, help_text="Lower case, as shown in the profile")
    state = models.CharField(max_length=8, choices=InterestState.choices)
    by_person = models.BooleanField(default=False, help_text="Stated on their preferences page")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(fields=["person", "term"], name="interest_unique_term"),
        ]

    def __str__(self) -> str:
        return f"{self.term} ({self.state})"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


LINK_PREFIX = "alr_"


def new_link_token() -> str:
    """The key in one alert link: 24 random bytes, URL-safe, with a prefix that says what it
    is (and lets logs and secret scanners find it)."""
    return LINK_PREFIX + secrets.token_urlsafe(24)


def hash_link_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> str:
    """The token a subscription kept in clear before links were hashed; its migrations still
    name it."""
    return secrets.token_urlsafe(24)


class Subscription(models.Model):
    """A person's alerting preferences, reachable without an account through a secret link."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="subscription")
    consented_at = models.DateTimeField(null=True, blank=True)
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    paused = models.BooleanField(default=False)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    auto_send = models.BooleanField(
        default=False, help_text="Send matches without the librarian's review"
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)

    #: The raw token of the link in hand: the one just made for an email (`links.issue`) or the
    #: one the person's page was opened with (`links.find`). Never stored; "" otherwise.
    token: str = ""

    def __str__(self) -> str:
        return f"subscription of {self.person_id}"


class AlertLink(models.Model):
    """One secret link to a person's alert pages, as sent in one email (or shown once to their
    librarian). Only the token's hash is kept, so a copy of the database or a backup opens
    nobody's page; each link works until the person's links are revoked all at once."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"link {self.pk} of subscription {self.subscription_id}"


class MatchStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SENT = "sent", "Sent"


class Digest(models.Model):
    """One email to one person carrying approved matches; sent once, retried until it is or the
    mail server refuses it for good."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will retry"
        REFUSED = "refused", "Refused for good, not retried"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="digests")
    address = models.CharField(max_length=254, blank=True, help_text="Where it was last sent")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    message_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"digest {self.pk} for {self.person_id}"


class Match(models.Model):
    """An item suggested to a person, with the score and why."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="matches")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField()
    explanation = models.JSONField(default=dict, help_text="Terms and evidence that matched")
    status = models.CharField(
        max_length=10, choices=MatchStatus.choices, default=MatchStatus.SUGGESTED
    )
    note = models.TextField(blank=True, help_text="A personal note sent with the item")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        Digest, null=True, blank=True, on_delete=models.SET_NULL, related_name="matches"
    )
    feedback = models.CharField(
        max_length=12,
        blank=True,
        choices=[("useful", "Useful"), ("not_useful", "Not useful")],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        indexes = [models.Index(fields=["person", "status", "-score"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "item"], name="match_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} for {self.person_id} ({self.score:.3f})"


class MatchRun(models.Model):
    """One run of the matcher in the background, with its progress for the page that waits."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    scope = models.CharField(max_length=20, help_text="new items, one person or everything")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE)
    item_ids = models.JSONField(default=list, blank=True, help_text="The new items to match")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mode = models.CharField(max_length=10, default="lexical")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    matches_kept = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"match run {self.pk} ({self.status})"
