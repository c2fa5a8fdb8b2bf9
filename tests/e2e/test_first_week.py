"""The first week on the pages, in a real browser: what can be clicked looks clickable, the
coverage table says it scrolls (and is a list of cards on a phone), a form error on a phone is
brought into view and focused."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from rapport.awareness.models import Match
from rapport.awareness.services import set_interest
from rapport.people.forms import mention_for
from rapport.people.models import Group
from rapport.relationships.services import refresh_all
from rapport.today.today import SHOWN
from rapport.touchpoints.services import create_touchpoint
from tests.awareness.conftest import make_item
from tests.factories import make_person
from tests.requests.conftest import make_request

ACCENT = "rgb(31, 95, 191)"  # --accent


def style(page, selector: str, prop: str, pseudo: str | None = None) -> str:
    return page.eval_on_selector(
        selector, "(el, [p, s]) => getComputedStyle(el, s).getPropertyValue(p)", [prop, pseudo]
    )


def test_collapsible_sections_show_a_marker_and_turn_it_when_open(desktop, sign_in, world):
    refresh_all()
    desktop.emulate_media(reduced_motion="reduce")  # no turning animation to wait for
    sign_in(desktop, "alice")
    desktop.goto(f"/people/{world.ana.pk}/")
    summary = "#rel-why > summary"

    assert style(desktop, summary, "cursor") == "pointer"
    assert style(desktop, summary, "color") == ACCENT
    assert style(desktop, summary, "border-left-width", "::before") == "8px"  # the marker
    assert style(desktop, summary, "transform", "::before") == "none"  # pointing right

    desktop.click(summary)

    expect(desktop.locator("#rel-parts")).to_be_visible()
    turned = style(desktop, summary, "transform", "::before")
    assert turned == "matrix(0, 1, -1, 0, 0, 0)"  # a quarter turn: pointing down


def test_buttons_styled_as_links_look_like_links(desktop, sign_in, world):
    sign_in(desktop, "alice")
    button = desktop.get_by_role("button", name="Email me daily")
    expect(button).to_be_visible()

    assert button.evaluate("el => getComputedStyle(el).color") == ACCENT
    assert "underline" in button.evaluate("el => getComputedStyle(el).textDecorationLine")
    assert button.evaluate("el => getComputedStyle(el).cursor") == "pointer"
    signout = desktop.get_by_role("button", name="Sign out")
    assert "underline" not in signout.evaluate("el => getComputedStyle(el).textDecorationLine")


def test_coverage_table_fits_at_1280_and_says_it_scrolls_when_narrower(desktop, sign_in, world):
    # A real library's group names are long: the name wraps in its column instead of pushing
    # the figures out of the card.
    Group.objects.filter(pk=world.chem.pk).update(
        name="Department of Chemical and Biological Engineering, Materials Science Research Lab"
    )
    sign_in(desktop, "alice")
    desktop.goto("/reports/coverage/")
    box = desktop.locator("#coverage-groups").locator("xpath=..")
    hint = desktop.locator("#coverage-groups-hint")
    last = desktop.locator(f"#coverage-group-{world.chem.pk} td.relationship")

    expect(last).to_be_in_viewport(ratio=0.99)  # every column shows at 1280 px
    expect(hint).to_be_hidden()
    expect(box).to_have_class("table-wrap scroll-x")

    desktop.set_viewport_size({"width": 820, "height": 900})  # a tablet, or a narrow window

    sizes = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] > sizes[1]
    expect(hint).to_be_visible()
    expect(hint).to_have_text("Scroll sideways for more columns; the first column stays.")
    expect(box).to_have_class("table-wrap scroll-x overflows")
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 820

    box.evaluate("el => { el.scrollLeft = el.scrollWidth; }")

    expect(box).to_have_class("table-wrap scroll-x overflows at-end")
    name = desktop.locator(f"#coverage-group-{world.chem.pk} th")
    expect(name).to_be_in_viewport()
    assert name.bounding_box()["x"] == box.bounding_box()["x"]  # stuck on the left
    cell, frame = last.bounding_box(), box.bounding_box()
    assert cell["x"] + cell["width"] <= frame["x"] + frame["width"] + 1  # the last column shows


def test_coverage_on_a_phone_is_cards_of_labelled_figures(phone, sign_in, world):
    sign_in(phone, "alice")
    phone.goto("/reports/coverage/")
    row = phone.locator(f"#coverage-group-{world.chem.pk}")

    for cell in ("members", "never", "overdue", "hours", "relationship"):
        row.locator(f"td.{cell}").scroll_into_view_if_needed()
        expect(row.locator(f"td.{cell}")).to_be_in_viewport(ratio=1)
        box = row.locator(f"td.{cell}").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    never = f"#coverage-group-{world.chem.pk} td.never"
    assert style(phone, never, "content", "::before") == '"Never contacted"'
    expect(phone.locator("#coverage-groups-hint")).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_form_error_on_a_phone_is_scrolled_to_and_focused(phone, sign_in, world):
    sign_in(phone, "alice")
    phone.goto("/people/new/")
    phone.fill("#id_full_name", "Zoe Zed")
    phone.fill("#id_orcid", "not an orcid")

    phone.get_by_role("button", name="Save").click()

    field = phone.locator("#id_orcid")
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()
    expect(phone.locator(".field.invalid .field-error")).to_have_count(1)


def _overdue(world, name, days=200):
    person = make_person(name, groups=[world.chem], status="faculty")
    create_touchpoint(
        by=world.alice,
        people=[person],
        occurred_at=timezone.now() - dt.timedelta(days=days),
        question="An old question",
    )
    return person


def test_today_counts_follow_a_snooze_and_a_capture_and_more_is_a_link(phone, sign_in, world):
    people = [_overdue(world, f"Olga Old {i:02d}", 200 + i) for i in range(SHOWN + 1)]
    refresh_all()
    sign_in(phone, "alice")
    count = phone.locator("#today-past_max-count")
    expect(count).to_have_text("16")
    more = phone.locator("#today-past_max-more")
    expect(more).to_have_text("and 1 more past their maximum interval")

    row = phone.locator(f"#today-past_max-{people[-1].pk}")  # the longest overdue, first
    row.get_by_role("button", name="Snooze").click()
    expect(phone.locator("li.snoozed")).to_have_count(1)
    expect(count).to_have_text("15")
    expect(more).to_have_text("")

    box = phone.locator("#capture-line")
    box.fill(f"{mention_for(people[-2].full_name)} asked about theses ~5m")
    box.press("Enter")
    expect(phone.locator("#capture-result [data-capture-saved]")).to_be_visible()
    expect(count).to_have_text("14")


def test_and_more_opens_the_whole_list(desktop, sign_in, world):
    for i in range(SHOWN + 2):
        _overdue(world, f"Olga Old {i:02d}", 200 + i)
    refresh_all()
    sign_in(desktop, "alice")

    desktop.get_by_role("link", name="and 2 more past their maximum interval").click()

    expect(desktop.locator("h1")).to_have_text("Past their maximum interval")
    expect(desktop.locator("#today-past_max li .name")).to_have_count(SHOWN + 2)


def test_review_queue_of_thirty_is_short_and_approved_at_once(desktop, sign_in, world):
    for i in range(30):
        item = make_item(f"Paper number {i:02d} on scoping reviews")
        Match.objects.create(person=world.ana, item=item, score=1 - i / 100)
    sign_in(desktop, "alice")
    desktop.goto("/awareness/review/")
    expect(desktop.locator("#suggestions > li.entry")).to_have_count(30)
    assert desktop.evaluate("document.documentElement.scrollHeight") < 6000  # was ~10,000
    expect(desktop.locator("textarea:visible")).to_have_count(0)  # each note folded away

    desktop.get_by_label("Select all on this page").check()
    desktop.get_by_role("button", name="Approve selected").click()

    expect(desktop.locator(".message.success")).to_have_text("Approved 30 suggestions.")
    expect(desktop.locator("#suggestions")).to_have_text("Nothing waits for review.")
    assert Match.objects.filter(status="approved").count() == 30


def test_review_queue_filtered_to_one_item(desktop, sign_in, world):
    shared = make_item("A paper for both")
    Match.objects.create(person=world.ana, item=shared, score=0.9)
    Match.objects.create(person=world.ben, item=shared, score=0.8)
    Match.objects.create(person=world.ana, item=make_item("Another paper"), score=0.7)
    sign_in(desktop, "alice")
    desktop.goto("/awareness/review/")

    desktop.get_by_label("Item").select_option(label="A paper for both")
    desktop.get_by_role("button", name="Show").click()

    expect(desktop.locator("#suggestions > li.entry .meta a")).to_have_text(
        ["Ana Ruiz", "Ben Okafor"]
    )
    desktop.locator("#suggestions > li.entry").first.get_by_text("Add a note").click()
    expect(desktop.locator("#suggestions > li.entry").first.locator("textarea")).to_be_visible()


def test_error_in_a_folded_form_on_a_phone_is_shown_and_focused(phone, sign_in, world):
    req = make_request(world.alice, [world.ana])
    sign_in(phone, "alice")
    phone.goto(f"/requests/{req.pk}/")
    phone.get_by_text("Add a deliverable").click()
    phone.fill("#id_url", "javascript:alert(1)")

    phone.get_by_role("button", name="Add", exact=True).click()

    expect(phone.locator("details:has(#id_url)")).to_have_attribute("open", "")
    problem = phone.locator("details:has(#id_url) .form-errors, #id_url").first
    expect(problem).to_be_focused()
    expect(problem).to_be_in_viewport()


def test_every_folded_section_shows_the_same_marker(desktop, sign_in, world):
    req = make_request(world.alice, [world.ana])
    refresh_all()
    sign_in(desktop, "alice")
    pages = {
        f"/people/{world.ana.pk}/": ["Why this score", "Snooze"],
        f"/requests/{req.pk}/": ["Add a deliverable"],
        "/reports/relationships/": ["The numbers"],
    }
    for url, names in pages.items():
        desktop.goto(url)
        for name in names:
            summary = desktop.locator("summary", has_text=name).first
            marker = summary.evaluate(
                "el => getComputedStyle(el, '::before').getPropertyValue('border-left-width')"
            )
            assert marker == "8px", (url, name)
            assert summary.evaluate("el => getComputedStyle(el).cursor") == "pointer"
    set_interest(by=world.alice, person=world.ana, term="scoping reviews", state="stated")
    desktop.goto(f"/awareness/people/{world.ana.pk}/")
    expect(desktop.get_by_role("button", name="Pin scoping reviews")).to_be_visible()
    for button in desktop.locator("main button.link").all():
        assert "underline" in button.evaluate("el => getComputedStyle(el).textDecorationLine")
