"""Property: touchpoints written out as a spreadsheet and imported come back as they were,
and importing the same file again changes nothing."""

import csv
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.conf import settings
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from rapport.imports.models import ImportJob
from rapport.touchpoints.models import Channel, Touchpoint
from tests.imports.conftest import import_file

_files = itertools.count()
TEXT = (
    st.text(
        alphabet=st.characters(whitelist_categories=("L", "N", "P", "Zs", "Sm", "So")),
        min_size=1,
        max_size=60,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
WHEN = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2024, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
RECORD = st.fixed_dictionaries(
    {
        "when": WHEN,
        "question": TEXT,
        "answer": st.one_of(st.just(""), TEXT),
        "channel": st.sampled_from(Channel.values),
        "minutes": st.one_of(st.none(), st.integers(0, 24 * 60)),
        "tags": st.lists(
            st.from_regex(r"[a-z][a-z0-9]{0,9}", fullmatch=True), max_size=3, unique=True
        ),
    }
)


def _local(when: dt.datetime) -> dt.datetime:
    zone = ZoneInfo(settings.TIME_ZONE)
    # Leave out the clock hour that DST repeats or skips: a spreadsheet cannot tell them apart.
    # Both folds are compared explicitly: the strategy itself may draw a time with fold=1.
    first, second = when.replace(tzinfo=zone, fold=0), when.replace(tzinfo=zone, fold=1)
    assume(first.utcoffset() == second.utcoffset())
    aware = first
    assume(aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == when)
    return aware


@hsettings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=st.lists(RECORD, min_size=1, max_size=8, unique_by=lambda r: r["question"]))
def test_export_then_import_is_lossless(staff, tmp_path, records):
    Touchpoint.objects.filter(source_system="generic").delete()
    expected = sorted(
        (_local(r["when"]), r["question"], r["answer"], r["channel"], r["minutes"], r["tags"])
        for r in records
    )
    path = tmp_path / f"export-{next(_files)}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["Timestamp", "Question", "Answer", "Channel", "Minutes", "Tags"])
        for r in records:
            out.writerow([
                f"{r['when']:%Y-%m-%d %H:%M}", r["question"], r["answer"], r["channel"],
                "" if r["minutes"] is None else r["minutes"], " ".join(r["tags"]),
            ])  # fmt: skip
    job = import_file(staff.alice, path)
    assert (job.created, job.failed) == (len(records), 0)
    found = sorted(
        Touchpoint.objects.filter(source_system="generic").values_list(
            "occurred_at", "question", "answer", "channel", "minutes", "tags"
        )
    )
    assert found == expected

    again = import_file(staff.alice, path)
    assert (again.created, again.skipped) == (0, len(records))
    assert Touchpoint.objects.filter(source_system="generic").count() == len(records)
    assert ImportJob.objects.filter(status="done").count() >= 2
