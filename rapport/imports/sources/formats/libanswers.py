"""Springshare LibAnswers: the Reference Analytics "Export Transactions" CSV.

One row per transaction: its id, the ticket or chat it came from, date and time (separate
columns, or one "Timestamp"), who entered it, the question and answer, then the dataset's own
fields, whose names each library chooses (patron status, communication channel, question type,
duration, READ scale…). Those are matched by the usual names; any other field goes to details.
"""

from rapport.imports.sources.formats.base import Format

LIBANSWERS = Format(
    name="libanswers",
    label="Springshare LibAnswers transactions",
    required=("Entered By",),
    excluded=("Start Date", "Desk"),
    typical=(
        "Transaction ID", "Ticket ID", "Chat ID", "Date", "Time", "Question", "Answer",
        "Dataset", "Question Type", "Patron Status", "READ Scale", "Duration",
    ),
    columns={
        "external_id": ("Transaction ID", "ID", "Ref ID"),
        "occurred_at": ("Date+Time", "Timestamp", "Date Created", "Date"),
        "staff": ("Entered By", "Answered By"),
        "question": ("Question",),
        "answer": ("Answer",),
        "person_status": ("Patron Status", "Patron Type", "Patron"),
        "channel": (
            "Communication Channel", "Question Format", "Format", "Method", "Mode", "Source",
        ),
        "topic": ("Question Type", "Category", "Topic"),
        "minutes": ("Duration", "Time Spent", "Minutes"),
        "read_level": ("READ Scale", "READ", "READ Level"),
        "location": ("Location", "Service Point", "Desk", "Branch"),
        "person_email": ("Patron Email", "Email"),
        "person_name": ("Patron Name", "Name"),
    },
    values={
        "channel": {"Walk-up": "in_person", "Walk-in": "in_person", "SMS": "chat"},
    },
)  # fmt: skip
