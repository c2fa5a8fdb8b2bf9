"""Fail when a required suite was skipped: browser tests must run, the API fuzzing
(tests/api/test_schemathesis.py) must run, and nothing else may skip except the tests that
name a reason allowed here."""

import sys
import xml.etree.ElementTree as ET

# Skips that are expected on one database only (the reason text must contain one of these).
ALLOWED_SKIPS = ("SQLite-specific", "PostgreSQL-specific")

root = ET.parse(sys.argv[1]).getroot()
cases = root.iter("testcase")
ran = skipped_bad = browser = fuzzed = 0
for case in cases:
    skip = case.find("skipped")
    if skip is not None:
        reason = skip.get("message", "")
        if not any(allowed in reason for allowed in ALLOWED_SKIPS):
            skipped_bad += 1
            print(f"CI: skipped {case.get('classname')}.{case.get('name')}: {reason}")
        continue
    ran += 1
    where = case.get("classname") or ""
    # tests/e2e/ and each app's own tests/<app>/test_browser.py drive Chromium.
    if ".e2e." in where or where.endswith(".test_browser") or "e2e" in (case.get("file") or ""):
        browser += 1
    if where.endswith("test_schemathesis"):
        fuzzed += 1
print(
    f"CI: {sys.argv[1]}: {ran} tests ran, {browser} of them in the browser, "
    f"{fuzzed} API operations fuzzed"
)
if ran == 0 or browser == 0 or fuzzed == 0 or skipped_bad:
    print("CI: a required suite was skipped or ran no test", file=sys.stderr)
    sys.exit(1)
