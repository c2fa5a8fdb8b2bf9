"""Small, boring factories for tests. They write rows directly: tests of services call services."""

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from rapport.accounts.models import Role, User
from rapport.people.models import Group, GroupKind, Membership, Person
from rapport.touchpoints.models import Participation, Touchpoint

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def local_days_ago(days: float, now: dt.datetime | None = None) -> dt.datetime:
    """The same wall-clock time `days` days before `now` in the site's time zone, so its local
    date is exactly that many days earlier. Counting back in 24-hour days is not: across a
    change of summer time, an hour before midnight lands on the next day."""
    local = timezone.localtime(now or timezone.now())
    return timezone.make_aware(local.replace(tzinfo=None) - dt.timedelta(days=days))


def make_user(username: str, role: str = Role.LIBRARIAN, **fields: Any) -> User:
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        email=fields.pop("email", f"{username}@library.example"),
        **fields,
    )


def make_group(
    name: str, *, librarians: list[User] = (), kind: str = GroupKind.RESEARCH_TEAM
) -> Group:  # type: ignore[assignment]
    group = Group.objects.create(name=name, kind=kind)
    group.librarians.set(librarians)
    return group


def make_person(full_name: str, *, groups: list[Group] = (), **fields: Any) -> Person:  # type: ignore[assignment]
    fields.setdefault("email", f"person{next(_seq)}@uni.example")
    person = Person(full_name=full_name, **fields)
    person.refresh_search_text()
    person.save()
    for group in groups:
        Membership.objects.create(person=person, group=group, role="member")
    return person


def make_touchpoint(
    author: User,
    people: list[Person] = (),
    *,
    days_ago: float = 1,
    **fields: Any,  # type: ignore[assignment]
) -> Touchpoint:
    fields.setdefault("occurred_at", timezone.now() - dt.timedelta(days=days_ago))
    fields.setdefault("question", f"Question {next(_seq)}")
    fields.setdefault("topic", fields["question"][:120])
    tp = Touchpoint.objects.create(author=author, **fields)
    for person in people:
        Participation.objects.create(touchpoint=tp, person=person, occurred_at=tp.occurred_at)
    return tp
