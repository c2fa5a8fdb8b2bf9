"""The daily digest, sent through a real local SMTP server: one email, only when due, once a day."""

import datetime as dt

from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import User
from rapport.relationships.services import refresh_all
from rapport.today.digest import send_digests
from rapport.touchpoints.services import create_touchpoint
from tests.factories import local_days_ago, make_person


def overdue_faculty(world, name="Olga Old"):
    person = make_person(name, groups=[world.chem], status="faculty")
    create_touchpoint(
        by=world.alice,
        people=[person],
        occurred_at=local_days_ago(200),
        question="Old question",
    )
    return person


def test_one_email_with_the_list_and_never_twice_a_day(world, inbox):
    refresh_all()
    overdue_faculty(world)
    overdue_faculty(world, "Omar Older")
    User.objects.filter(username__in=["alice", "bob", "mia"]).update(daily_digest=True)

    result = send_digests()

    assert (result.sent, result.nothing_due, result.already_sent) == (["alice"], ["bob"], [])
    assert len(inbox.messages) == 1
    to, msg = inbox.messages[0]
    assert to == ["alice@library.example"]
    date = timezone.localdate()
    assert msg["Subject"] == f"Today, {date:%a %-d %b}: 2 people past their maximum"
    assert msg["Auto-Submitted"] == "auto-generated"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Past their maximum interval (2)" in text
    assert "  Olga Old (First contact, health 39) — last contact" in text
    assert "<li>Omar Older (First contact, health 39)" in html
    assert "Private worry" not in text  # the week's touchpoints stay on the page

    again = send_digests()
    assert (again.sent, again.already_sent) == ([], ["alice"])
    assert len(inbox.messages) == 1
    tomorrow = send_digests(timezone.now() + dt.timedelta(days=1))
    assert tomorrow.sent == ["alice"]


def test_a_failed_send_is_reported_and_retried(world, settings):
    refresh_all()
    overdue_faculty(world)
    User.objects.filter(username="alice").update(daily_digest=True)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    try:
        call_command("digest")
    except CommandError as err:
        assert str(err).startswith("Could not send to alice: The mail server could not be ")
        assert "Errno" not in str(err)
    else:
        raise AssertionError("expected a CommandError")
    assert User.objects.get(username="alice").last_digest_on is None


def test_turning_the_digest_on_and_off(client, world):
    client.force_login(world.alice)
    assert "Email me daily" in client.get(reverse("home")).text

    client.post(reverse("today:digest"), {"on": "1"})
    assert User.objects.get(username="alice").daily_digest is True
    assert "Stop the daily email" in client.get(reverse("home")).text

    client.post(reverse("today:digest"), {"on": "0"})
    assert User.objects.get(username="alice").daily_digest is False
    client.force_login(world.mia)
    assert client.post(reverse("today:digest"), {"on": "1"}).status_code == 403
