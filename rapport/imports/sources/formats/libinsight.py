"""Springshare LibInsight: a dataset's records exported as CSV or XLSX.

Every record has an id, a start (and end) date, who entered it and when; the rest are the
dataset's own fields, named by each library (question type, mode, patron type, duration, READ
scale, location, question, answer…), matched by the usual names. Exports from the API name the
fixed ones with underscores ("_start_date"); both spellings are read.
"""

from rapport.imports.sources.formats.base import Format

LIBINSIGHT = Format(
    name="libinsight",
    label="Springshare LibInsight dataset export",
    required=("Start Date",),
    typical=(
        "ID", "End Date", "Entered By", "Created At", "Updated At", "Question Type", "Mode",
        "Patron Type", "Duration", "Question", "Answer", "Location",
    ),
    columns={
        "external_id": ("ID", "Record ID", "Entry ID"),
        "occurred_at": ("Start Date", "Date"),
        "staff": ("Entered By", "Created By", "Staff"),
        "channel": ("Mode", "Interaction Mode", "Method", "Format", "Contact Type"),
        "person_status": ("Patron Type", "Patron Status", "User Group", "Patron"),
        "topic": ("Question Type", "Category", "Topic", "Session Focus"),
        "minutes": ("Duration", "Time Spent", "Minutes"),
        "read_level": ("READ Scale", "READ", "READ Level"),
        "location": ("Location", "Service Point", "Unit/Location", "Branch"),
        "question": ("Question", "Question Text", "Notes"),
        "answer": ("Answer", "Response"),
    },
    values={
        "channel": {
            "Online - synchronous": "video", "Online - asynchronous": "email",
            "In-person": "in_person", "Virtual": "video",
        },
    },
)  # fmt: skip
