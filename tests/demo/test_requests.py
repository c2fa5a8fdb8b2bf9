"""Requests in the generated library: opened from touchpoints, with consistent timelines."""

import collections
import datetime as dt
import itertools
import json
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from rapport.accounts.models import User
from rapport.demo.base import REQUEST, STATUS_CHANGE, TIERS, TOUCHPOINT
from rapport.demo.generator import generate
from rapport.demo.loader import load
from rapport.requests.models import OPEN_STATUSES, Deliverable, Request, Status, StatusChange
from rapport.requests.queries import follow_ups_due, requests_due
from rapport.touchpoints.models import Participation

LONDON = ZoneInfo("Europe/London")
END = dt.datetime(2026, 11, 27, 15, 0, tzinfo=LONDON)  # a Friday afternoon
REQUEST_TABLES = (
    "rapport_request",
    "rapport_request_person",
    "rapport_request_touchpoint",
    "rapport_request_status_change",
    "rapport_deliverable",
)
LATER = (Status.DELIVERED, Status.FOLLOWED_UP, Status.CLOSED)


def rows_of(seed: int = 1, end: dt.datetime = END, tier: str = "demo") -> dict[str, list]:
    rows: dict[str, list] = collections.defaultdict(list)
    for batch in generate(TIERS[tier], seed=seed, end=end, tz=LONDON, password="hash"):
        if batch.op == "insert":
            rows[batch.table] += batch.rows
    return rows


def field(spec, name: str) -> int:
    return spec[1].index(name)


@pytest.fixture(scope="module")
def demo():
    return rows_of()


def test_requests_same_seed_gives_identical_rows(demo):
    again = rows_of()
    other = rows_of(seed=2)

    for table in REQUEST_TABLES:
        assert demo[table], table
        assert again[table] == demo[table], table
    assert other["rapport_request"] != demo["rapport_request"]


def test_requests_come_from_a_share_of_substantial_touchpoints(demo):
    kind, read, confidential, question, author = (
        field(TOUCHPOINT, n)
        for n in ("kind", "read_level", "confidential", "question", "author_id")
    )
    touchpoints = {row[0]: row for row in demo["rapport_touchpoint"]}
    eligible = [
        row
        for row in touchpoints.values()
        if row[kind] in ("consultation", "question", "deliverable")
        and row[read] >= 3
        and not row[confidential]
    ]
    links = {r: t for _, r, t in demo["rapport_request_touchpoint"]}
    requests = demo["rapport_request"]

    assert 0.07 <= len(requests) / len(eligible) <= 0.13
    assert len(links) == len(requests)
    for row in requests:
        tp = touchpoints[links[row[0]]]
        assert tp in eligible
        assert row[field(REQUEST, "need")] == tp[question]
        assert row[field(REQUEST, "owner_id")] == row[field(REQUEST, "created_by_id")]
        assert row[field(REQUEST, "owner_id")] == tp[author]
        assert row[field(REQUEST, "group_id")] == tp[field(TOUCHPOINT, "group_id")]
        assert row[field(REQUEST, "created_at")] == tp[field(TOUCHPOINT, "logged_at")]
        assert 0 < len(row[field(REQUEST, "title")]) <= 80


def test_requests_status_follows_age(demo):
    created, status = field(REQUEST, "created_at"), field(REQUEST, "status")
    cutoff = (END - dt.timedelta(days=90)).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    old = collections.Counter(r[status] for r in demo["rapport_request"] if r[created] < cutoff)
    recent = collections.Counter(r[status] for r in demo["rapport_request"] if r[created] > cutoff)

    assert old["closed"] / old.total() > 0.8
    assert old["declined"] > 0
    assert not old.keys() & {"new", "in_progress", "delivered"}
    assert recent.keys() & {"new", "in_progress"}
    assert recent["delivered"] > 0


def test_requests_changes_only_go_forward(demo):
    at, to = field(STATUS_CHANGE, "at"), field(STATUS_CHANGE, "to_status")
    changes = collections.defaultdict(list)
    for row in demo["rapport_request_status_change"]:
        changes[row[1]].append(row)
    order = ["", "new", "in_progress", "delivered", "followed_up", "closed"]

    for row in demo["rapport_request"]:
        steps = changes[row[0]]
        path = [""] + [s[to] for s in steps]
        assert [s[field(STATUS_CHANGE, "from_status")] for s in steps] == path[:-1]
        if path[-1] == "declined":
            assert path[:-1] in (["", "new"], ["", "new", "in_progress"])
        else:
            assert path == order[: len(path)]
        assert [s[at] for s in steps] == sorted(s[at] for s in steps)
        assert steps[0][at] == row[field(REQUEST, "created_at")]
        assert steps[-1][at] == row[field(REQUEST, "status_changed_at")]


@pytest.fixture
def loaded(db):
    return load("demo", seed=1, end=END)


def delivered_on(request: Request) -> dt.date:
    change = request.status_changes.get(to_status=Status.DELIVERED)
    return timezone.localdate(change.at, LONDON)


def test_load_requests_agree_with_their_status_changes(loaded):
    requests = Request.objects.prefetch_related("status_changes", "deliverables")

    assert len(requests) == loaded.rows["rapport_request"] > 50
    for request in requests:
        changes = sorted(request.status_changes.all(), key=lambda c: (c.at, c.pk))
        assert changes[-1].to_status == request.status, request.pk
        assert changes[-1].at == request.status_changed_at
        assert all(a.at <= b.at for a, b in itertools.pairwise(changes))
        assert changes[0].at == request.created_at <= request.status_changed_at <= END
        assert {c.by_id for c in changes} == {request.owner_id}
        deliverables = list(request.deliverables.all())
        if request.status in LATER:
            assert len(deliverables) == 1, request.pk
            assert request.follow_up_on == delivered_on(request) + dt.timedelta(
                days=request.follow_up_days
            )
            assert (
                deliverables[0].delivered_at
                == request.status_changes.get(to_status=Status.DELIVERED).at
            )
        else:
            assert not deliverables and request.follow_up_on is None, request.pk
        if request.status in (Status.FOLLOWED_UP, Status.CLOSED):
            assert request.outcome
            assert (
                request.followed_up_at
                == request.status_changes.get(to_status=Status.FOLLOWED_UP).at
            )
        else:
            assert request.followed_up_at is None and not request.story
        assert request.follow_up_days in (7, 14, 30)
        assert request.due_on >= timezone.localdate(request.created_at, LONDON)


def test_load_requests_people_are_the_touchpoints_people(loaded):
    for request in Request.objects.prefetch_related("people", "touchpoints"):
        (touchpoint,) = request.touchpoints.all()
        people = Participation.objects.filter(touchpoint=touchpoint).values_list(
            "person_id", flat=True
        )
        assert {p.pk for p in request.people.all()} == set(people)
        assert not touchpoint.confidential
        assert request.group_id == touchpoint.group_id


def test_load_requests_have_deliverables_and_stories(loaded):
    done = Request.objects.filter(status__in=[Status.FOLLOWED_UP, Status.CLOSED])
    stories = done.exclude(story="")
    urls = Deliverable.objects.exclude(url="").values_list("url", flat=True)

    assert 0.15 < stories.count() / done.count() < 0.5
    for request in stories:
        assert 1 <= len(request.story_tags) <= 2
        assert request.story_at == request.followed_up_at
    assert not done.filter(story="").exclude(story_tags=[]).exists()
    assert urls and all(u.startswith("https://library.example/") for u in urls)
    assert not Deliverable.objects.filter(title="").exists()
    assert Request.objects.filter(status=Status.DECLINED).exists()
    follow_up_days = set(Request.objects.values_list("follow_up_days", flat=True))
    assert 14 in follow_up_days and len(follow_up_days) > 1


@pytest.mark.parametrize(
    "end",
    [
        END,
        dt.datetime(2026, 8, 12, 10, 0, tzinfo=LONDON),  # the quiet summer
        dt.datetime(2027, 1, 4, 9, 30, tzinfo=LONDON),  # straight after the winter closure
        dt.datetime(2026, 3, 15, 12, 0, tzinfo=LONDON),  # a Sunday
    ],
)
def test_load_demo_librarian_has_work_due_at_the_end(db, end):
    load("demo", seed=1, end=end)
    today = end.date()

    for username in ("librarian", "tomas", "priya"):
        user = User.objects.get(username=username)
        follow_ups = list(follow_ups_due(user, today))
        due = list(requests_due(user, today))
        assert follow_ups, username
        assert due, username
        assert all(r.follow_up_on <= today for r in follow_ups)
    assert not Request.objects.filter(created_at__gt=end).exists()
    assert not StatusChange.objects.filter(at__gt=end).exists()
    assert Request.objects.filter(status__in=OPEN_STATUSES).count() < Request.objects.count() / 3


def test_load_leaves_request_ids_free(loaded):
    librarian = User.objects.get(username="librarian")
    request = Request.objects.create(
        title="New", need="New", owner=librarian, status_changed_at=END
    )
    change = StatusChange.objects.create(request=request, to_status=Status.NEW, at=END)
    deliverable = Deliverable.objects.create(request=request, title="New", delivered_at=END)
    request.touchpoints.add(1)

    assert request.pk == loaded.rows["rapport_request"] + 1
    assert change.pk == loaded.rows["rapport_request_status_change"] + 1
    assert deliverable.pk == loaded.rows["rapport_deliverable"] + 1
    through = Request.touchpoints.through.objects.get(request=request)
    assert through.pk == loaded.rows["rapport_request_touchpoint"] + 1
    assert json.loads(json.dumps(request.story_tags)) == []
