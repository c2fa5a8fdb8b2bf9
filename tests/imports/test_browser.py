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


def test_a_form_export_is_guessed_right_and_says_how_sure(phone, sign_in, staff):
    sign_in(phone, "alice")
    phone.goto("/imports/")
    phone.set_input_files("#id_file", str(FIXTURES.parent / "sources/fixtures/reference_form.csv"))
    phone.get_by_role("button", name="Upload and preview").click()

    expect(phone.get_by_label("Channel", exact=True)).to_have_value("How did they contact you")
    expect(phone.get_by_label("Minutes", exact=True)).to_have_value("Staff time spent")
    expect(phone.get_by_label("Question", exact=True)).to_have_value("What did they need")
    expect(phone.get_by_label("When: if that column is empty, from")).to_have_value("Timestamp")
    expect(phone.locator("#id_col-minutes_helptext")).to_have_text(
        "Guessed from the heading and the values: sure (98%)."
    )
    expect(phone.get_by_label("“Member of the public” means")).to_have_value("external")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.get_by_role("button", name="Check every row (dry run)").click()
    expect(phone.locator("#dry-run")).to_contain_text("Touchpoints: 8 would be created")
    expect(phone.locator("#dry-run")).to_contain_text("“5–15 min” as 10")
    phone.get_by_role("button", name="Import 8 rows").click()
    expect(phone.locator("#report")).to_contain_text("Touchpoints: 8 created")
    assert sorted(
        Touchpoint.objects.filter(source_system="generic").values_list("channel", "minutes")
    ) == [
        ("email", 10), ("email", 10), ("email", 23), ("email", 60), ("email", 90),
        ("in_person", 3), ("in_person", 23), ("phone", 3),
    ]  # fmt: skip
