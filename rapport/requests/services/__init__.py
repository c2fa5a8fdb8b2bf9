"""Writes to requests: open, edit, move through the lifecycle, deliver, follow up, reassign.

Each runs in one transaction and records an audit entry. The caller fetched the request (and
the people, group and touchpoints it names) through the scoped queries; these functions decide
what may change. Status moves only along `TRANSITIONS`, each move kept as a `StatusChange`.

Callers import from here (`from rapport.requests import services`); the modules split it by
concern: `editing` (open, edit, link touchpoints), `lifecycle` (statuses, delivery, follow-up,
outcome), `deliverables`, `ownership` (reassigning), and `fields` (the checks they share).
"""

from rapport.requests.services.deliverables import MAX_FILE_BYTES, add_deliverable
from rapport.requests.services.editing import (
    attach_touchpoint,
    convert_touchpoint,
    open_request,
    update_request,
)
from rapport.requests.services.fields import (
    AUDITED,
    MAX_FOLLOW_UP_DAYS,
    MAX_FUTURE_DAYS,
    MAX_PAST_DAYS,
    MAX_TAGS,
    MAX_TEXT,
    MIN_FOLLOW_UP_DAYS,
    OUTCOME_FIELDS,
    REQUEST_FIELDS,
    headline,
)
from rapport.requests.services.lifecycle import (
    FOLLOW_UP_KINDS,
    TRANSITIONS,
    change_status,
    deliver_request,
    record_follow_up,
    set_outcome,
)
from rapport.requests.services.ownership import reassign_all, reassign_request

__all__ = [
    "AUDITED",
    "FOLLOW_UP_KINDS",
    "MAX_FILE_BYTES",
    "MAX_FOLLOW_UP_DAYS",
    "MAX_FUTURE_DAYS",
    "MAX_PAST_DAYS",
    "MAX_TAGS",
    "MAX_TEXT",
    "MIN_FOLLOW_UP_DAYS",
    "OUTCOME_FIELDS",
    "REQUEST_FIELDS",
    "TRANSITIONS",
    "add_deliverable",
    "attach_touchpoint",
    "change_status",
    "convert_touchpoint",
    "deliver_request",
    "headline",
    "open_request",
    "reassign_all",
    "reassign_request",
    "record_follow_up",
    "set_outcome",
    "update_request",
]
