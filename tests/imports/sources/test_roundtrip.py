"""Property tests: what is written out as CSV comes back in unchanged, whatever the text,
encoding or delimiter; canonical touchpoints exported and imported are the same touchpoints."""

import csv
import datetime as dt
import io
import string
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.imports.sources import TOUCHPOINT_FIELDS, Mapping, apply_mapping, open_table

LONDON = ZoneInfo("Europe/London")
EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Any text a cell may hold, but for control characters (a file full of them is not text).
CELL_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\ufffd")
    | st.sampled_from(["\n", "\r", "\t", '"', ",", ";", "|"]),
    max_size=30,
)
# Windows-1252 text that cannot be mistaken for UTF-8: ASCII and lone accented letters.
CP1252_TEXT = st.text(st.sampled_from(string.ascii_letters + string.digits + " ,;\"'\néüñøç"))


def clean(text: str) -> str:
    return text.strip()


@st.composite
def tables(draw, text=CELL_TEXT):
    width = draw(st.integers(min_value=1, max_value=5))
    headers = [f"Column {i} {draw(st.sampled_from(['a', 'ä', 'x']))}" for i in range(width)]
    rows = draw(
        st.lists(
            st.lists(text, min_size=width, max_size=width).filter(
                lambda r: any(clean(c) for c in r)
            ),
            min_size=1,
            max_size=8,
        )
    )
    return headers, rows


@EXAMPLES
@given(
    tables(),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    st.sampled_from([",", ";", "\t", "|"]),
)
def test_any_text_written_as_csv_reads_back(tmp_path: Path, table, encoding, delimiter):
    headers, rows = table
    path = tmp_path / "out.csv"
    with path.open("w", newline="", encoding=encoding) as f:
        out = csv.writer(f, delimiter=delimiter)
        out.writerow(headers)
        out.writerows(rows)
    read = open_table(path, delimiter=delimiter)
    assert read.headers == headers
    got = [(r.number, r.values, r.problems) for r in read.rows()]
    assert got == [
        (n, dict(zip(headers, [clean(c) for c in row], strict=True)), [])
        for n, row in enumerate(rows, start=1)
    ]


@EXAMPLES
@given(tables(text=CP1252_TEXT), st.sampled_from([",", ";", "\t"]))
def test_windows_1252_text_reads_back_with_the_delimiter_sniffed(tmp_path: Path, table, delim):
    headers, rows = table
    buffer = io.StringIO(newline="")
    out = csv.writer(buffer, delimiter=delim, quoting=csv.QUOTE_ALL)
    out.writerow(headers)
    out.writerows(rows)
    path = tmp_path / "out.csv"
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    read = open_table(path)
    assert read.headers == headers
    if len(headers) > 1:
        assert read.delimiter == delim
    assert [r.values for r in read.rows()] == [
        dict(zip(headers, [clean(c) for c in row], strict=True)) for row in rows
    ]


def choice_labels(name: str) -> st.SearchStrategy[tuple[str, str]]:
    return st.sampled_from(TOUCHPOINT_FIELDS[name].choices)


WORD = st.text(st.sampled_from(string.ascii_lowercase + "éø-_"), min_size=1, max_size=8)
TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\ufffd")
    | st.just("\n"),
    max_size=60,
).map(str.strip)


@st.composite
def touchpoints(draw):
    moment = draw(
        st.datetimes(
            min_value=dt.datetime(2000, 1, 1),
            max_value=dt.datetime(2035, 12, 31),
            timezones=st.just(LONDON),
            allow_imaginary=False,
        )
    ).replace(microsecond=0)
    channel, kind, origin, initiator = (
        draw(choice_labels(n)) for n in ("channel", "kind", "origin", "initiated_by")
    )
    fields = {
        "external_id": f"X-{draw(st.integers(min_value=0, max_value=10**9))}",
        "occurred_at": moment,
        "channel": channel,
        "kind": kind,
        "origin": origin,
        "initiated_by": initiator,
        "read_level": draw(st.integers(min_value=1, max_value=6)),
        "minutes": draw(st.integers(min_value=0, max_value=600)),
        "topic": draw(TEXT),
        "question": draw(TEXT),
        "tags": draw(st.lists(WORD, unique=True, max_size=4)),
        "person_email": f"{draw(WORD)}@uni.example",
    }
    return fields


COLUMNS = {
    "external_id": "Id",
    "occurred_at": "When",
    "channel": "Channel",
    "kind": "Kind",
    "origin": "Origin",
    "initiated_by": "Initiated by",
    "read_level": "READ",
    "minutes": "Minutes",
    "topic": "Topic",
    "question": "Question",
    "tags": "Tags",
    "person_email": "Email",
}


def exported(fields: dict) -> list[str]:
    """One touchpoint as an export writes it: ISO time with offset, labels, READ n."""
    cells = []
    for name in COLUMNS:
        value = fields[name]
        if name == "occurred_at":
            cells.append(value.isoformat())
        elif name in ("channel", "kind", "origin", "initiated_by"):
            cells.append(value[1])  # the label ("In person"), not the value
        elif name == "read_level":
            cells.append(f"READ {value}")
        elif name == "tags":
            cells.append(" ".join(value))
        else:
            cells.append(str(value))
    return cells


@EXAMPLES
@given(st.lists(touchpoints(), min_size=1, max_size=6, unique_by=lambda f: f["external_id"]))
def test_touchpoints_exported_and_imported_are_the_same(tmp_path: Path, items):
    path = tmp_path / "touchpoints.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS.values())
        out.writerows(exported(item) for item in items)
    mapping = Mapping(target="touchpoints", columns={k: [v] for k, v in COLUMNS.items()})
    rows = list(apply_mapping(open_table(path), mapping))
    expected = []
    for item in items:
        fields = {k: v for k, v in item.items() if v not in ("", [])}
        for name in ("channel", "kind", "origin", "initiated_by"):
            fields[name] = item[name][0]
        expected.append(fields)
    assert [(r.errors, r.warnings) for r in rows] == [([], [])] * len(items)
    assert [r.fields for r in rows] == expected
    assert [r.key for r in rows] == [item["external_id"] for item in items]
