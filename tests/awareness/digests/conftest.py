"""Alerts on top of the shared world: subscriptions, items and matches written directly.

ana (Chemistry Lab, served by alice) has said yes to weekly alerts; two items are approved for
her, the better one by alice with a note. Links in emails start at https://rapport.example.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from rapport.accounts.models import User
from rapport.awareness import links
from rapport.awareness.models import Item, Match, MatchStatus, SourceKind, Subscription
from rapport.people.models import Person

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)  # a Monday morning
SITE = "https://rapport.example"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "Library alerts <alerts@library.example>"


def subscribe(person: Person, **fields: Any) -> Subscription:
    """A subscription with one link, its token in `sub.token` (as an invitation would make)."""
    fields.setdefault("consented_at", NOW - dt.timedelta(days=30))
    sub = Subscription.objects.create(person=person, **fields)
    links.issue(sub)
    return sub


def make_item(title: str, **fields: Any) -> Item:
    fields.setdefault("source_kind", SourceKind.FEED)
    return Item.objects.create(title=title, title_key=" ".join(title.lower().split()), **fields)


def make_match(
    person: Person,
    item: Item,
    *,
    status: str = MatchStatus.APPROVED,
    by: User | None = None,
    score: float = 0.5,
    terms: tuple[str, ...] = ("scoping reviews",),
    **fields: Any,
) -> Match:
    return Match.objects.create(
        person=person,
        item=item,
        score=score,
        status=status,
        decided_by=by,
        decided_at=NOW - dt.timedelta(days=1) if by else None,
        explanation={"mode": "lexical", "terms": list(terms), "evidence": []},
        **fields,
    )


@dataclass
class Alerts:
    sub: Subscription
    prisma: Match
    scoping: Match


@pytest.fixture
def alerts(world) -> Alerts:
    sub = subscribe(world.ana)
    prisma = make_match(
        world.ana,
        make_item(
            "PRISMA 2020 explained",
            link="https://journal.example/prisma-2020",
            venue="Journal of Reviews",
            published_on=dt.date(2026, 2, 20),
        ),
        by=world.alice,
        score=0.9,
        terms=("prisma", "search strings"),
        note="This is the checklist we talked about.",
    )
    scoping = make_match(
        world.ana,
        make_item("Scoping reviews in chemistry", doi="10.1234/scoping"),
        by=world.alice,
        score=0.4,
    )
    return Alerts(sub=sub, prisma=prisma, scoping=scoping)


def later(days: float) -> dt.datetime:
    return NOW + dt.timedelta(days=days)


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)
