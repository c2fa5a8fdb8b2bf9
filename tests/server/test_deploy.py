"""The production set-up of docs/deploy.md: `check --deploy` is clean with its environment, the
secure defaults it turns on can each be overridden, every page carries a strict
Content-Security-Policy, and links built from a request are https behind the TLS proxy."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from rapport.calendars.models import CalendarFeed

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- production-env:"
SHOWN = [
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "RAPPORT_BEHIND_PROXY",
]


def documented_env() -> dict[str, str]:
    """The RAPPORT_* lines of the block docs/deploy.md marks as the production environment."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    block = text[text.index(MARKER) :].split("```")[1]
    return dict(re.findall(r"^(RAPPORT_\w+)=(\S+)$", block, flags=re.M))


def environ(data_dir: Path, **variables: str) -> dict[str, str]:
    """This process's environment without any RAPPORT_* setting, then `variables`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    return env | {"RAPPORT_DATA_DIR": str(data_dir)} | variables


def rapport(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rapport", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_under(env: dict[str, str]) -> dict:
    """The security settings a process started with `env` ends up with."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {SHOWN!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "rapport.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict[str, str]:
    env = documented_env()
    env["RAPPORT_DATA_DIR"] = str(tmp_path_factory.mktemp("production"))
    return env


@pytest.fixture(scope="module")
def production_settings(production) -> dict:
    return settings_under(environ(Path(production["RAPPORT_DATA_DIR"]), **production))


def test_the_documented_environment_is_the_production_one(production):
    assert production["RAPPORT_HTTPS"] == "1"
    assert production["RAPPORT_BEHIND_PROXY"] == "1"
    assert production["RAPPORT_SITE_URL"].startswith("https://")


def test_check_deploy_is_clean_under_the_documented_environment(production):
    result = rapport(
        environ(Path(production["RAPPORT_DATA_DIR"]), **production),
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )

    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "System check identified no issues (1 silenced).\n",
        "",
    )


def test_check_deploy_warns_of_an_http_site_url_on_an_https_site(production, tmp_path):
    env = environ(tmp_path, **(production | {"RAPPORT_SITE_URL": "http://rapport.example"}))

    result = rapport(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 1
    assert "(rapport.W001) RAPPORT_SITE_URL is 'http://rapport.example'" in result.stderr


def test_check_deploy_without_https_lists_what_is_missing(tmp_path):
    result = rapport(environ(tmp_path), "check", "--deploy")

    for check in ("W004", "W008", "W012", "W016"):
        assert f"(security.{check})" in result.stderr


def test_https_turns_on_the_secure_defaults(production_settings):
    assert production_settings == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "RAPPORT_BEHIND_PROXY": True,
    }


def test_each_secure_default_can_be_overridden(production):
    overrides = {
        "RAPPORT_SSL_REDIRECT": "0",
        "RAPPORT_SECURE_COOKIES": "0",
        "RAPPORT_HSTS_SECONDS": "300",
        "RAPPORT_HSTS_SUBDOMAINS": "0",
        "RAPPORT_HSTS_PRELOAD": "1",
    }
    env = environ(Path(production["RAPPORT_DATA_DIR"]), **(production | overrides))

    shown = settings_under(env)

    assert {k: v for k, v in shown.items() if k.startswith(("SECURE_", "SESSION", "CSRF"))} == {
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 300,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_without_settings_nothing_is_forced_and_no_proxy_is_trusted(tmp_path):
    shown = settings_under(environ(tmp_path))

    assert shown == {
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "RAPPORT_BEHIND_PROXY": False,
    }


# The header on the pages, in this process (whose settings are the test settings).


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize(
    ("who", "url"),
    [
        (None, "/login/"),
        ("alice", "/"),
        ("alice", "/people/"),
        ("alice", "/search/?q=thesis"),
        ("alice", "/account/tokens/"),
        ("mia", "/"),
        ("ada", "/reports/coverage/"),
    ],
)
def test_every_page_has_a_strict_content_security_policy(client, world, who, url):
    if who:
        client.force_login(getattr(world, who))

    response = client.get(url)

    assert response.status_code == 200
    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "unsafe" not in response["Content-Security-Policy"]


def test_no_template_has_inline_script_handler_or_style():
    """What the policy would block: inline <script>, on*="..." handlers, style= and <style>."""
    offending = []
    for path in sorted((ROOT / "rapport").rglob("templates/**/*.html")):
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")",
            r"\son[a-z]+\s*=",
            r"\sstyle\s*=",
            r"<style",
            r"javascript:",
        ):
            offending += [
                f"{path.relative_to(ROOT)}: {m.group()}" for m in re.finditer(pattern, text)
            ]
    assert offending == []


# Links built from a request behind the TLS proxy.


def test_the_calendar_address_is_https_behind_the_proxy(
    client, world, settings, production_settings
):
    shown = production_settings
    settings.SECURE_PROXY_SSL_HEADER = tuple(shown["SECURE_PROXY_SSL_HEADER"])
    settings.SECURE_SSL_REDIRECT = shown["SECURE_SSL_REDIRECT"]
    client.force_login(world.alice)

    # As the proxy passes it on: the browser's Host header, and the scheme it used.
    made = client.post(
        reverse("calendars:feed_create"), HTTP_HOST="testserver", HTTP_X_FORWARDED_PROTO="https"
    )

    feed = CalendarFeed.objects.get(user=world.alice, revoked_at=None)
    assert f'id="feed-url">https://testserver/calendar/feed/{feed.hint}' in made.text


def test_plain_http_behind_the_proxy_is_redirected_to_https(
    client, world, settings, production_settings
):
    shown = production_settings
    settings.SECURE_PROXY_SSL_HEADER = tuple(shown["SECURE_PROXY_SSL_HEADER"])
    settings.SECURE_SSL_REDIRECT = shown["SECURE_SSL_REDIRECT"]
    settings.SECURE_HSTS_SECONDS = shown["SECURE_HSTS_SECONDS"]

    plain = client.get("/login/", HTTP_HOST="testserver", HTTP_X_FORWARDED_PROTO="http")
    secure = client.get("/login/", HTTP_HOST="testserver", HTTP_X_FORWARDED_PROTO="https")

    assert (plain.status_code, plain["Location"]) == (301, "https://testserver/login/")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_forwarded_scheme_is_ignored_unless_the_proxy_is_trusted(client, world):
    client.force_login(world.alice)

    made = client.post(reverse("calendars:feed_create"), HTTP_X_FORWARDED_PROTO="https")

    assert 'id="feed-url">http://testserver/calendar/feed/' in made.text


def test_the_password_reset_link_is_https_behind_the_proxy(
    client, world, settings, production_settings, inbox
):
    settings.SECURE_PROXY_SSL_HEADER = tuple(production_settings["SECURE_PROXY_SSL_HEADER"])

    client.post(
        reverse("password_reset"),
        {"email": "alice@library.example"},
        HTTP_HOST="testserver",
        HTTP_X_FORWARDED_PROTO="https",
    )

    body = inbox.messages[0][1].get_content()
    assert re.search(r"https://testserver/password-reset/\S+/\S+/", body)
    assert "http://" not in body
