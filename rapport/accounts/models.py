"""Librarians (the users of Rapport) and their personal API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    LIBRARIAN = "librarian", "Librarian"
    MANAGER = "manager", "Manager (aggregates only)"


class User(AbstractUser):
    """A librarian account. The role decides what the account may see."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.LIBRARIAN)
    initials = models.CharField(
        max_length=10,
        blank=True,
        db_index=True,
        help_text="As other systems record staff (e.g. AR), so imported history maps to you",
    )
    daily_digest = models.BooleanField(
        default=False,
        help_text="Email me my Today list each morning (one email, never one per person)",
    )
    last_digest_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "rapport_user"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER and not self.is_superuser

    @property
    def sees_detail(self) -> bool:
        """Managers see aggregate figures only, never people or question text."""
        return not self.is_manager

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


TOKEN_PREFIX = "rpt_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_raw_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A personal access token. Only its hash is stored; the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="The first characters, to tell tokens apart")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "rapport_api_token"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class FailedSignIn(models.Model):
    """One wrong password on the sign-in form, kept a day so that sign-ins can be throttled by
    account and by address (`rapport.accounts.throttle`). Unknown usernames are kept too, so
    a lock says nothing about whether an account exists."""

    at = models.DateTimeField(db_index=True)
    username = models.CharField(max_length=150, help_text="As typed, case-folded")
    address = models.GenericIPAddressField(
        null=True, blank=True, help_text="The client's address (an IPv6 one's /64 network)"
    )
    account_cleared = models.BooleanField(
        default=False,
        help_text="The account signed in or was unlocked since: no longer counts against it",
    )
    address_cleared = models.BooleanField(
        default=False, help_text="The address was unlocked since: no longer counts against it"
    )

    class Meta:
        db_table = "rapport_failed_sign_in"
        indexes = [
            models.Index(fields=["username", "at"], name="failed_sign_in_user_at"),
            models.Index(fields=["address", "at"], name="failed_sign_in_address_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} from {self.address}"
