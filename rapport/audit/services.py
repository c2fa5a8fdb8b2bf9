"""Recording audit entries. Called by every service that changes user data."""

from typing import Any

from django.db import models

from rapport.audit.models import AuditEntry


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The audited fields of a row as JSON-ready values."""
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        values[name] = value
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Only the fields that changed, as {field: [before, after]}."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        summary=summary[:200],
        changes=changes or {},
    )


def record_view(*, actor: Any, obj: models.Model, where: str) -> AuditEntry:
    """One entry for opening a record: a person's page, timeline, brief or API read, or a
    confidential touchpoint. Lists are not audited row by row, only a record opened; the
    summary says where (it never copies the record's text)."""
    return record(actor=actor, action="view", obj=obj, summary=where)
