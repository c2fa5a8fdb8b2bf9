"""The audit log as an exportable list (CSV/XLSX from the log page's links), with the page's
filters. Administrators only: `audit_log` refuses anyone else before a byte is written."""

from django.http import QueryDict

from rapport.accounts.models import User
from rapport.exports.registry import Column, Selection, exportable, in_chunks
from rapport.privacy.forms import AuditFilterForm
from rapport.privacy.queries import audit_actors, audit_log


@exportable(
    "audit",
    "Audit log",
    (
        Column("When", lambda e: e.at),
        Column("Who", lambda e: e.actor.username if e.actor else ""),
        Column("Action", lambda e: e.action),
        Column("Record", lambda e: e.object_type),
        Column("Record id", lambda e: e.object_id),
        Column("Summary", lambda e: e.summary),
        Column("Changes", lambda e: e.changes),
    ),
)
def audit(user: User, params: QueryDict) -> Selection:
    form = AuditFilterForm(audit_actors(user), params or None)
    return Selection(in_chunks(audit_log(user, **form.filters())))
