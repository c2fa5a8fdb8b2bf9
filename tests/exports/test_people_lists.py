"""People, groups and group members: exact contents, the page's filters, and scope."""

import datetime as dt

import pytest
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.people.models import Person
from tests.exports.conftest import body, csv_rows, download, xlsx_rows
from tests.factories import make_person

PEOPLE_HEADERS = [
    "Id",
    "Name",
    "E-mail",
    "Other e-mails",
    "ORCID iD",
    "Directory id",
    "Status",
    "Job title",
    "Department",
    "Building",
    "Room",
    "Desk",
    "First contact",
    "Last contact",
    "Touchpoints",
]
SEEN = dt.datetime(2026, 2, 3, 14, 5, tzinfo=dt.UTC)


def test_people_export_has_exactly_the_people_alice_may_see(client, world):
    Person.objects.filter(pk=world.ana.pk).update(
        orcid="0000-0002-1825-0097",
        job_title="Professor",
        department="Chemistry",
        building="Main",
        room="2.14",
        other_emails=["ana@home.example", "a.ruiz@uni.example"],
        first_contact_at=SEEN,
        last_contact_at=SEEN,
        touchpoint_count=2,
    )

    rows = csv_rows(download(client, world.alice, "people"))

    assert rows == [
        PEOPLE_HEADERS,
        [
            str(world.ana.pk),
            "Ana Ruiz",
            "ana.ruiz@uni.example",
            "ana@home.example; a.ruiz@uni.example",
            "0000-0002-1825-0097",
            "",
            "Faculty",
            "Professor",
            "Chemistry",
            "Main",
            "2.14",
            "",
            "2026-02-03 14:05",
            "2026-02-03 14:05",
            "2",
        ],
        [str(world.ben.pk), "Ben Okafor", "ben@uni.example", "", "", "", "Student"]
        + [""] * 7
        + ["0"],
    ]


def test_people_export_follows_the_query_string_filters_and_sort(client, world):
    make_person("Anna Zed", groups=[world.chem], status="faculty")

    rows = csv_rows(download(client, world.alice, "people", q="an", status="faculty"))

    assert [r[1] for r in rows[1:]] == ["Ana Ruiz", "Anna Zed"]


def test_people_export_as_xlsx_has_the_same_rows_typed(client, world):
    Person.objects.filter(pk=world.ana.pk).update(last_contact_at=SEEN, touchpoint_count=2)

    rows = xlsx_rows(download(client, world.alice, "people", "xlsx", q="ana"))

    assert rows[0] == PEOPLE_HEADERS
    assert rows[1][:3] == [world.ana.pk, "Ana Ruiz", "ana.ruiz@uni.example"]
    assert rows[1][12:] == [None, dt.datetime(2026, 2, 3, 14, 5), 2]


def test_people_export_sends_a_dated_attachment(client, world):
    response = download(client, world.alice, "people")

    today = timezone.localdate().isoformat()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="rapport-people-{today}.csv"'


def test_people_export_is_recorded_in_the_audit(client, world):
    download(client, world.alice, "people", "xlsx", q="ana", page="2")

    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor, entry.summary, entry.changes) == (
        world.alice,
        "Exported people as XLSX",
        {"list": "people", "format": "xlsx", "filters": {"q": "ana"}},
    )


def test_people_export_guards_names_against_formulas(client, world):
    make_person('=HYPERLINK("http://x.example","click")', groups=[world.chem], email="")

    raw = body(download(client, world.alice, "people", q="hyperlink"))

    assert b'\'=HYPERLINK(""http://x.example"",""click"")"' in raw
    assert csv_rows(download(client, world.alice, "people", q="hyperlink"))[1][1] == (
        '=HYPERLINK("http://x.example","click")'
    )


def test_people_export_refuses_managers_and_changes_nothing(client, world):
    response = download(client, world.mia, "people")

    assert response.status_code == 403
    assert "aggregate figures only" in response.text
    assert AuditEntry.objects.filter(action="export").count() == 0


def test_unknown_list_and_format_are_not_found(client, world):
    assert download(client, world.alice, "secrets").status_code == 404
    assert download(client, world.alice, "people", "pdf").status_code == 404


def test_export_needs_sign_in(client, world):
    response = client.get("/exports/people.csv")

    assert (response.status_code, response["Location"]) == (
        302,
        "/login/?next=/exports/people.csv",
    )


GROUP_HEADERS = ["Id", "Group", "Kind", "Members", "Never contacted", "Touchpoints"]


@pytest.mark.parametrize("who", ["alice", "mia"])
def test_groups_export_gives_the_group_figures(client, world, who):
    rows = csv_rows(download(client, getattr(world, who), "groups"))

    assert rows[0] == [*GROUP_HEADERS, "Last touchpoint"]
    chem = [str(world.chem.pk), "Chemistry Lab", "Research team", "2", "2", "1"]
    if who == "alice":
        assert [r[:6] for r in rows[1:]] == [chem]
    else:
        history = [str(world.history.pk), "History Department", "Department", "1", "1", "1"]
        assert [r[:6] for r in rows[1:]] == [chem, history]


def test_group_members_export_lists_the_members(client, world):
    world.ana.memberships.update(role="PI", started_on=dt.date(2024, 9, 1))

    rows = csv_rows(download(client, world.alice, "group-members", group=world.chem.pk))

    assert rows == [
        [
            "Person id",
            "Name",
            "E-mail",
            "Status",
            "Role",
            "Started",
            "Ended",
            "Last contact",
            "Touchpoints",
        ],
        [
            str(world.ana.pk),
            "Ana Ruiz",
            "ana.ruiz@uni.example",
            "Faculty",
            "PI",
            "2024-09-01",
            "",
            "",
            "0",
        ],
        [str(world.ben.pk), "Ben Okafor", "ben@uni.example", "Student", "member", "", "", "", "0"],
    ]


def test_group_members_of_a_group_out_of_scope_are_not_found(client, world):
    response = download(client, world.alice, "group-members", group=world.history.pk)

    assert response.status_code == 404
    assert f"There is no group {world.history.pk} that you can see." in response.text


def test_group_members_file_name_says_which_group(client, world):
    response = download(client, world.alice, "group-members", "xlsx", group=world.chem.pk)

    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="rapport-group-members-chemistry-lab-{today}.xlsx"'
    )


def test_managers_may_export_only_figures_and_public_items():
    from rapport.exports.registry import LISTS, get_export

    get_export("people")  # loads the registry

    assert sorted(name for name, e in LISTS.items() if e.managers) == [
        "coverage-groups",
        "coverage-librarians",
        "groups",
        "items",
        "report-months",
        "report-read",
        "report-stages",
        "search",
    ]
    assert sorted(name for name, e in LISTS.items() if not e.managers) == [
        "audit",  # administrators only: the audit log refuses everyone else
        "group-members",
        "people",
        "requests",
        "review",
        "stories",
        "touchpoints",
    ]
