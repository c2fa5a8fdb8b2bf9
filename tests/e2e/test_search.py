"""Search in a real browser, on a phone: results as you type, marked, linked; the touchpoint
page then loads its similar past questions."""

import re

from playwright.sync_api import expect

from tests.factories import make_touchpoint


def test_search_on_phone_finds_as_you_type_and_shows_similar_questions(
    phone, sign_in, live_server, world
):
    first = make_touchpoint(
        world.alice,
        [world.ana],
        topic="Raman spectra calibration",
        question="How to calibrate Raman spectra?",
        answer="Use the silicon peak at 520 per cm.",
        days_ago=30,
    )
    second = make_touchpoint(
        world.alice,
        [world.ben],
        topic="Raman spectra baseline",
        question="Raman spectra baseline correction?",
        days_ago=2,
    )
    sign_in(phone, "alice")
    phone.goto("/search/")

    phone.fill("#id_q", "spectra calibrate")

    hits = phone.locator("#search-results .search-hit a.name")
    expect(hits).to_have_text(["Raman spectra calibration"])
    marks = phone.locator("#search-results mark")  # PostgreSQL may add a second fragment
    expect(marks.nth(0)).to_have_text("spectra")
    expect(marks.nth(1)).to_have_text("calibration")
    expect(phone).to_have_url(re.compile(r"/search/\?q=spectra(\+|%20)calibrate(&|$)"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.locator("#id_touchpoint_kind").select_option("email")
    expect(phone.locator("#search-message")).to_have_text(
        "Nothing you may see matches. Try fewer words or fewer filters."
    )
    phone.locator("#id_touchpoint_kind").select_option("")
    expect(hits).to_have_count(1)

    hits.first.click()

    expect(phone).to_have_url(f"{live_server.url}/touchpoints/{first.pk}/")
    panel = phone.locator(f"#similar-touchpoint-{first.pk}")
    expect(panel.locator("a").first).to_have_text("Raman spectra baseline")
    expect(panel.locator("a").first).to_have_attribute("href", f"/touchpoints/{second.pk}/")
