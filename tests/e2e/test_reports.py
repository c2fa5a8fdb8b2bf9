"""The relationship report in a real browser on a phone: charts drawn, numbers beside them."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from rapport.relationships.services import refresh_all
from rapport.requests.models import Request, Status
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


def csp_violations(page) -> list[str]:
    """The Content-Security-Policy violations the page's console reports, as they come."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen


def test_manager_reaches_old_history_and_prints_the_report(desktop, sign_in, world):
    long_ago = dt.datetime(2021, 10, 12, 10, 0, tzinfo=timezone.get_current_timezone())
    for day, origin in [(0, "desk"), (1, "walkby"), (2, "referral"), (30, "desk")]:
        make_touchpoint(
            world.alice,
            [world.ben],
            occurred_at=long_ago + dt.timedelta(days=day),
            origin=origin,
            group=world.chem,
        )
    refresh_all()
    blocked = csp_violations(desktop)
    sign_in(desktop, "mia")
    desktop.goto("/reports/relationships/")

    # The academic year holding the old log is offered, after the last 12 months and this
    # year (the world's own touchpoints), before the recent years holding nothing.
    offered = desktop.locator("#id_period option").all_inner_texts()
    empty = [i for i, label in enumerate(offered) if label.endswith("(nothing logged)")]
    assert offered[0] == "Last 12 months"
    assert offered.index("Academic year 2021–22") < empty[0]
    assert len(empty) >= 1
    desktop.fill("#id_from", "2021-10-01")
    desktop.fill("#id_to", "2021-11-30")
    desktop.get_by_role("button", name="Show").click()
    expect(desktop.locator("#report-period")).to_contain_text("1 Oct 2021 to 30 Nov 2021")
    expect(desktop.locator("#report-total")).to_have_text("4")
    # The value axis is labelled 0 to 5 (three in October, one in November).
    expect(desktop.locator("#chart-origins text.tick")).to_have_text(["0", "1", "2", "3", "4", "5"])
    expect(desktop.locator("#chart-origins text.category")).to_have_text(["Oct", "Nov"])

    desktop.get_by_role("link", name="Print").click()
    expect(desktop).to_have_url(re.compile(r"print=1"))
    expect(desktop.locator("#report-filters")).to_have_count(0)
    expect(desktop.locator("#report-total")).to_have_text("4")
    expect(desktop.get_by_role("button", name="Print")).to_be_visible()
    expect(desktop.locator("#table-origins")).to_be_visible()  # the numbers open

    desktop.emulate_media(media="print")
    expect(desktop.locator(".site-header")).to_be_hidden()
    expect(desktop.get_by_role("button", name="Print")).to_be_hidden()
    expect(desktop.locator("#report-back")).to_be_hidden()
    for chart in ["origins", "people", "funnel", "read"]:
        expect(desktop.locator(f"svg#chart-{chart}")).to_be_visible()
        expect(desktop.locator(f"table#table-{chart}")).to_be_visible()
    expect(desktop.locator("details summary").first).to_be_hidden()
    pdf = desktop.pdf(format="A4")
    assert pdf.startswith(b"%PDF")

    desktop.emulate_media(media="screen")
    desktop.get_by_role("link", name="Back to the report").click()
    expect(desktop.locator("#report-filters")).to_be_visible()
    expect(desktop.locator("#id_from")).to_have_value("2021-10-01")
    assert blocked == []  # print.js and the print view's stylesheet load under the policy


def test_manager_reads_impact_stories_of_a_past_year(desktop, sign_in, world):
    told = dt.datetime(2022, 3, 10, 12, 0, tzinfo=timezone.get_current_timezone())
    request = Request.objects.create(
        title="Ana Ruiz grant search",
        need="A search for her grant",
        owner=world.alice,
        status=Status.CLOSED,
        status_changed_at=told,
        group=world.chem,
        outcome="Funded",
        story="The lab's grant was funded on the first try.",
        story_tags=["grants"],
        story_at=told,
    )
    request.people.add(world.ana)
    blocked = csp_violations(desktop)
    sign_in(desktop, "mia")

    desktop.get_by_role("link", name="Reports").click()
    desktop.get_by_role("link", name="Impact stories").click()
    expect(desktop.locator("#stories-empty")).to_be_visible()  # nothing in the last 12 months
    desktop.select_option("#id_period", "ay2021")
    desktop.get_by_role("button", name="Show").click()

    expect(desktop.locator("#stories .story-text")).to_have_text(
        ["The lab's grant was funded on the first try."]
    )
    expect(desktop.locator("#stories-count")).to_have_text("1")
    assert "Ana Ruiz" not in desktop.content()
    assert "Funded" not in desktop.content()
    desktop.get_by_role("link", name="#grants").click()
    expect(desktop.locator("#stories-period")).to_contain_text("tagged #grants")
    expect(desktop.locator("#stories .story-text")).to_have_count(1)
    assert blocked == []
