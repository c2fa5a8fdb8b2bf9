"""The shared test world: two librarians in two groups, a manager and an administrator.

alice serves Chemistry Lab (ana, ben); bob serves History Department (hugo). carla belongs
to no group. alice has one confidential touchpoint with ana; bob has one with hugo.
"""

import email
import email.policy
import os
import socket
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller
from hypothesis import settings as hypothesis_settings

from rapport.accounts.models import Role, User
from rapport.people.models import Group, GroupKind, Person
from rapport.touchpoints.models import Touchpoint

# The browser fixtures, for tests/e2e and each app's own browser tests.
from tests.browser import (  # noqa: F401
    chromium,
    desktop,
    narrow,
    no_script,
    phone,
    seeded_rules,
    sign_in,
    uses_browser,
)
from tests.factories import make_group, make_person, make_touchpoint, make_user

# A loaded CI machine must not turn slow examples into failures; the examples stay the same.
hypothesis_settings.register_profile("ci", deadline=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests last, after pytest-django has ordered the rest by database use:
    from the first page on, Playwright keeps an event loop marked as running in this thread
    and Django's async-safety guard is lifted (tests/browser.py), which no other test should
    run under. The sort is stable, so each group keeps its order."""
    items.sort(key=uses_browser)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    alice: User
    bob: User
    mia: User  # manager
    ada: User  # administrator
    chem: Group
    history: Group
    ana: Person
    ben: Person
    hugo: Person
    carla: Person
    ana_question: Touchpoint
    ana_secret: Touchpoint
    hugo_question: Touchpoint


@pytest.fixture
def world(db) -> World:
    alice = make_user("alice", first_name="Alice", last_name="Liddell")
    bob = make_user("bob", first_name="Bob", last_name="Bibby")
    mia = make_user("mia", Role.MANAGER)
    ada = make_user("ada", Role.ADMIN)
    chem = make_group("Chemistry Lab", librarians=[alice])
    history = make_group("History Department", librarians=[bob], kind=GroupKind.DEPARTMENT)
    ana = make_person("Ana Ruiz", groups=[chem], email="ana.ruiz@uni.example", status="faculty")
    ben = make_person("Ben Okafor", groups=[chem], email="ben@uni.example", status="student")
    hugo = make_person("Hugo Marsh", groups=[history], email="hugo@uni.example")
    carla = make_person("Carla Diaz", email="carla@uni.example")
    return World(
        alice=alice,
        bob=bob,
        mia=mia,
        ada=ada,
        chem=chem,
        history=history,
        ana=ana,
        ben=ben,
        hugo=hugo,
        carla=carla,
        ana_question=make_touchpoint(alice, [ana], question="PRISMA search strings", group=chem),
        ana_secret=make_touchpoint(
            alice, [ana], question="Private worry about tenure", confidential=True, days_ago=0.5
        ),
        hugo_question=make_touchpoint(bob, [hugo], question="Archive access", group=history),
    )


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (
                envelope.rcpt_tos,
                email.message_from_bytes(envelope.content, policy=email.policy.default),
            )
        )
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox(settings):
    """A real SMTP server on a free local port, with Django's SMTP backend pointed at it."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


@pytest.fixture
def allow_loopback(settings):
    """Let rapport.outbound reach the servers tests run on 127.0.0.1, as whoever runs Rapport
    would allow a receiver on the campus network; without it, loopback is refused."""
    settings.RAPPORT_OUTBOUND_ALLOW = ["127.0.0.1"]
