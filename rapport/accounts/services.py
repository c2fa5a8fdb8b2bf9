"""Writes to librarian accounts and their API tokens."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import ApiToken, Role, User, hash_token, new_raw_token
from rapport.accounts.roles import require_admin
from rapport.audit.services import record
from rapport.errors import Invalid, NotFound


@transaction.atomic
def create_user(
    *,
    by: User | None,
    username: str,
    password: str,
    role: str = Role.LIBRARIAN,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    check_password: bool = True,
) -> User:
    """Create a librarian account. `by` is None only for the command line (the operator)."""
    require_admin(by, to="create accounts")
    username = username.strip()
    if not username:
        raise Invalid("A username is required.", {"username": ["Required."]})
    if User.objects.filter(username__iexact=username).exists():
        raise Invalid(f"The username “{username}” is taken.", {"username": ["Taken."]})
    if role not in Role.values:
        raise Invalid(
            f"Unknown role “{role}”; use one of {', '.join(Role.values)}.",
            {"role": ["Unknown role."]},
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid(f"“{email}” is not an e-mail address.", {"email": ["Invalid."]}) from None
    user = User(
        username=username,
        role=role,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.ADMIN,
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as e:
            raise Invalid(" ".join(e.messages), {"password": list(e.messages)}) from None
    user.set_password(password)
    user.save()
    record(
        actor=by,
        action="create",
        obj=user,
        summary=f"{username} ({role})",
        changes={"username": username, "role": role, "email": email},
    )
    return user


@transaction.atomic
def create_api_token(*, by: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal access token; returns it with the raw value, which is shown once."""
    name = " ".join(name.split())
    if not name:
        raise Invalid("Give the token a name, e.g. “laptop script”.", {"name": ["Required."]})
    if len(name) > 100:
        raise Invalid("Keep the token name under 100 characters.", {"name": ["Too long."]})
    raw = new_raw_token()
    token = ApiToken.objects.create(user=by, name=name, token_hash=hash_token(raw), hint=raw[:8])
    record(actor=by, action="create", obj=token, summary=name)
    return token, raw


@transaction.atomic
def revoke_api_token(*, by: User, token_id: int) -> ApiToken:
    try:
        token = ApiToken.objects.select_for_update().get(pk=token_id, user=by)
    except ApiToken.DoesNotExist:
        raise NotFound("There is no such token of yours.") from None
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor=by, action="revoke", obj=token, summary=token.name)
    return token


def user_for_token(raw: str) -> User | None:
    """The active user a raw token belongs to, marking when it was last used."""
    if not raw.startswith("rpt_"):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at=None, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def change_email(*, by: User, email: str) -> User:
    """Change one's own e-mail address (where the digest and password resets go)."""
    email = email.strip()
    if not email:
        raise Invalid("Give an e-mail address.", {"email": ["Required."]})
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(f"“{email}” is not an e-mail address.", {"email": ["Invalid."]}) from None
    if User.objects.filter(email__iexact=email).exclude(pk=by.pk).exists():
        raise Invalid(
            "Another account already uses that address; ask an administrator.",
            {"email": ["Already in use."]},
        )
    user = User.objects.select_for_update().get(pk=by.pk)
    before = user.email
    if before == email:
        return user
    user.email = email
    user.save(update_fields=["email"])
    by.email = email
    record(
        actor=by,
        action="update",
        obj=user,
        summary="changed their e-mail address",
        changes={"email": [before, email]},
    )
    return user


@transaction.atomic
def change_password(*, by: User, current: str, new: str, again: str) -> User:
    """Change one's own password: the current one first, then a new one that passes the
    library's password rules. The audit entry says it changed, never what to."""
    user = User.objects.select_for_update().get(pk=by.pk)
    if not user.check_password(current):
        raise Invalid(
            "Your current password is not right; nothing was changed.",
            {"current": ["Not your current password."]},
        )
    if new != again:
        raise Invalid(
            "The two new passwords differ; type the same one twice.",
            {"again": ["Differs from the new password."]},
        )
    if new == current:
        raise Invalid(
            "The new password is the same as the current one.",
            {"new": ["Same as the current password."]},
        )
    try:
        validate_password(new, user)
    except ValidationError as e:
        raise Invalid(" ".join(e.messages), {"new": list(e.messages)}) from None
    user.set_password(new)
    user.save(update_fields=["password"])
    by.password = user.password
    record(actor=by, action="update", obj=user, summary="changed their password")
    return user
