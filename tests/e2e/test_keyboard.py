"""The keyboard, focus, live regions, contrast and zoom, page by page (WCAG 2.1 AA): what axe-core
cannot see (tests/e2e/test_accessibility.py runs axe on every page)."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from rapport.awareness.models import Item, Match
from rapport.requests.services import deliver_request, open_request
from rapport.touchpoints.models import Touchpoint
from tests.e2e.test_accessibility import violations
from tests.e2e.test_today import overdue
from tests.factories import make_person

CAPTURE_FLOW = "@Ana Ruiz asked where the theses are ~5m"

FOCUSED = "document.activeElement === document.body ? 'body' : document.activeElement.id"
#: The stable live region's node is marked once, to show an update writes into that same node.
MARK_ANNOUNCER = "document.getElementById('announcer').dataset.mark = 'kept'"
ANNOUNCER_KEPT = "document.getElementById('announcer').dataset.mark"

CONTRAST = """([fg, bg]) => {
  const rgb = c => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = c => {
    const [r, g, b] = rgb(c).map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [lum(fg), lum(bg)];
  return Math.round((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) * 100) / 100;
}"""


def contrast(page, fg: str, bg: str) -> float:
    return page.evaluate(CONTRAST, [fg, bg])


def style(locator, prop: str) -> str:
    return locator.evaluate(f"e => getComputedStyle(e).{prop}")


def test_today_title_is_plain_text(desktop, sign_in, world):
    sign_in(desktop, "alice")

    expect(desktop).to_have_title("Today · Rapport")
    assert desktop.evaluate("document.title") == "Today · Rapport"


def test_skip_link_is_first_and_lands_in_the_capture_box(desktop, sign_in, world):
    sign_in(desktop, "alice")
    desktop.goto("/people/")

    desktop.keyboard.press("Tab")
    skip = desktop.locator("#skip-to-capture")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    expect(skip).to_have_text("Skip to the capture box")
    desktop.keyboard.press("Enter")

    expect(desktop.locator("#capture-line")).to_be_focused()


def test_shortcut_reaches_the_capture_box_from_anywhere(desktop, sign_in, world):
    sign_in(desktop, "alice")
    desktop.goto(f"/people/{world.ana.pk}/")
    expect(desktop.locator("#capture-shortcut")).to_have_text(
        "· Alt+Shift+C comes back here from anywhere"
    )
    desktop.locator("main a").last.focus()

    desktop.keyboard.press("Alt+Shift+KeyC")

    expect(desktop.locator("#capture-line")).to_be_focused()


def test_shortcut_does_not_fire_on_a_plain_letter(desktop, sign_in, world):
    sign_in(desktop, "alice")
    desktop.goto("/people/")
    desktop.locator("#id_q").focus()

    desktop.keyboard.type("c")

    expect(desktop.locator("#id_q")).to_be_focused()
    expect(desktop.locator("#id_q")).to_have_value("c")


def test_capture_flow_by_keyboard_alone(desktop, sign_in, world):
    sign_in(desktop, "alice")
    desktop.goto("/requests/")
    desktop.evaluate(MARK_ANNOUNCER)

    desktop.keyboard.press("Tab")
    desktop.keyboard.press("Enter")
    desktop.keyboard.type(CAPTURE_FLOW)
    desktop.keyboard.press("Enter")

    result = desktop.locator("#capture-result")
    expect(result.locator("[data-capture-saved]")).to_contain_text("Logged question with Ana Ruiz")
    assert result.get_attribute("role") == "status"
    box = desktop.locator("#capture-line")
    expect(box).to_be_focused()
    expect(box).to_have_value("")
    assert Touchpoint.objects.filter(capture_line=CAPTURE_FLOW).count() == 1
    assert violations(desktop) == []


def test_refused_capture_keeps_focus_in_the_box_described_by_the_error(desktop, sign_in, world):
    sign_in(desktop, "alice")
    box = desktop.locator("#capture-line")
    box.fill("@Nobody Known asked ~5m")

    desktop.get_by_role("button", name="Log", exact=True).click()  # the button goes disabled

    error = desktop.locator("#capture-result .result.error")
    expect(error).to_contain_text("Nobody Known")
    expect(box).to_be_focused()
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_attribute("aria-describedby", "capture-problem capture-help")
    assert error.get_attribute("id") == "capture-problem"
    assert Touchpoint.objects.filter(capture_line="@Nobody Known asked ~5m").count() == 0
    assert violations(desktop) == []


def test_snooze_announces_and_keeps_focus_on_the_row(desktop, sign_in, world):
    from rapport.relationships.services import refresh_all

    refresh_all()
    olga = overdue(world, "Olga Old")
    sign_in(desktop, "alice")
    desktop.evaluate(MARK_ANNOUNCER)
    row = desktop.locator(f"#today-past_max-{olga.pk}")

    row.get_by_role("button", name="Snooze").focus()
    desktop.keyboard.press("Enter")

    until = timezone.localdate() + dt.timedelta(days=7)
    text = f"Snoozed Olga Old until {until:%a %-d %b}."
    snoozed = desktop.locator("li.snoozed")
    expect(snoozed).to_have_text(text)
    expect(snoozed).to_be_focused()
    expect(desktop.locator("#announcer")).to_have_text(text)
    assert desktop.evaluate(ANNOUNCER_KEPT) == "kept"
    assert violations(desktop) == []


def test_review_decision_announces_and_keeps_focus(desktop, sign_in, world):
    item = Item.objects.create(title="Theses in open repositories", source_kind="manual")
    match = Match.objects.create(
        person=world.ana, item=item, score=0.8, explanation={"mode": "lexical", "terms": []}
    )
    sign_in(desktop, "alice")
    desktop.goto("/awareness/review/")

    desktop.locator(f"#match-{match.pk}").get_by_role("button", name="Reject").focus()
    desktop.keyboard.press("Enter")

    decided = desktop.locator(f"#match-{match.pk}.decided")
    text = "Rejected: Theses in open repositories for Ana Ruiz."
    expect(decided).to_have_text(text)
    expect(decided).to_be_focused()
    expect(desktop.locator("#announcer")).to_have_text(text)


def test_search_results_are_announced_in_a_stable_region(desktop, sign_in, world):
    sign_in(desktop, "alice")
    desktop.goto("/search/")
    desktop.evaluate(MARK_ANNOUNCER)

    desktop.locator("#id_q").fill("PRISMA")

    expect(desktop.locator("#search-results .search-hit")).to_have_count(1)
    expect(desktop.locator("#announcer")).to_have_text("1 best match")
    assert violations(desktop) == []
    assert desktop.evaluate(ANNOUNCER_KEPT) == "kept"
    assert desktop.locator("#search-results").get_attribute("aria-live") is None
    assert desktop.locator("[aria-live]").count() == 2  # the announcer and the capture result


def test_people_and_request_filters_announce_what_they_show(desktop, sign_in, world):
    open_request(by=world.alice, people=[world.ana], need="A literature search", group=world.chem)
    sign_in(desktop, "alice")
    desktop.goto("/people/")
    desktop.evaluate(MARK_ANNOUNCER)

    desktop.locator("#id_q").fill("Ruiz")

    expect(desktop.locator(".people-list li")).to_have_count(1)
    expect(desktop.locator("#announcer")).to_have_text("Showing 1–1")

    desktop.locator("#id_q").fill("Zebedee")

    expect(desktop.locator("#announcer")).to_have_text("No one matches.")

    desktop.goto("/requests/")
    desktop.evaluate(MARK_ANNOUNCER)
    desktop.get_by_label("Status").select_option("declined")

    expect(desktop.locator("#announcer")).to_have_text("No requests match.")
    assert desktop.evaluate(ANNOUNCER_KEPT) == "kept"


def test_review_count_and_filter_borders_have_contrast(desktop, sign_in, world):
    item = Item.objects.create(title="Theses in open repositories", source_kind="manual")
    Match.objects.create(person=world.ana, item=item, score=0.8, explanation={})
    sign_in(desktop, "alice")
    desktop.goto("/awareness/")
    button = desktop.get_by_role("link", name="Review suggestions 1")
    count = button.locator(".count")

    assert contrast(desktop, style(count, "color"), style(button, "backgroundColor")) == 6.09

    desktop.goto("/people/")
    field = desktop.locator("#id_q")
    page_bg = style(desktop.locator("body"), "backgroundColor")
    assert contrast(desktop, style(field, "borderTopColor"), page_bg) == 4.25
    assert contrast(desktop, style(field, "borderTopColor"), "rgb(255, 255, 255)") == 4.63


def test_delivered_request_labels_focus_their_own_fields(desktop, sign_in, world):
    req = open_request(by=world.alice, people=[world.ana], need="A search", group=world.chem)
    deliver_request(by=world.alice, request=req)
    sign_in(desktop, "alice")
    desktop.goto(f"/requests/{req.pk}/")
    follow_up = desktop.locator("#follow-up-title").locator("xpath=..").locator("form")
    story = desktop.locator("#story-title").locator("xpath=..").locator("form")

    follow_up.locator("label", has_text="Outcome").click()
    expect(follow_up.locator("textarea[name=outcome]")).to_be_focused()
    story.locator("label", has_text="Outcome").click()
    expect(story.locator("textarea[name=outcome]")).to_be_focused()
    assert follow_up.locator("textarea[name=outcome]").get_attribute("id") == "id_follow_up_outcome"
    assert story.locator("textarea[name=outcome]").get_attribute("id") == "id_outcome"


def test_going_back_with_shift_tab_never_hides_focus_under_the_capture_bar(phone, sign_in, world):
    for n in range(30):
        make_person(f"Reader {n:02d}", groups=[world.chem])
    sign_in(phone, "alice")
    phone.goto("/people/?sort=name")
    phone.locator("#people-results a").last.focus()
    bar = phone.locator(".capture")
    hidden = []

    for _ in range(25):
        phone.keyboard.press("Shift+Tab")
        where = phone.evaluate(
            """() => { const e = document.activeElement, r = e.getBoundingClientRect();
                       return [e.textContent.trim(), r.top, r.bottom,
                               !!e.closest('.capture, .site-header')]; }"""
        )
        bar_bottom = bar.bounding_box()["y"] + bar.bounding_box()["height"]
        if not where[3] and where[1] < bar_bottom:
            hidden.append(where[0])

    assert hidden == []


def test_the_capture_bar_scrolls_away_on_a_short_window(chromium, live_server, sign_in, world):
    # 1280×900 at 200% zoom is a 640×450 window; a phone held upright keeps the bar.
    for size, position in (
        ({"width": 640, "height": 450}, "static"),
        ({"width": 390, "height": 844}, "sticky"),
    ):
        context = chromium.new_context(base_url=live_server.url, viewport=size)
        page = context.new_page()
        sign_in(page, "alice")

        assert style(page.locator(".capture"), "position") == position
        if position == "sticky":  # what stays on screen is a small part of it
            assert page.locator(".capture").bounding_box()["height"] / size["height"] < 0.2
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        context.close()


def test_skip_link_works_without_javascript(no_script, sign_in, world):
    sign_in(no_script, "alice")

    no_script.keyboard.press("Tab")
    no_script.keyboard.press("Enter")
    no_script.keyboard.type("@Ana")

    expect(no_script.locator("#capture-line")).to_have_value("@Ana")
