"""The people list (live search, paging) and what a manager may see of people in a browser."""

import re

from playwright.sync_api import expect

from tests.factories import make_person


def test_people_search_updates_the_results_as_you_type(desktop, sign_in, world):
    sign_in(desktop, "alice")
    desktop.goto("/people/")
    names = desktop.locator("#people-results .people-list li a.name")
    expect(names).to_have_text(["Ana Ruiz", "Ben Okafor"])  # not bob's Hugo, not Carla

    desktop.fill("#id_q", "ruiz")

    expect(names).to_have_text(["Ana Ruiz"])
    expect(desktop).to_have_url(re.compile(r"/people/\?q=ruiz(&|$)"))

    desktop.fill("#id_q", "ben@uni")

    expect(names).to_have_text(["Ben Okafor"])

    desktop.fill("#id_q", "hugo")

    expect(desktop.locator("#people-results .empty")).to_have_text("No one matches.")


def test_people_back_restores_the_search_with_its_results(desktop, sign_in, world):
    sign_in(desktop, "alice")
    desktop.goto("/people/")
    names = desktop.locator("#people-results .people-list li a.name")
    desktop.fill("#id_q", "ben@uni")
    expect(names).to_have_text(["Ben Okafor"])
    desktop.fill("#id_q", "hugo")
    expect(desktop.locator("#people-results .empty")).to_have_text("No one matches.")

    desktop.go_back()

    expect(names).to_have_text(["Ben Okafor"])
    expect(desktop.locator("#id_q")).to_have_value("ben@uni", timeout=2_000)


def test_people_next_page_keeps_the_search(desktop, sign_in, world):
    for n in range(1, 56):
        make_person(f"Member {n:02d}", groups=[world.chem])
    sign_in(desktop, "alice")
    desktop.goto("/people/")
    names = desktop.locator("#people-results .people-list li a.name")
    expect(names).to_have_count(50)

    desktop.fill("#id_q", "member")
    expect(names.first).to_have_text("Member 01")
    expect(names).to_have_count(50)
    expect(desktop.locator("#people-results .count")).to_have_text(
        "Showing 1–50, more on the next page"
    )
    desktop.click("#people-next")

    expect(names).to_have_text([f"Member {n}" for n in range(51, 56)])
    expect(desktop.locator("#people-results .count")).to_have_text("Showing 51–55")
    expect(desktop.locator("#people-next")).to_have_count(0)
    expect(desktop.locator("#id_q")).to_have_value("member")


def test_people_manager_is_refused_a_person_page(desktop, sign_in, world):
    sign_in(desktop, "mia")

    response = desktop.goto(f"/people/{world.ana.pk}/")

    assert response.status == 403
    expect(desktop.locator("#error-title")).to_have_text("Not for your role")
    expect(desktop.locator("#error-message")).to_have_text(
        "Managers see aggregate figures only, not individual people."
    )
    body = desktop.locator("body")
    for private in ("Ana Ruiz", "PRISMA search strings", "Private worry about tenure"):
        expect(body).not_to_contain_text(private)
    expect(desktop.locator("#capture-line")).to_have_count(0)
    expect(desktop.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(
        ["Dashboard", "Search", "Groups", "Reports", "Tokens", "Account"]
    )


def test_people_manager_sees_only_figures_for_a_group(desktop, sign_in, world):
    sign_in(desktop, "mia")

    response = desktop.goto(f"/people/groups/{world.chem.pk}/")

    assert response.status == 200
    expect(desktop.locator("h1")).to_have_text("Chemistry Lab")
    expect(desktop.locator(".subtitle")).to_have_text("Research team · figures only")
    expect(desktop.locator("#figure-total")).to_have_text("1")
    body = desktop.locator("body")
    for private in ("Ana Ruiz", "Ben Okafor", "PRISMA search strings", "Private worry"):
        expect(body).not_to_contain_text(private)
    expect(desktop.locator("#timeline")).to_have_count(0)
