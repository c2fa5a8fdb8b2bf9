"""LibStats (the open-source desk statistics system): the "Data Dump" report CSV.

Columns as the report writes them: question_id, patron_type, question_type, time_spent (a range
such as "10-20 minutes"), question_format (Walk-Up, Phone, Email, IM…), library_name,
location_name, added_stamp and asked_at (month first: "3/05/2024 02:30:15 PM"), question_time,
question_half_hour, question_date, question_weekday (all derived from asked_at, so not kept),
initials; question and answer where the installation exports them.
"""

from rapport.imports.sources.formats.base import Format

LIBSTATS = Format(
    name="libstats",
    label="LibStats data dump",
    required=("question_id", "question_format"),
    typical=(
        "patron_type", "question_type", "time_spent", "library_name", "location_name",
        "asked_at", "initials", "added_stamp", "question_date",
    ),
    columns={
        "external_id": ("question_id",),
        "occurred_at": ("asked_at", "question_date+question_time", "question_date"),
        "person_status": ("patron_type",),
        "topic": ("question_type",),
        "minutes": ("time_spent",),
        "channel": ("question_format",),
        "location": ("location_name",),
        "staff": ("initials",),
        "question": ("question",),
        "answer": ("answer",),
    },
    keep=("library_name", "added_stamp", "client_ip", "referral", "comments"),
    values={"channel": {"Walk-Up": "in_person", "IM": "chat", "Off-Desk": "in_person"}},
    date_format="mdy",
)  # fmt: skip
