"""Webhooks: the addresses an administrator registered, and each delivery of an event to one."""

import secrets
import uuid

from django.conf import settings
from django.db import models

from rapport import crypto

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A signing secret: 32 random bytes, URL-safe, with a prefix that says what it is."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def new_encrypted_secret() -> str:
    """A new signing secret as it is stored: encrypted."""
    return crypto.encrypt(new_secret())


class Endpoint(models.Model):
    """A URL that receives signed JSON for the events it subscribes to."""

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text="Event names this endpoint receives")
    active = models.BooleanField(default=True)
    # Signing needs the secret itself, not a hash of it, so it is stored encrypted (see
    # rapport/crypto.py): the database and its backups hold only ciphertext. Read and set it
    # as `secret`. Only administrators see it (on the endpoint's page); audit entries never
    # record it.
    secret_encrypted = models.TextField(default=new_encrypted_secret, editable=False)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    # Deliveries given up one after another; any success sets it back to 0.
    failures_in_row = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "rapport_webhook_endpoint"
        ordering = ["url", "id"]

    def __str__(self) -> str:
        return self.url

    @property
    def secret(self) -> str:
        """The signing secret in clear; `crypto.SecretUnreadable` if the key changed."""
        return crypto.decrypt(self.secret_encrypted)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = crypto.encrypt(value)

    @property
    def secret_problem(self) -> str:
        """Why the secret cannot be read, for the endpoint's page; empty when it can."""
        try:
            crypto.decrypt(self.secret_encrypted)
        except crypto.SecretUnreadable as err:
            return err.message
        return ""

    def receives(self, event: str) -> bool:
        return self.active and event in self.events


class Delivery(models.Model):
    """One event on its way to one endpoint: the exact body, and how sending it went.

    The body is stored once, as sent, so every attempt signs and sends the same bytes."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    # Sent as the Rapport-Delivery header: the same on every retry, new on a redelivery.
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40)
    # The event's own id, in the body: the same for every endpoint and every redelivery.
    event_id = models.UUIDField()
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=300, blank=True)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        db_table = "rapport_webhook_delivery"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep: pending deliveries whose next attempt is due.
            models.Index(fields=["status", "next_attempt_at"]),
            # An endpoint's log, newest first.
            models.Index(fields=["endpoint", "-created_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
