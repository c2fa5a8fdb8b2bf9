"""The daily digest: one email per librarian who asked for it, holding their Today list.

Never one email per person or per item, and never twice on one day: `rapport digest` may run
as often as a scheduler likes (e.g. hourly); each librarian gets at most one a day, and none
when nothing is due.
"""

import datetime as dt
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from rapport.accounts.models import Role, User
from rapport.audit.services import record
from rapport.awareness.sending import describe
from rapport.today.text import lines
from rapport.today.today import Today, build


@dataclass
class Sent:
    sent: list[str] = field(default_factory=list)
    nothing_due: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "username: why"


def subject(today: Today) -> str:
    parts = []
    for key, one, many in (
        ("follow_ups", "follow-up", "follow-ups"),
        ("requests", "request due", "requests due"),
        ("past_max", "person past their maximum", "people past their maximum"),
        ("past_ideal", "person due a contact", "people due a contact"),
    ):
        n = today.section(key).total
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return f"Today, {today.date:%a %-d %b}: " + (", ".join(parts) or "a few things to look at")


def message(user: User, today: Today, site_url: str) -> EmailMultiAlternatives:
    sections = [(s, lines(s)) for s in today.sections if s.total and s.key != "week"]
    context = {"user": user, "today": today, "sections": sections, "site_url": site_url}
    mail = EmailMultiAlternatives(
        subject=subject(today),
        body=render_to_string("today/digest.txt", context),
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    mail.attach_alternative(render_to_string("today/digest.html", context), "text/html")
    return mail


def due_today(today: Today) -> bool:
    return any(s.total for s in today.sections if s.key != "week")


def send_digests(now: dt.datetime | None = None) -> Sent:
    now = now or timezone.now()
    date = timezone.localdate(now)
    result = Sent()
    users = User.objects.filter(is_active=True, daily_digest=True).exclude(role=Role.MANAGER)
    for user in users.exclude(email="").order_by("username"):
        if user.last_digest_on == date:
            result.already_sent.append(user.username)
            continue
        today = build(user, now)
        if not due_today(today):
            result.nothing_due.append(user.username)
            continue
        try:
            message(user, today, settings.SITE_URL).send()
        except (OSError, smtplib.SMTPException) as err:  # try again on the next run
            result.failed.append(f"{user.username}: {describe(err)}")
            continue
        User.objects.filter(pk=user.pk).update(last_digest_on=date)
        result.sent.append(user.username)
    return result


@transaction.atomic
def set_daily_digest(*, by: User, on: bool) -> None:
    """Turn my daily digest on or off."""
    if by.daily_digest != on:
        by.daily_digest = on
        by.save(update_fields=["daily_digest"])
        record(
            actor=by,
            action="update",
            obj=by,
            summary="Daily digest " + ("on" if on else "off"),
            changes={"daily_digest": [not on, on]},
        )
