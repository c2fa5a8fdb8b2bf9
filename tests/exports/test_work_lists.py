"""Touchpoints, requests, stories, awareness items and suggestions, and search results:
exact contents, confidentiality and scope."""

import datetime as dt

from django.utils import timezone

from rapport.awareness.models import Match
from rapport.requests.models import Status
from rapport.touchpoints.models import Participation, Touchpoint
from tests.awareness.conftest import make_item
from tests.exports.conftest import csv_rows, download
from tests.factories import make_touchpoint
from tests.requests.conftest import make_request

AT = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)


def when(tp: Touchpoint) -> str:
    return timezone.localtime(tp.occurred_at).strftime("%Y-%m-%d %H:%M")


def test_person_timeline_export_has_every_field_and_the_authors_confidential_one(client, world):
    tp = make_touchpoint(
        world.alice,
        [world.ana, world.hugo],
        occurred_at=AT,
        question="Which databases index =SUM(A1)?",
        topic="Databases",
        answer="Scopus; Web of Science",
        outcome="search strategy",
        tags=["sr", "chem"],
        read_level=3,
        minutes=20,
        group=world.chem,
        channel="email",
        origin="walkby",
    )

    rows = csv_rows(download(client, world.alice, "touchpoints", person=world.ana.pk))

    assert rows[0] == [
        "Id",
        "When",
        "Kind",
        "Channel",
        "Origin",
        "Initiated by",
        "READ",
        "Minutes",
        "Topic",
        "Question",
        "Answer or notes",
        "Outcome",
        "Tags",
        "People",
        "Group",
        "Logged by",
        "Confidential",
    ]
    assert [r[0] for r in rows[1:]] == [
        str(world.ana_secret.pk),
        str(world.ana_question.pk),
        str(tp.pk),
    ]
    assert rows[3] == [
        str(tp.pk),
        "2026-01-15 10:00",
        "Question",
        "Email",
        "Walk-by",
        "They reached out",
        "3",
        "20",
        "Databases",
        "Which databases index =SUM(A1)?",
        "Scopus; Web of Science",
        "search strategy",
        "sr; chem",
        "Ana Ruiz and 1 other",
        "Chemistry Lab",
        "Alice Liddell",
        "no",
    ]
    assert rows[1][9::7] == ["Private worry about tenure", "yes"]


def test_confidential_touchpoints_stay_with_their_author_even_for_admins(client, world):
    rows = csv_rows(download(client, world.ada, "touchpoints", person=world.ana.pk))

    assert [r[0] for r in rows[1:]] == [str(world.ana_question.pk)]


def test_touchpoints_of_someone_out_of_scope_are_not_found(client, world):
    response = download(client, world.bob, "touchpoints", person=world.ana.pk)

    assert response.status_code == 404


def test_group_timeline_export(client, world):
    rows = csv_rows(download(client, world.bob, "touchpoints", group=world.history.pk))

    assert [(r[0], r[9], r[13]) for r in rows[1:]] == [
        (str(world.hugo_question.pk), "Archive access", "Hugo Marsh")
    ]


def test_touchpoints_export_without_whose_is_refused(client, world):
    response = download(client, world.alice, "touchpoints")

    assert response.status_code == 422
    assert "Say whose touchpoints to export" in response.text


def test_touchpoints_export_refuses_managers(client, world):
    assert download(client, world.mia, "touchpoints", person=world.ana.pk).status_code == 403


def test_requests_export_follows_the_lists_default_and_filters(client, world):
    mine = make_request(
        world.alice,
        [world.ana],
        title="Systematic review",
        need="Search strings for a review",
        due_on=dt.date(2026, 12, 1),
        group=world.chem,
    )
    make_request(world.alice, [world.ben], title="Old one", status=Status.CLOSED)
    make_request(world.bob, [world.hugo], title="Bob's")

    default = csv_rows(download(client, world.alice, "requests"))
    closed = csv_rows(download(client, world.alice, "requests", status="closed"))

    assert default[0] == [
        "Id",
        "Title",
        "Status",
        "Need",
        "Who asked",
        "Group",
        "Owner",
        "Due",
        "Their deadline",
        "Opened",
        "Follow up on",
        "Outcome",
    ]
    opened = timezone.localtime(mine.created_at).strftime("%Y-%m-%d %H:%M")
    assert default[1:] == [
        [
            str(mine.pk),
            "Systematic review",
            "New",
            "Search strings for a review",
            "Ana Ruiz",
            "Chemistry Lab",
            "Alice Liddell",
            "2026-12-01",
            "",
            opened,
            "",
            "",
        ]
    ]
    assert [r[1] for r in closed[1:]] == ["Old one"]


def test_requests_export_refuses_managers(client, world):
    response = download(client, world.mia, "requests")

    assert response.status_code == 403
    assert "Managers see aggregate figures only" in response.text


def test_stories_export_with_the_tag_filter(client, world):
    story_at = dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.UTC)
    tagged = make_request(
        world.alice,
        [world.ana],
        title="Grant",
        story="The grant was funded",
        story_tags=["grant", "impact"],
        story_at=story_at,
        outcome="Funded",
    )
    make_request(world.alice, [world.ben], title="Other", story="Saved a week", story_tags=["time"])

    rows = csv_rows(download(client, world.alice, "stories", tag="#grant"))

    assert rows == [
        [
            "Request id",
            "Title",
            "Story",
            "Tags",
            "Story date",
            "Outcome",
            "Who asked",
            "Group",
            "Owner",
        ],
        [
            str(tagged.pk),
            "Grant",
            "The grant was funded",
            "grant; impact",
            "2026-02-01 09:00",
            "Funded",
            "Ana Ruiz",
            "",
            "Alice Liddell",
        ],
    ]


def test_items_export_for_a_manager_with_the_title_search(client, world):
    item = make_item(
        "Open data in chemistry",
        authors=["Ruiz, A.", "Okafor, B."],
        venue="J. Chem. Inf.",
        published_on=dt.date(2025, 5, 4),
        doi="10.1000/xyz",
        link="https://doi.org/10.1000/xyz",
    )
    make_item("Something else")

    rows = csv_rows(download(client, world.mia, "items", q="open data"))

    added = timezone.localtime(item.added_at).strftime("%Y-%m-%d %H:%M")
    assert rows == [
        [
            "Id",
            "Title",
            "Kind",
            "Authors",
            "Venue",
            "Published",
            "DOI",
            "arXiv id",
            "Link",
            "Source",
            "Added",
        ],
        [
            str(item.pk),
            "Open data in chemistry",
            "Article",
            "Ruiz, A.; Okafor, B.",
            "J. Chem. Inf.",
            "2025-05-04",
            "10.1000/xyz",
            "",
            "https://doi.org/10.1000/xyz",
            "",
            added,
        ],
    ]


def test_review_export_lists_suggestions_for_people_in_scope_only(client, world):
    item = make_item("Crystal structures", link="https://example.org/c")
    ana = Match.objects.create(
        person=world.ana,
        item=item,
        score=0.81234567,
        explanation={"terms": ["crystal"], "evidence": [{"label": "XRD question"}]},
    )
    Match.objects.create(person=world.hugo, item=item, score=0.9)

    rows = csv_rows(download(client, world.alice, "review"))

    suggested = timezone.localtime(ana.created_at).strftime("%Y-%m-%d %H:%M")
    assert rows == [
        ["Match id", "Person", "E-mail", "Item", "Link", "Score", "Why", "Suggested"],
        [
            str(ana.pk),
            "Ana Ruiz",
            "ana.ruiz@uni.example",
            "Crystal structures",
            "https://example.org/c",
            "0.8123",
            "crystal; XRD question",
            suggested,
        ],
    ]
    assert download(client, world.mia, "review").status_code == 403


def test_search_export_has_the_hits_the_user_may_open(client, world):
    rows = csv_rows(download(client, world.alice, "search", q="tenure"))
    bob_rows = csv_rows(download(client, world.bob, "search", q="tenure"))

    assert rows[0] == ["Kind", "Title", "Date", "Excerpt", "Link"]
    assert [(r[0], r[1], r[2], r[4]) for r in rows[1:]] == [
        (
            "Touchpoint",
            "Private worry about tenure",
            when(world.ana_secret),
            f"http://127.0.0.1:8000/touchpoints/{world.ana_secret.pk}/",
        )
    ]
    assert "tenure" in rows[1][3] and "<" not in rows[1][3]
    assert bob_rows == [["Kind", "Title", "Date", "Excerpt", "Link"]]


def test_search_export_for_a_manager_finds_items_only(client, world):
    make_item("Archive access guide")

    rows = csv_rows(download(client, world.mia, "search", q="archive"))

    assert [(r[0], r[1]) for r in rows[1:]] == [("Item", "Archive access guide")]


def test_participants_out_of_scope_are_counted_not_named(client, world):
    tp = make_touchpoint(world.bob, [world.hugo], group=world.chem, question="Joint seminar")
    Participation.objects.create(touchpoint=tp, person=world.carla, occurred_at=tp.occurred_at)

    rows = csv_rows(download(client, world.alice, "touchpoints", group=world.chem.pk))

    assert [r[13] for r in rows[1:] if r[0] == str(tp.pk)] == ["2 others"]
