"""Exports change no data, but a list of people leaving the system is worth a line in the
audit trail: who took which list, in which format, with which filters."""

from django.http import QueryDict

from rapport.accounts.models import User
from rapport.audit.models import AuditEntry
from rapport.audit.services import record


def record_export(*, by: User, name: str, fmt: str, params: QueryDict) -> AuditEntry:
    """Note that `by` downloaded the list `name` as `fmt`."""
    filters = {k: v for k, v in params.items() if k != "page" and v}
    return record(
        actor=by,
        action="export",
        obj=by,
        summary=f"Exported {name} as {fmt.upper()}",
        changes={"list": name, "format": fmt, "filters": filters},
    )
