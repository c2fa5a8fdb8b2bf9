"""Impact stories over a period, for every role: a manager reads the stories alone (no
title, need, outcome or people, nothing linked to a confidential touchpoint); librarians the
stories of the requests they may see, with the request."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from rapport.reports.figures import date_range
from rapport.reports.stories import Story, stories, tally, to_story, years_with_stories
from rapport.requests.models import Request, Status, StatusChange

LONDON = ZoneInfo("Europe/London")
YEAR_2022 = date_range(dt.date(2022, 1, 1), dt.date(2022, 12, 31))


def at(year, month, day):
    return dt.datetime(year, month, day, 12, 0, tzinfo=LONDON)


def told(owner, title, story, *, when, group=None, people=(), tags=(), outcome="", **kw):
    request = Request.objects.create(
        title=title,
        need=f"The need behind {title}",
        owner=owner,
        status=Status.CLOSED,
        status_changed_at=kw.pop("changed", when or at(2022, 1, 1)),
        story=story,
        story_tags=list(tags),
        story_at=when,
        outcome=outcome,
        group=group,
    )
    request.people.add(*people)
    return request


@pytest.fixture
def told_stories(world):
    grant = told(
        world.alice,
        "Ana Ruiz grant search",
        "The lab's grant was funded on the first try.",
        when=at(2022, 3, 10),
        group=world.chem,
        people=[world.ana],
        tags=["grants"],
        outcome="Funded: Ana Ruiz thanked us",
    )
    show = told(
        world.bob,
        "Hugo Marsh exhibition",
        "The archive exhibition opened with 300 visitors.",
        when=at(2022, 5, 1),
        group=world.history,
        people=[world.hugo],
        tags=["outreach"],
    )
    secret = told(
        world.alice,
        "Tenure file",
        "A story from a confidential conversation.",
        when=at(2022, 4, 1),
        people=[world.ana],
    )
    secret.touchpoints.add(world.ana_secret)
    told(world.alice, "Long ago", "Told years before.", when=at(2020, 1, 1), people=[world.ana])
    old_row = told(
        world.alice,
        "Old row",
        "Told before stories had a date.",
        when=None,
        changed=at(2022, 2, 1),
        people=[world.ben],
    )
    for request, day in [
        (grant, at(2022, 3, 1)),
        (show, at(2022, 4, 20)),
        (old_row, at(2021, 6, 1)),
    ]:
        StatusChange.objects.create(request=request, to_status=Status.DELIVERED, at=day)
    return grant, show, secret, old_row


def texts(user, **kw):
    return [to_story(row).story for row in stories(user, YEAR_2022, **kw)]


def test_manager_reads_every_story_but_the_confidential_one_and_nothing_else(world, told_stories):
    rows = [to_story(row) for row in stories(world.mia, YEAR_2022)]

    assert rows == [
        Story(
            at(2022, 5, 1),
            "The archive exhibition opened with 300 visitors.",
            ["outreach"],
            "History Department",
            "Bob Bibby",
        ),
        Story(
            at(2022, 3, 10),
            "The lab's grant was funded on the first try.",
            ["grants"],
            "Chemistry Lab",
            "Alice Liddell",
        ),
        Story(at(2022, 2, 1), "Told before stories had a date.", [], "", "Alice Liddell"),
    ]
    assert tally(world.mia, YEAR_2022).delivered == 2  # the old row was delivered in 2021
    assert tally(world.mia, YEAR_2022).stories == 3


def test_librarians_read_the_stories_of_the_requests_they_see(world, told_stories):
    grant = told_stories[0]

    assert texts(world.alice) == [
        "A story from a confidential conversation.",  # hers: on her request's page too
        "The lab's grant was funded on the first try.",
        "Told before stories had a date.",
    ]
    assert texts(world.bob) == ["The archive exhibition opened with 300 visitors."]
    assert len(texts(world.ada)) == 4
    first = to_story(next(iter(stories(world.alice, YEAR_2022, tag="grants"))))
    assert (first.request_pk, first.title, first.outcome) == (
        grant.pk,
        "Ana Ruiz grant search",
        "Funded: Ana Ruiz thanked us",
    )
    assert tally(world.bob, YEAR_2022).delivered == 1


def test_stories_narrow_to_a_group_and_a_tag(world, told_stories):
    assert texts(world.mia, group=world.history) == [
        "The archive exhibition opened with 300 visitors."
    ]
    assert texts(world.mia, tag="#Grants") == ["The lab's grant was funded on the first try."]
    assert texts(world.mia, tag="nothing") == []


def page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reports:stories"), params)


def test_manager_page_shows_stories_without_request_people_or_outcome(client, world, told_stories):
    html = page(client, world.mia, **{"from": "2022-01-01", "to": "2022-12-31"}).text

    assert '<p class="subtitle" id="stories-period">1 Jan 2022 to 31 Dec 2022.' in html
    assert "The lab&#x27;s grant was funded on the first try." in html
    assert "The archive exhibition opened with 300 visitors." in html
    assert '<strong id="stories-delivered">2</strong> requests delivered' in html
    assert '<strong id="stories-count">3</strong> stories told' in html
    for secret in ["Ana Ruiz", "Hugo Marsh", "Funded", "confidential conversation", "The need"]:
        assert secret not in html
    assert "/requests/" not in html


def test_librarian_page_links_each_story_to_its_request(client, world, told_stories):
    grant = told_stories[0]

    html = page(client, world.alice, period="ay2021").text

    assert (
        f'<a href="{reverse("requests:detail", args=[grant.pk])}">Ana Ruiz grant search</a>' in html
    )
    assert "<strong>What came of it:</strong> Funded: Ana Ruiz thanked us" in html
    assert "The archive exhibition" not in html


def test_stories_page_group_out_of_scope_is_not_found(client, world, told_stories):
    assert page(client, world.bob, group=world.chem.pk).status_code == 404


def test_stories_page_bad_range_says_why(client, world, told_stories):
    html = page(client, world.mia, **{"from": "2022-12-31", "to": "2022-01-01"}).text

    assert "The range starts on 31 Dec 2022, after it ends on 1 Jan 2022" in html
    assert 'id="stories-period">Last 12 months:' in html
    assert '<p class="empty" id="stories-empty">No story told in this period.' in html


def test_stories_print_view(client, world, told_stories):
    html = page(client, world.mia, period="ay2021", print="1").text

    assert 'id="report-filters"' not in html
    assert "report-print.css" in html
    assert "The archive exhibition opened with 300 visitors." in html


def test_years_with_stories_for_each_reader(world, told_stories):
    # Told in 2020 (academic year 2019–20) and 2022 (2021–22); the old row's status moved in
    # February 2022.
    assert years_with_stories(world.mia) == [2021, 2019]
    assert years_with_stories(world.bob) == [2021]
    assert years_with_stories(world.alice) == [2021, 2019]


def test_stories_page_offers_the_years_holding_stories(client, world, told_stories):
    html = page(client, world.bob).text

    assert '<option value="ay2021">Academic year 2021–22</option>' in html
    assert "Academic year 2019–20" not in html
    assert "(no story)</option>" in html
