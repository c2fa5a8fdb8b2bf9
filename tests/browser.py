"""Browser fixtures for every browser test (tests/e2e and each app's own): Playwright for Python
driving Debian's Chromium against pytest-django's live server. One Chromium for the whole run,
since Playwright's sync API allows one instance per thread.

Chromium comes from apt (`apt-get install chromium`); nothing is downloaded at run time. Without
it these tests skip, unless RAPPORT_REQUIRE_BROWSER=1 (as in CI), where they fail instead.
"""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = os.environ.get("RAPPORT_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def uses_browser(item: pytest.Item) -> bool:
    """Whether a test drives Chromium (directly or through a page fixture)."""
    return "chromium" in getattr(item, "fixturenames", ())


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("RAPPORT_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps its event loop marked as running in the test thread from
    # the first page until it stops, and the tests' own ORM calls are synchronous, so
    # Django's async-safety guard would refuse them. Lift the guard for exactly that span;
    # the browser tests run last (tests/conftest.py), so no other test runs inside it.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser
            browser.close()


# Every page below talks to pytest-django's live server, so relative URLs ("/people/") work.
@contextmanager
def settled_page(context) -> Iterator:
    """A page of `context` whose requests still in flight at the end of the test (a fetch a
    script started after the last thing the test waited for, such as Today's counts after a
    capture) are waited for before the context closes: the live server must not be answering
    one while the test's database is flushed ("database table is locked")."""
    page = context.new_page()
    page.set_default_timeout(10_000)
    pending: set = set()
    page.on("request", lambda request: pending.add(request))
    page.on("requestfinished", lambda request: pending.discard(request))
    page.on("requestfailed", lambda request: pending.discard(request))
    try:
        yield page
        deadline = time.monotonic() + 10
        while pending and time.monotonic() < deadline and not page.is_closed():
            page.wait_for_timeout(25)
    finally:
        context.close()


# Requesting live_server also makes the test's database transactional, so the server thread
# sees the rows the test wrote (and the test sees what the server committed).


@pytest.fixture
def seeded_rules(transactional_db):
    """A transactional test database is flushed after each test, which takes the cadence rules
    a migration seeded; put them back as a new library has them."""
    from rapport.relationships.defaults import add_default_rules

    add_default_rules()


@pytest.fixture
def phone(chromium, live_server, seeded_rules):
    """A phone-sized page (390×844, touch)."""
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
    )
    with settled_page(context) as page:
        yield page


@pytest.fixture
def desktop(chromium, live_server, seeded_rules):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    with settled_page(context) as page:
        yield page


@pytest.fixture
def narrow(chromium, live_server, seeded_rules):
    """The narrowest screen WCAG 1.4.10 asks pages to reflow into: 320 CSS pixels wide (a
    1280-pixel window at 400% zoom)."""
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    with settled_page(context) as page:
        yield page


@pytest.fixture
def no_script(chromium, live_server, seeded_rules):
    """A desktop page with JavaScript off: every link and form must still work."""
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    with settled_page(context) as page:
        yield page


@pytest.fixture
def sign_in(live_server):
    """Sign in through the real form: `sign_in(page, "alice")`. Lands on the home page."""
    from playwright.sync_api import expect

    def sign_in(page, username: str, password: str = PASSWORD) -> None:
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("#login-form button[type=submit]")
        expect(page).to_have_url(f"{live_server.url}/")

    return sign_in
