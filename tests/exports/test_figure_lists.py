"""The report tables: coverage by group and librarian, the report's months, ladder and READ
mix. Counts only, for every role; no names of people or question text for a manager."""

import datetime as dt

import pytest

from rapport.relationships.services import refresh_all
from tests.exports.conftest import body, csv_rows, download
from tests.factories import make_group, make_touchpoint

COVERAGE_TAIL = [
    "Members",
    "Prospect",
    "First contact",
    "Client",
    "Supporter",
    "Advocate",
    "Partner",
    "Never contacted",
    "With a cadence",
    "Overdue",
    "Hours",
    "Questions and consultations",
    "From the relationship",
]


def test_coverage_groups_export_for_a_librarian(client, world):
    refresh_all()

    rows = csv_rows(download(client, world.alice, "coverage-groups"))

    assert rows[0] == ["Group", *COVERAGE_TAIL]
    assert [r[:2] for r in rows[1:]] == [["Chemistry Lab", "2"]]


def test_coverage_groups_export_has_every_page_and_the_name_filter(client, world, settings):
    for n in range(60):
        make_group(f"Lab {n:02}")

    everything = csv_rows(download(client, world.mia, "coverage-groups"))
    named = csv_rows(download(client, world.mia, "coverage-groups", q="lab 5"))

    assert len(everything) == 1 + 62
    assert [r[0] for r in named[1:]] == [f"Lab {n}" for n in range(50, 60)]


def test_coverage_librarians_export_for_a_manager(client, world):
    rows = csv_rows(download(client, world.mia, "coverage-librarians"))

    assert rows[0] == ["Librarian", *COVERAGE_TAIL]
    assert [r[0] for r in rows[1:]] == ["ada", "Alice Liddell", "Bob Bibby"]


def test_report_months_export_counts_by_origin(client, world):
    make_touchpoint(world.alice, [world.ana], origin="desk", group=world.chem)

    rows = csv_rows(download(client, world.alice, "report-months"))

    assert rows[0] == [
        "Month",
        "Through the relationship",
        "Through the desk",
        "Touchpoints",
        "New people",
        "Repeat people",
    ]
    assert len(rows) == 1 + 12
    # alice's two touchpoints with ana (one confidential: counted, never shown) and the desk one
    totals = [sum(int(r[i]) for r in rows[1:]) for i in (1, 2, 3)]
    assert totals == [2, 1, 3]


@pytest.mark.parametrize("who", ["alice", "mia"])
def test_report_stages_and_read_levels_export(client, world, who):
    refresh_all()
    user = getattr(world, who)

    stages = csv_rows(download(client, user, "report-stages"))
    read = csv_rows(download(client, user, "report-read"))

    assert stages[0] == ["Stage", "People"]
    assert [r[0] for r in stages[1:]] == COVERAGE_TAIL[1:7]
    assert read[0] == ["READ level", "Touchpoints"]
    assert read[-1][0] == "Not recorded"


def test_manager_report_exports_hold_no_names_or_question_text(client, world):
    refresh_all()
    names = ["coverage-groups", "coverage-librarians", "report-months", "report-stages"]

    for name in [*names, "report-read", "groups"]:
        data = body(download(client, world.mia, name)).decode()
        for secret in ["Ana Ruiz", "Ben Okafor", "Hugo Marsh", "PRISMA", "tenure", "Archive"]:
            assert secret not in data, (name, secret)


def test_report_group_out_of_scope_is_not_found(client, world):
    response = download(client, world.alice, "report-months", group=world.history.pk)

    assert response.status_code == 404


def test_report_file_name_says_the_period(client, world):
    response = download(client, world.alice, "report-stages", "xlsx")

    today = dt.date.today().isoformat()
    assert response["Content-Disposition"].startswith('attachment; filename="rapport-report-')
    assert response["Content-Disposition"].endswith(f'-{today}.xlsx"')


def test_report_months_export_takes_a_date_range_years_ago(client, world):
    tz = dt.timezone(dt.timedelta(hours=1))
    for day, origin in [(3, "desk"), (17, "walkby"), (40, "referral")]:
        when = dt.datetime(2019, 10, 1, 12, tzinfo=tz) + dt.timedelta(days=day)
        make_touchpoint(world.alice, [world.ana], occurred_at=when, origin=origin, group=world.chem)

    rows = csv_rows(
        download(client, world.mia, "report-months", **{"from": "2019-10-10", "to": "2019-11-30"})
    )

    # From 10 October: the desk question of the 4th falls before the range.
    assert [r[:4] for r in rows[1:]] == [["2019-10", "1", "0", "1"], ["2019-11", "1", "0", "1"]]
