"""Browser tests of the core pages. The fixtures (chromium, phone, desktop, no_script, sign_in)
are in tests/browser.py, shared with each app's own browser tests."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _default_cadence_rules(seeded_rules):
    """Every test here talks to the live server, even those that take no page fixture."""
