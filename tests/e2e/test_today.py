"""The Today page in a real browser: log a contact from a row, snooze a row, on a phone."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from rapport.relationships.models import Snooze
from rapport.relationships.services import refresh_all
from rapport.touchpoints.models import Touchpoint
from rapport.touchpoints.services import create_touchpoint
from tests.factories import make_person


def overdue(world, name):
    person = make_person(name, groups=[world.chem], status="faculty")
    create_touchpoint(
        by=world.alice,
        people=[person],
        occurred_at=timezone.now() - dt.timedelta(days=200),
        question="An old question",
    )
    return person


def test_log_contact_from_today_resets_the_row(phone, sign_in, world):
    refresh_all()
    olga = overdue(world, "Olga Old")
    sign_in(phone, "alice")
    row = phone.locator(f"#today-past_max-{olga.pk}")
    expect(row).to_contain_text("Olga Old")

    row.get_by_role("link", name="Log contact with Olga Old").click()
    box = phone.locator("#capture-line")
    expect(box).to_have_value("@Olga Old ")
    expect(box).to_be_focused()
    box.press_sequentially("asked about open access fees ~10m")
    box.press("Enter")

    expect(phone.locator("#capture-result [data-capture-saved]")).to_contain_text("with Olga Old")
    assert Touchpoint.objects.filter(people=olga).count() == 2
    phone.goto("/")
    expect(phone.locator(f"#today-past_max-{olga.pk}")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_snooze_takes_the_row_off_in_place(phone, sign_in, world):
    refresh_all()
    olga = overdue(world, "Olga Old")
    sign_in(phone, "alice")
    row = phone.locator(f"#today-past_max-{olga.pk}")

    row.get_by_label("Snooze Olga Old for").select_option("30")
    row.get_by_role("button", name="Snooze").click()

    until = timezone.localdate() + dt.timedelta(days=30)
    expect(phone.locator("li.snoozed")).to_have_text(f"Snoozed Olga Old until {until:%a %-d %b}.")
    assert Snooze.objects.get(person=olga).until == until
    phone.reload()
    expect(phone.locator(f"#today-past_max-{olga.pk}")).to_have_count(0)


def test_snooze_works_without_javascript(no_script, sign_in, world):
    refresh_all()
    olga = overdue(world, "Olga Old")
    sign_in(no_script, "alice")

    no_script.locator(f"#today-past_max-{olga.pk}").get_by_role("button", name="Snooze").click()

    expect(no_script.locator(".messages")).to_contain_text("Snoozed Olga Old until")
    expect(no_script.locator(f"#today-past_max-{olga.pk}")).to_have_count(0)
