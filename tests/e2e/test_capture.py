"""The capture box in a real browser: log from one line, autocomplete, unknown people, refusals."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rapport.people.models import Person
from rapport.touchpoints.models import Touchpoint

LINE = (
    "@Ana Ruiz asked for PRISMA search strings for her scoping review "
    "#systematic-review ~20m read:4 via:walkby"
)


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_capture_on_phone_logs_the_line_and_tops_the_timeline(phone, sign_in, world):
    existing = set(Touchpoint.objects.values_list("pk", flat=True))
    sign_in(phone, "alice")
    box = phone.locator("#capture-line")

    box.press_sequentially(LINE)
    box.press("Enter")

    saved = phone.locator("#capture-result [data-capture-saved]")
    expect(saved).to_contain_text("Logged hallway encounter with Ana Ruiz")
    expect(saved.locator(".meta")).to_contain_text(
        "In person · Walk-by · 20 min · READ 4 · Chemistry Lab · #systematic-review"
    )
    expect(box).to_have_value("")
    assert scroll_width(phone) <= 390
    created = Touchpoint.objects.exclude(pk__in=existing)
    assert len(created) == 1
    tp = created[0]
    assert (tp.author, list(tp.people.all()), tp.group) == (world.alice, [world.ana], world.chem)
    assert tp.question == "asked for PRISMA search strings for her scoping review"
    assert tp.topic == "asked for PRISMA search strings for her scoping review"
    assert (tp.minutes, tp.read_level, tp.tags) == (20, 4, ["systematic-review"])
    assert (tp.kind, tp.channel, tp.origin, tp.initiated_by) == (
        "hallway",
        "in_person",
        "walkby",
        "them",
    )
    assert tp.capture_line == LINE
    assert tp.confidential is False

    saved.get_by_role("link", name="Ana Ruiz").click()

    expect(phone.locator("#person-name")).to_have_text("Ana Ruiz")
    entries = phone.locator("#timeline li.entry")
    expect(entries.first).to_have_id(f"touchpoint-{tp.pk}")
    expect(entries.first.locator(".entry-topic")).to_have_text(
        "asked for PRISMA search strings for her scoping review"
    )
    expect(entries).to_have_count(3)  # the new one, then the world's two with Ana
    assert scroll_width(phone) <= 390
    assert phone.evaluate("window.innerWidth") == 390  # the viewport meta tag took


def test_capture_autocomplete_picks_people_with_the_keyboard(desktop, sign_in, world):
    sign_in(desktop, "alice")
    box = desktop.locator("#capture-line")
    options = desktop.locator("#capture-line-suggestions li[role=option]")

    box.press_sequentially("@An")
    expect(options.locator(".name")).to_have_text(["Ana Ruiz"])
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")  # one option: the highlight wraps round to it
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")

    expect(box).to_have_value("@Ana Ruiz ")
    expect(desktop.locator("#capture-line-suggestions")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press_sequentially("and @Be")
    expect(options.locator(".name")).to_have_text(["Ben Okafor"])
    box.press("Tab")

    expect(box).to_have_value("@Ana Ruiz and @Ben Okafor ")
    expect(box).to_be_focused()
    # Choosing a person must not have sent the line.
    expect(desktop.locator("#capture-result")).to_be_empty()
    assert Touchpoint.objects.count() == 3


def test_capture_unknown_person_offers_to_create_them(phone, sign_in, world):
    line = "@Zoe Quinn asked for a dataset"
    sign_in(phone, "alice")
    box = phone.locator("#capture-line")

    box.fill(line)
    box.press("Enter")

    expect(phone.locator("#capture-error")).to_have_text(
        "No one called “Zoe Quinn” yet: create them, or check the spelling."
    )
    create = phone.locator("#capture-create-missing")
    expect(create).to_have_text("Create Zoe Quinn and log")
    # alice's usual group (the one she logs most in) is chosen for the new person
    expect(phone.locator("#capture-new-group")).to_have_value(str(world.chem.pk))
    expect(box).to_have_value(line)  # kept, to correct a misspelling
    assert Person.objects.filter(full_name="Zoe Quinn").count() == 0
    assert Touchpoint.objects.count() == 3

    create.click()

    expect(phone.locator("#capture-result [data-capture-saved]")).to_contain_text(
        "Logged question with Zoe Quinn"
    )
    expect(box).to_have_value("")
    expect(box).to_be_focused()  # ready for the next line
    zoe = Person.objects.get(full_name="Zoe Quinn")
    tp = Touchpoint.objects.get(question="asked for a dataset")
    assert (tp.author, list(tp.people.all()), tp.capture_line) == (world.alice, [zoe], line)
    assert Touchpoint.objects.count() == 4
    assert list(zoe.memberships.values_list("group__name", flat=True)) == ["Chemistry Lab"]


def test_capture_naming_nobody_asks_who_then_logs_with_no_one(phone, sign_in, world):
    sign_in(phone, "alice")
    box = phone.locator("#capture-line")

    box.fill("helped with a citation")
    box.press("Enter")

    expect(phone.locator("#capture-error")).to_have_text(
        "Who was it with? Add them to the line as @Name, or log it with no one in particular."
    )
    assert Touchpoint.objects.count() == 3

    phone.locator("#capture-confirm").click()

    expect(phone.locator("#capture-result [data-capture-saved]")).to_contain_text(
        "Logged question with no one in particular"
    )
    tp = Touchpoint.objects.get(capture_line="helped with a citation")
    assert list(tp.people.all()) == []


def test_capture_tomorrow_offers_a_request_due_then(phone, sign_in, world):
    from rapport.requests.models import Request

    sign_in(phone, "alice")
    box = phone.locator("#capture-line")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    box.fill("@Ana Ruiz asked for stats, will send tomorrow")
    box.press("Enter")
    offer = phone.locator("#capture-open-request")
    expect(offer).to_have_text(
        f"Open a request due {tomorrow:%a} {tomorrow.day} {tomorrow:%b} and log"
    )
    offer.click()

    expect(phone.locator("#capture-result [data-capture-saved]")).to_contain_text("Opened request")
    assert Request.objects.get().due_on == tomorrow
    assert scroll_width(phone) <= 390


def _future_line() -> tuple[str, str]:
    day = timezone.localdate() + dt.timedelta(days=400)
    moment = dt.datetime.combine(day, dt.time(12, 0))
    return (
        f"@Ana Ruiz asked for a dataset {day:%Y-%m-%d}",
        f"{moment:%a %d %b %Y %H:%M} is in the future; "
        "a touchpoint records something that already happened.",
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "@Ana Ruiz asked for a dataset read:9",
            "read:9 is not on the READ scale (1–6). "
            "Nothing was logged: correct the line and log it again.",
        ),
        _future_line(),
    ],
    ids=["read-level-off-scale", "future-date"],
)
def test_capture_refused_line_explains_and_logs_nothing(phone, sign_in, world, line, message):
    sign_in(phone, "alice")
    box = phone.locator("#capture-line")

    box.fill(line)
    box.press("Enter")

    expect(phone.locator("#capture-error")).to_have_text(message)
    expect(phone.locator("#capture-result [data-capture-saved]")).to_have_count(0)
    expect(phone.locator("#capture-create-missing")).to_have_count(0)
    expect(phone.get_by_role("link", name="Open it in the full form")).to_be_visible()
    expect(box).to_have_value(line)
    assert Touchpoint.objects.count() == 3
    assert scroll_width(phone) <= 390
