"""The relationship report in a real browser on a phone: charts drawn, numbers beside them."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from rapport.relationships.services import refresh_all
from tests.factories import make_touchpoint


def test_report_charts_and_tables_on_a_phone(phone, sign_in, world):
    make_touchpoint(
        world.alice,
        [world.ben],
        occurred_at=timezone.now() - dt.timedelta(days=40),
        origin="desk",
        read_level=3,
        group=world.chem,
    )
    refresh_all()
    sign_in(phone, "alice")

    phone.get_by_role("link", name="Reports").click()
    phone.get_by_role("link", name="Relationship report").click()

    expect(phone.locator("h1")).to_have_text("Relationship report")
    expect(phone.locator("#report-total")).to_have_text("3")
    for chart in ["origins", "people", "funnel", "read"]:
        svg = phone.locator(f"svg#chart-{chart}")
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box is not None and 0 < box["width"] <= 390 and box["height"] > 40
        expect(phone.locator(f"table#table-{chart}")).to_have_count(1)
    expect(phone.get_by_role("img", name="The ladder: people at each stage")).to_be_visible()

    phone.locator("#chart-funnel ~ details summary").click()
    first_contact = phone.locator("#table-funnel tbody tr").nth(1)  # ben; ana is a client
    expect(first_contact.locator("th")).to_have_text("First contact")
    expect(first_contact.locator("td")).to_have_text(["1", "50%"])
    phone.select_option("#id_group", label="Chemistry Lab")
    phone.get_by_role("button", name="Show").click()
    expect(phone.locator("h1")).to_have_text("Relationship report: Chemistry Lab")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
