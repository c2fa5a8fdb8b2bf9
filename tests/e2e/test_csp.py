"""Rapport works in a real browser under its Content-Security-Policy: the main pages load, the
capture box, @-autocomplete and print button run, and Chromium reports no violation."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from rapport.touchpoints.models import Touchpoint


@pytest.fixture
def violations(desktop):
    """Every CSP violation Chromium reports on the page, from its console and from the
    `securitypolicyviolation` events (recorded by a script Playwright adds outside the
    page's policy)."""
    seen: list[str] = []
    desktop.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    desktop.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )

    def check() -> list[str]:
        return seen + desktop.evaluate("window.__csp")

    return check


def test_the_main_pages_run_without_a_csp_violation(desktop, sign_in, world, violations):
    sign_in(desktop, "alice")
    pages = [
        reverse("home"),
        reverse("people:person_list"),
        reverse("people:person_detail", args=[world.ana.pk]),
        reverse("people:group_list"),
        reverse("people:group_detail", args=[world.chem.pk]),
        reverse("requests:list"),
        reverse("search:search") + "?q=PRISMA",
        reverse("awareness:home"),
        reverse("reports:coverage"),
        reverse("reports:relationships"),
        reverse("reports:person_brief", args=[world.ana.pk]),
        reverse("imports:list"),
        reverse("calendars:settings"),
        reverse("accounts:tokens"),
    ]
    for url in pages:
        response = desktop.goto(url)
        assert response is not None and response.ok, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert violations() == [], url

    # The brief's print button is shown by print.js, a file: it ran.
    desktop.goto(reverse("reports:person_brief", args=[world.ana.pk]))
    expect(desktop.locator("[data-print]")).to_be_visible()
    assert violations() == []


def test_capture_and_autocomplete_work_under_the_policy(desktop, sign_in, world, violations):
    sign_in(desktop, "alice")
    box = desktop.locator("#capture-line")

    box.press_sequentially("@Ana R")
    expect(desktop.get_by_role("option", name="Ana Ruiz")).to_be_visible()
    box.press("Enter")
    box.press_sequentially("asked about CSP ~5m")
    box.press("Enter")

    expect(desktop.locator("#capture-result [data-capture-saved]")).to_contain_text("Ana Ruiz")
    expect(box).to_have_value("")
    assert Touchpoint.objects.filter(question__contains="asked about CSP").count() == 1
    assert violations() == []


def test_administrator_pages_run_without_a_csp_violation(desktop, sign_in, world, violations):
    sign_in(desktop, "ada")
    for url in (reverse("webhooks:list"), reverse("duplicates:list")):
        response = desktop.goto(url)
        assert response is not None and response.ok, url
    assert violations() == []


def test_the_api_docs_run_under_the_policy(desktop, sign_in, world, violations):
    """Swagger UI comes from django-ninja's own static files, with no inline script."""
    sign_in(desktop, "alice")

    desktop.goto("/api/v1/docs")

    expect(desktop.locator(".swagger-ui .info")).to_contain_text("Rapport API")
    expect(desktop.locator(".opblock").first).to_be_visible()
    assert violations() == []
