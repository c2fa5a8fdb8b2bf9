"""Every page, as each role that reaches it, checked by axe-core (WCAG 2.1 A and AA rules) in
Chromium, and at 320 CSS pixels wide for reflow (WCAG 1.4.10).

The pages come from the role × route matrix (tests/test_route_matrix.py): each GET route that
answers HTML, with the objects of tests/access_world.py, plus the states a route alone does not
show (search with results, a delivered request, filtered lists). axe.min.js ships inside the
axe-playwright-python package; nothing is fetched at run time.
"""

from pprint import pformat

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from rapport.awareness.models import Item, Match, MatchStatus, Subscription
from rapport.people.models import Person
from rapport.requests.services import deliver_request, open_request
from tests import access_world
from tests.factories import make_person
from tests.test_route_matrix import ADMIN, ANY, LIBRARIAN, PAGES, PUBLIC

#: Routes that answer a file or JSON rather than a page.
NOT_PAGES = {
    "people:person_autocomplete",
    "requests:deliverable_file",
    "contacts:export",
    "contacts:person",
    "calendars:feed",
    "exports:download",
    "privacy:subject_access_json",
    "privacy:subject_access",
    "alerts:unsubscribe",  # a GET confirms and redirects to the preferences page
    "imports:report",
}
#: Fragments other pages fetch (each is checked inside the page that shows it).
FRAGMENTS = {
    "requests:person_requests",
    "people:person_timeline",
    "people:group_timeline",
    "today:counts",  # the Today page swaps its counts in after a snooze or a capture
}
#: Who sees a route of each access level (a manager sees what every signed-in role sees).
ROLES_FOR = {ANY: ("alice", "mia", "ada"), LIBRARIAN: ("alice",), ADMIN: ("ada",)}
#: WCAG 2.0 and 2.1, levels A and AA.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
axe = Axe()


def routes_for(role: str) -> list[str]:
    """The route names a role's run visits (the public ones for "anonymous")."""
    names = []
    for name, rule in sorted(PAGES.items()):
        if rule.post or name in NOT_PAGES | FRAGMENTS or name == "logout":
            continue
        if (rule.access == PUBLIC and role == "anonymous") or role in ROLES_FOR.get(
            rule.access, ()
        ):
            names.append(name)
    return names


def addresses(role: str, objects: access_world.Objects, extra: dict[str, str]) -> list[str]:
    urls = []
    for name in routes_for(role):
        rule = PAGES[name]
        url = reverse(name, args=objects.args[rule.obj] if rule.obj else ())
        if rule.query:
            url += "?" + rule.query.format(**{k: v[0] for k, v in objects.args.items()})
        urls.append(url)
    if role == "alice":
        urls += [
            reverse("search:search") + "?q=theses",
            reverse("search:search") + "?q=PRISMA",
            reverse("people:person_list") + "?q=ana",
            reverse("requests:list") + "?status=delivered",
            reverse("requests:detail", args=[extra["delivered"]]),
        ]
    elif role in ("mia", "ada"):
        urls.append(reverse("search:search") + "?q=theses")
    return urls


#: ids used twice (axe 4 no longer reports them, but a label then names the wrong control).
DUPLICATE_IDS = """() => {
  const seen = {};
  for (const e of document.querySelectorAll("[id]")) seen[e.id] = (seen[e.id] || 0) + 1;
  return Object.keys(seen).filter(id => seen[id] > 1);
}"""


#: Text fields, lists and selects whose border is under 3:1 against what lies behind them
#: (WCAG 1.4.11; axe checks text only).
FAINT_BORDERS = """() => {
  const rgba = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => {
    const [r, g, b] = rgba(c).slice(0, 3).map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const behind = e => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      const c = getComputedStyle(p).backgroundColor, v = rgba(c);
      if (v.length === 3 || v[3] === 1) return c;
    }
    return "rgb(255, 255, 255)";
  };
  const fields = document.querySelectorAll(
    "input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file])"
    + ":not([type=submit]):not([type=button]), select, textarea");
  return [...fields].filter(e => e.getClientRects().length).map(e => {
    const [a, b] = [lum(getComputedStyle(e).borderTopColor), lum(behind(e))];
    return [e.id || e.name, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  }).filter(([, ratio]) => ratio < 3).map(([id, ratio]) => id + " " + ratio.toFixed(2));
}"""


def violations(page) -> list[dict]:
    """axe's violations, each cut to what a reader needs: the rule, and where it fails."""
    found = axe.run(page, options=AXE_OPTIONS).response["violations"]
    problems = [
        {
            "rule": v["id"],
            "help": v["help"],
            "nodes": [(n["target"], n["failureSummary"]) for n in v["nodes"]],
        }
        for v in found
    ]
    if twice := page.evaluate(DUPLICATE_IDS):
        problems.append({"rule": "duplicate ids", "help": "Each id once", "nodes": twice})
    if faint := page.evaluate(FAINT_BORDERS):
        problems.append({"rule": "non-text contrast", "help": "Borders 3:1", "nodes": faint})
    title = page.title()
    if not title.endswith("Rapport") or "<" in title or "csrf" in title or "\n" in title:
        problems.append({"rule": "plain title", "help": "The title is plain text", "nodes": title})
    return problems


@pytest.fixture
def pages(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    objects = access_world.build(world)
    delivered = open_request(
        by=world.alice, people=[world.ben], need="A data management plan", group=world.chem
    )
    deliver_request(by=world.alice, request=delivered, note="Sent the plan")
    # Feedback is asked only about an item that was sent.
    item = Item.objects.create(title="A dataset of theses", source_kind="manual")
    sent = Match.objects.create(
        person=world.ana, item=item, score=0.7, status=MatchStatus.SENT, explanation={}
    )
    objects.args["feedback"] = (objects.args["alert"][0], sent.pk, "useful")
    # Long words that must wrap at 320 pixels: an address and a name on Today's list.
    make_person(
        "Maximiliana Fernández-Castellanos de la Vega",
        groups=[world.chem],
        email="maximiliana.fernandez-castellanos.delavega@biochemistry.graduate-school.example",
    )
    Person.objects.filter(pk=world.ana.pk).update(
        email="ana.ruiz.visiting-researcher-in-computational-chemistry@department.uni.example"
    )
    return objects, {"delivered": delivered.pk}


def visit_all(page, sign_in, role, pages, check) -> dict[str, object]:
    objects, extra = pages
    if role != "anonymous":
        sign_in(page, role)
    problems = {}
    for url in addresses(role, objects, extra):
        response = page.goto(url)
        assert response is not None and response.status < 400, (url, response and response.status)
        found = check(page)
        if found:
            problems[url] = found
    return problems


@pytest.mark.parametrize("role", ["alice", "mia", "ada", "anonymous"])
def test_every_page_passes_axe(desktop, sign_in, pages, role):
    problems = visit_all(desktop, sign_in, role, pages, violations)

    assert problems == {}, pformat(problems, width=100)


#: The elements that stick out past the right edge, deepest first (for the failure message).
STICKING_OUT = """() => [...document.body.querySelectorAll("*")]
  .filter(e => e.getBoundingClientRect().right > 320.5 && e.getClientRects().length
    && ![...e.children].some(c => c.getBoundingClientRect().right > 320.5))
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (typeof e.className === "string" && e.className
       ? "." + e.className.trim().split(/\\s+/).join(".") : "")
    + " " + Math.round(e.getBoundingClientRect().right))"""


def too_wide(page) -> dict[str, object] | None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= 320:
        return None
    return {"scrollWidth": width, "sticking out": page.evaluate(STICKING_OUT)}


@pytest.mark.parametrize("role", ["alice", "mia", "ada", "anonymous"])
def test_every_page_reflows_at_320_pixels_and_still_passes_axe(narrow, sign_in, pages, role):
    def check(page) -> dict[str, object] | None:
        found = dict(too_wide(page) or {})
        if axe_found := violations(page):  # what only a narrow screen shows (tables that scroll)
            found["axe"] = axe_found
        return found or None

    problems = visit_all(narrow, sign_in, role, pages, check)

    assert problems == {}, pformat(problems, width=100)


def test_a_new_alerts_link_wraps_at_320_pixels(narrow, sign_in, world):
    Subscription.objects.create(person=world.ana, consented_at=timezone.now())
    sign_in(narrow, "alice")
    narrow.goto(reverse("awareness:profile", args=[world.ana.pk]))

    narrow.get_by_role("button", name="New link").click()

    link = narrow.get_by_role("link", name="/alerts/")
    expect(link).to_have_count(1)
    assert link.get_attribute("href").startswith("http")
    assert too_wide(narrow) is None
