"""An import in a real browser, on a phone: upload → mapping → dry run → run → report."""

import pytest
from playwright.sync_api import expect

from rapport.touchpoints.models import Touchpoint
from tests.imports.conftest import FIXTURES

pytestmark = pytest.mark.browser


def test_generic_csv_from_upload_to_report(phone, sign_in, staff):
    sign_in(phone, "alice")
    phone.goto("/imports/")
    phone.set_input_files("#id_file", str(FIXTURES / "desk_log.csv"))
    phone.get_by_role("button", name="Upload and preview").click()

    expect(phone.locator("#preview")).to_contain_text("Where are the chemistry handbooks?")
    phone.get_by_label("Minutes", exact=True).select_option("")  # leave the minutes out
    phone.get_by_label("“Walk-in” means").select_option("in_person")
    phone.get_by_role("button", name="Save the mapping").click()
    expect(phone.locator(".messages")).to_contain_text("Mapping saved")

    phone.get_by_role("button", name="Check every row (dry run)").click()
    expect(phone.locator("#dry-run")).to_contain_text("Touchpoints: 5 would be created")
    assert Touchpoint.objects.filter(source_system="generic").count() == 0

    phone.get_by_role("button", name="Import 5 rows").click()
    expect(phone.locator("#report")).to_contain_text("Touchpoints: 5 created")
    expect(phone.locator("#report")).to_contain_text("Unknown staff: ZZ (1)")
    expect(phone.get_by_role("link", name="Download the row report (CSV)")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert list(
        Touchpoint.objects.filter(source_system="generic")
        .order_by("occurred_at")
        .values_list("channel", "minutes")
    ) == [
        ("in_person", None),
        ("phone", None),
        ("email", None),
        ("in_person", None),
        ("chat", None),
    ]
