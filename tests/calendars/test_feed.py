"""The private feed: what it holds, who it shows, and that strict parsers and clients take it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.calendars import services
from rapport.calendars.models import CalendarFeed, hash_feed_token
from rapport.errors import Forbidden
from rapport.relationships.models import Snooze
from tests.calendars.conftest import make_request
from tests.calendars.strict import check


def feed_url(raw: str) -> str:
    return reverse("calendars:feed", args=[raw])


@pytest.fixture
def entries(world):
    today = timezone.localdate()
    due = make_request(
        world.alice, [world.ana], title="Search strings; PRISMA, for Ana", due_on=today
    )
    follow = make_request(
        world.alice,
        [world.ana, world.ben],
        status="delivered",
        title="Data management plan",
        need="Private worry about tenure",
        follow_up_on=today + dt.timedelta(days=14),
    )
    snooze = Snooze.objects.create(
        user=world.alice, person=world.ben, until=today + dt.timedelta(days=3), reason="On leave"
    )
    # Not in Alice's feed: bob's request, a closed one, and dates outside the window.
    make_request(world.bob, [world.hugo], title="Bob's request", due_on=today)
    make_request(world.alice, [world.ana], status="closed", title="Closed one", due_on=today)
    make_request(world.alice, [world.ana], title="Long ago", due_on=today - dt.timedelta(days=31))
    make_request(world.alice, [world.ana], title="Far ahead", due_on=today + dt.timedelta(366))
    return due, follow, snooze


def test_feed_holds_due_dates_follow_ups_and_snoozes_ending(client, world, entries):
    due, follow, snooze = entries
    _feed, raw = services.create_feed(by=world.alice)

    response = client.get(feed_url(raw))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = check(response.content)
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    today = timezone.localdate()
    assert sorted(events) == [
        f"rapport-request-{due.pk}-due@rapport.uni.example",
        f"rapport-request-{follow.pk}-follow-up@rapport.uni.example",
        f"rapport-snooze-{snooze.pk}@rapport.uni.example",
    ]
    due_event = events[f"rapport-request-{due.pk}-due@rapport.uni.example"]
    assert str(due_event["SUMMARY"]) == "Due: Search strings; PRISMA, for Ana"
    assert due_event["DTSTART"].dt == today
    assert str(due_event["URL"]) == f"https://rapport.uni.example/requests/{due.pk}/"
    assert str(due_event["DESCRIPTION"]) == (
        f"Request #{due.pk}: Search strings; PRISMA, for Ana\nFor Ana Ruiz\nStatus: New\n"
        f"https://rapport.uni.example/requests/{due.pk}/"
    )
    follow_event = events[f"rapport-request-{follow.pk}-follow-up@rapport.uni.example"]
    assert str(follow_event["SUMMARY"]) == "Follow up: Data management plan"
    assert follow_event["DTSTART"].dt == today + dt.timedelta(days=14)
    snooze_event = events[f"rapport-snooze-{snooze.pk}@rapport.uni.example"]
    assert str(snooze_event["SUMMARY"]) == "Back on Today: Ben Okafor"
    assert str(snooze_event["URL"]) == f"https://rapport.uni.example/people/{world.ben.pk}/"
    assert b"Private worry" not in response.content
    assert b"On leave" not in response.content
    assert b"tenure" not in response.content


def test_feed_answers_304_while_nothing_changes_and_200_when_something_does(client, world, entries):
    due, _, _ = entries
    _feed, raw = services.create_feed(by=world.alice)
    first = client.get(feed_url(raw))
    etag, modified = first["ETag"], first["Last-Modified"]

    again = client.get(feed_url(raw), HTTP_IF_NONE_MATCH=etag)
    by_date = client.get(feed_url(raw), HTTP_IF_MODIFIED_SINCE=modified)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert by_date.status_code == 304

    due.delete()  # an entry disappearing changes the feed too
    changed = client.get(feed_url(raw), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert len(check(changed.content).walk("VEVENT")) == 2


def test_feed_is_stable_between_polls(client, world, entries):
    _feed, raw = services.create_feed(by=world.alice)
    assert client.get(feed_url(raw)).content == client.get(feed_url(raw)).content


def test_only_the_hash_of_the_address_is_stored(world):
    feed, raw = services.create_feed(by=world.alice)
    assert raw.startswith("cal_") and len(raw) == 47
    assert feed.token_hash == hash_feed_token(raw)
    assert raw not in str(list(CalendarFeed.objects.values()))
    assert feed.hint == raw[:8]


def test_replacing_stops_the_old_address_and_is_audited(client, world):
    _old, old_raw = services.create_feed(by=world.alice)
    _new, new_raw = services.create_feed(by=world.alice)

    assert client.get(feed_url(old_raw)).status_code == 410
    assert client.get(feed_url(new_raw)).status_code == 200
    summaries = list(
        AuditEntry.objects.filter(object_type="calendarfeed").values_list("summary", flat=True)
    )
    assert sorted(summaries) == ["Calendar feed created", "Calendar feed replaced"]


def test_revoked_feed_is_gone(client, world):
    _feed, raw = services.create_feed(by=world.alice)
    assert services.revoke_feed(by=world.alice) == 1

    response = client.get(feed_url(raw))
    assert response.status_code == 410
    assert response.text == "This calendar feed was turned off. Ask Rapport for a new address."
    assert AuditEntry.objects.filter(action="revoke", object_type="calendarfeed").count() == 1


def test_deactivated_librarians_feed_is_gone(client, world):
    _feed, raw = services.create_feed(by=world.alice)
    world.alice.is_active = False
    world.alice.save()
    assert client.get(feed_url(raw)).status_code == 410


@pytest.mark.parametrize("raw", ["cal_nothing-like-it", "rpt_abc", "x" * 300])
def test_unknown_address_is_not_found(client, world, raw):
    response = client.get(feed_url(raw))
    assert (response.status_code, response.text) == (404, "There is no such calendar feed.")


def test_managers_cannot_make_a_feed(world):
    with pytest.raises(Forbidden, match="cannot keep a calendar of follow-ups"):
        services.create_feed(by=world.mia)
    assert CalendarFeed.objects.count() == 0


def test_empty_feed_is_still_a_valid_calendar(client, world):
    _feed, raw = services.create_feed(by=world.bob)
    parsed = check(client.get(feed_url(raw)).content)
    assert parsed.walk("VEVENT") == []
    assert str(parsed["X-WR-CALNAME"]) == "Rapport: Bob Bibby"


def test_fetching_marks_when_a_calendar_last_read_it(client, world):
    feed, raw = services.create_feed(by=world.alice)
    client.get(feed_url(raw))
    feed.refresh_from_db()
    assert feed.last_fetched_at is not None
    assert abs((timezone.now() - feed.last_fetched_at).total_seconds()) < 60


def test_a_librarian_made_manager_loses_the_feed(client, world):
    _feed, raw = services.create_feed(by=world.alice)
    world.alice.role = "manager"
    world.alice.save()
    assert client.get(feed_url(raw)).status_code == 410


def test_feed_queries_do_not_grow_with_its_entries(client, world, django_assert_max_num_queries):
    today = timezone.localdate()
    _feed, raw = services.create_feed(by=world.alice)
    client.get(feed_url(raw))  # marks the first fetch
    for n in range(20):
        make_request(world.alice, [world.ana, world.ben], title=f"R{n}", due_on=today)
    with django_assert_max_num_queries(6):
        response = client.get(feed_url(raw))
    assert len(check(response.content).walk("VEVENT")) == 20


def test_head_answers_without_a_body(client, world, entries):
    _feed, raw = services.create_feed(by=world.alice)
    response = client.head(feed_url(raw))
    assert (response.status_code, response.content) == (200, b"")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
