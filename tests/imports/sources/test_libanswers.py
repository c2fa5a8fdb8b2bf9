"""LibAnswers "Export Transactions" CSV → canonical touchpoint rows."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from rapport.imports.sources import FORMATS, detect, open_table

FIXTURES = Path(__file__).parent / "fixtures"
LONDON = ZoneInfo("Europe/London")


def test_libanswers_export_is_detected_and_read():
    table = open_table(FIXTURES / "libanswers.csv")
    fmt, score = detect(table)
    assert fmt is FORMATS["libanswers"]
    assert score == 1.0
    rows = list(fmt.rows(table, fmt.default_mapping(table.headers)))
    first = rows[0]
    assert first.number == 1
    assert first.key == "880101"
    assert first.errors == []
    assert first.warnings == []
    assert first.fields == {
        "external_id": "880101",
        "occurred_at": dt.datetime(2024, 3, 5, 14, 30, tzinfo=LONDON),
        "staff": "AB",
        "question": "Where are the bound theses kept?\nThe ones from before 1990.",
        "answer": "Second floor, west stacks; walked the patron there.",
        "topic": "Directional",
        "person_status": "faculty",
        "channel": "in_person",
        "minutes": 5,
        "read_level": 1,
        "location": "Main Library",
        "details": {"Dataset": "Reference Desk"},
    }
