"""The main navigation marks the one section the page belongs to (rapport/nav.py), on every
page a signed-in user can open: never two links, and the right one."""

import re

import pytest
from django.urls import reverse

from rapport.nav import BY_NAME, BY_NAMESPACE, SECTIONS, section_of
from tests import access_world
from tests.test_route_matrix import ADMIN, PAGES, page_names

# The link text of each section in the main navigation (a manager's "Today" is "Dashboard").
LABELS = {
    "today": "Today",
    "people": "People",
    "requests": "Requests",
    "search": "Search",
    "alerts": "Alerts",
    "groups": "Groups",
    "reports": "Reports",
    "imports": "Imports",
    "calendar": "Calendar",
    "webhooks": "Webhooks",
    "privacy": "Privacy",
    "tokens": "Tokens",
    "account": "Account",
}

# The pages the issue named, and one of each section, by what a librarian expects.
EXPECTED = {
    "home": "Today",
    "awareness:home": "Alerts",
    "awareness:review": "Alerts",
    "people:person_list": "People",
    "people:person_detail": "People",
    "people:person_timeline": "People",
    "people:group_list": "Groups",
    "people:group_detail": "Groups",
    "requests:list": "Requests",
    "requests:detail": "Requests",
    "reports:coverage": "Reports",
    "reports:relationships": "Reports",
    "reports:person_brief": "People",
    "reports:group_brief": "Groups",
    "search:search": "Search",
    "imports:list": "Imports",
    "contacts:import": "Imports",
    "calendars:settings": "Calendar",
    "webhooks:list": "Webhooks",
    "privacy:schedule": "Privacy",
    "accounts:tokens": "Tokens",
    "accounts:account": "Account",
    "touchpoints:detail": "People",
    "duplicates:list": "People",
    "relationships:rules": "People",
}


def current_links(html: str) -> list[str]:
    """The text of each main-navigation link marked as the current page."""
    nav = re.search(r'<nav aria-label="Main".*?</nav>', html, re.S)
    assert nav, "no main navigation on the page"
    return re.findall(r'<a href="[^"]*" aria-current="page">([^<]*)</a>', nav.group(0))


def test_every_page_route_declares_its_section():
    for name in page_names():
        namespace = name.rpartition(":")[0]
        assert namespace in BY_NAMESPACE or name in BY_NAME, f"{name}: no section in rapport/nav.py"
        assert section_of(namespace, name.rpartition(":")[2]) in (*SECTIONS, None)
    assert set(LABELS) == set(SECTIONS)


def test_section_of_the_two_homes_differs():
    assert section_of("", "home") == "today"
    assert section_of("awareness", "home") == "alerts"
    assert section_of("", "login") is None


@pytest.fixture
def objects(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return access_world.build(world)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_named_page_marks_exactly_its_section(client, world, objects, name):
    rule = PAGES[name]
    client.force_login(world.ada if rule.access == ADMIN else world.alice)
    url = reverse(name, args=objects.args[rule.obj] if rule.obj else ())

    response = client.get(url)

    assert response.status_code == 200
    assert current_links(response.text) == [EXPECTED[name]]


def test_every_page_marks_at_most_one_link_and_the_declared_one(client, world, objects):
    for name, rule in sorted(PAGES.items()):
        if rule.post or rule.access == "public":
            continue
        client.force_login(world.ada if rule.access == ADMIN else world.alice)
        url = reverse(name, args=objects.args[rule.obj] if rule.obj else ())
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        if '<nav aria-label="Main"' not in response.text:
            continue  # a partial or a print view
        section = section_of(name.rpartition(":")[0], name.rpartition(":")[2])
        want = [LABELS[section]] if section else []
        assert current_links(response.text) == want, name


def test_manager_dashboard_marks_dashboard_only(client, world):
    client.force_login(world.mia)

    response = client.get("/")

    assert current_links(response.text) == ["Dashboard"]
