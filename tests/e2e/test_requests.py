"""A request in a real browser: opened from the capture box, found in the list, delivered."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from rapport.requests.models import Request


def test_request_from_capture_box_to_delivery(phone, sign_in, world):
    sign_in(phone, "alice")
    box = phone.locator("#capture-line")

    box.fill("@Ana Ruiz needs a data management plan review +request due:3d")
    box.press("Enter")

    expect(phone.locator("#capture-result [data-capture-saved]")).to_contain_text(
        "Logged question with Ana Ruiz"
    )
    req = Request.objects.get()
    assert (req.need, req.owner, req.due_on) == (
        "needs a data management plan review",
        world.alice,
        timezone.localdate() + dt.timedelta(days=3),
    )

    phone.get_by_role("link", name="Requests").click()
    row = phone.locator(f"#request-{req.pk}")
    expect(row).to_contain_text("needs a data management plan review")
    expect(row).to_contain_text("New")
    row.get_by_role("link", name="needs a data management plan review").click()

    expect(phone.locator("#request-title")).to_have_text("needs a data management plan review")
    phone.get_by_role("button", name="Mark delivered").click()

    expect(phone.locator("#request-status")).to_have_text("Delivered")
    follow_up = timezone.localdate() + dt.timedelta(days=14)
    expect(phone.locator("#request-follow-up")).to_contain_text(f"Due {follow_up:%a %-d %b %Y}")
    expect(phone.locator("#status-timeline")).to_contain_text("New → Delivered")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    req.refresh_from_db()
    assert (req.status, req.follow_up_on) == ("delivered", follow_up)
