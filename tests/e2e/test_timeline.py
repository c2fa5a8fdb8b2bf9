"""A person's timeline pages newest first: "Load more" with HTMX, and as a plain link without JS."""

import pytest
from playwright.sync_api import expect

from tests.factories import make_touchpoint

PAGE_SIZE = 20  # rapport.people.views.TIMELINE_PER_PAGE


@pytest.fixture
def ana_timeline(world) -> list[str]:
    """60 more touchpoints with Ana at odd hours ago (the world's two sit at 12 h and 24 h):
    the 62 entry ids alice should see, newest first."""
    touchpoints = [world.ana_question, world.ana_secret]
    touchpoints += [
        make_touchpoint(world.alice, [world.ana], days_ago=(2 * i + 1) / 24, group=world.chem)
        for i in range(60)
    ]
    newest_first = sorted(touchpoints, key=lambda tp: tp.occurred_at, reverse=True)
    return [f"touchpoint-{tp.pk}" for tp in newest_first]


def entry_ids(page) -> list[str]:
    return page.locator("#timeline li.entry").evaluate_all("(items) => items.map((li) => li.id)")


def test_timeline_load_more_appends_the_next_pages(
    desktop, live_server, sign_in, world, ana_timeline
):
    sign_in(desktop, "alice")
    desktop.goto(f"/people/{world.ana.pk}/")
    entries = desktop.locator("#timeline li.entry")
    more = desktop.locator("#timeline-more")

    expect(entries).to_have_count(PAGE_SIZE)
    assert entry_ids(desktop) == ana_timeline[:PAGE_SIZE]
    for shown in (40, 60, 62):
        more.click()
        expect(entries).to_have_count(shown)
        assert entry_ids(desktop) == ana_timeline[:shown]

    expect(more).to_have_count(0)
    assert desktop.url == f"{live_server.url}/people/{world.ana.pk}/"  # swapped in, no navigation


def test_timeline_without_javascript_the_link_opens_the_next_page(
    no_script, live_server, sign_in, world, ana_timeline
):
    sign_in(no_script, "alice")
    no_script.goto(f"/people/{world.ana.pk}/")
    more = no_script.locator("#timeline-more")
    assert entry_ids(no_script) == ana_timeline[:PAGE_SIZE]

    for number, (start, end) in enumerate([(20, 40), (40, 60), (60, 62)], start=2):
        more.click()
        expect(no_script).to_have_url(
            f"{live_server.url}/people/{world.ana.pk}/timeline/?page={number}"
        )
        expect(no_script.locator("#timeline li.entry").last).to_have_id(ana_timeline[end - 1])
        expect(no_script.locator("#person-name")).to_have_text("Ana Ruiz")
        assert entry_ids(no_script) == ana_timeline[start:end]
        expect(no_script.get_by_role("link", name="Back to the newest")).to_be_visible()

    expect(more).to_have_count(0)
