"""In Chromium: subscribe on a phone (make the address, a calendar fetches it), and import
meetings with JavaScript off (upload, preview, log, report)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from rapport.touchpoints.models import Touchpoint
from tests.calendars.conftest import fixture
from tests.calendars.strict import check

pytestmark = pytest.mark.browser


def test_make_the_feed_address_on_a_phone_and_fetch_it(phone, sign_in, world):
    sign_in(phone, "alice")
    phone.goto("/calendar/")
    expect(phone.locator("#feed-state")).to_have_text("No feed yet.")

    phone.get_by_role("button", name="Make my feed address").click()

    url = phone.locator("#feed-url").inner_text()
    assert url.startswith(f"{phone.url.split('/calendar/')[0]}/calendar/feed/cal_")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the long address must wrap, not widen the page"
    fetched = phone.request.get(url)
    assert fetched.status == 200
    assert fetched.headers["content-type"] == "text/calendar; charset=utf-8"
    check(fetched.body())


def test_import_meetings_without_javascript(no_script, sign_in, world):
    sign_in(no_script, "alice")
    no_script.goto("/calendar/import/")
    no_script.set_input_files("#id_file", str(fixture("google.ics")))
    no_script.fill("#id_since", "2025-01-01")
    no_script.get_by_role("button", name="Preview the import").click()

    expect(no_script.locator("#planned tbody tr")).to_have_count(5)
    no_script.get_by_role("button", name="Log 5 meetings").click()
    expect(no_script.get_by_text("Waiting for the worker")).to_be_visible()

    call_command("worker", "--batch", verbosity=0)
    no_script.reload()

    expect(no_script.get_by_role("heading", name="What the import logged")).to_be_visible()
    assert Touchpoint.objects.filter(source_system="ics", author=world.alice).count() == 5
