"""Gimlet (Sidecar Publications): the CSV from Reports → Download.

One row per question: Initials, Location, Format (Walk-up, Phone, Email, IM…), Asked by (who
asked: student, faculty…), Question type, Asked at ("2010-01-13 17:00:00"), Tags separated by
spaces, Question, Answer; some sites add Duration and Difficulty. Gimlet has no row id, so the
key is a hash of the row.
"""

from rapport.imports.sources.formats.base import Format

GIMLET = Format(
    name="gimlet",
    label="Gimlet data download",
    required=("Location", "Format"),
    typical=(
        "Initials", "Asked By", "Question Type", "Asked At", "Tags", "Question", "Answer",
        "Duration", "Difficulty",
    ),
    excluded=("Start Date", "Entered By", "question_id", "Desk"),
    columns={
        "occurred_at": ("Asked At", "DateTime", "Date+Time", "Date"),
        "staff": ("Initials", "Id"),
        "location": ("Location",),
        "channel": ("Format",),
        "person_status": ("Asked By",),
        "topic": ("Question Type",),
        "tags": ("Tags", "TagPre+TagPost"),
        "question": ("Question",),
        "answer": ("Answer",),
        "minutes": ("Duration",),
    },
    values={
        "channel": {"IM": "chat", "Walk-up": "in_person", "Text": "chat", "SMS": "chat"},
    },
    tag_separator=" ",
)  # fmt: skip
