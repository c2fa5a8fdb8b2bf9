import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from rapport.accounts.models import User
from rapport.demo.loader import load
from rapport.people.models import Group
from rapport.privacy.models import RetentionRule

LONDON = ZoneInfo("Europe/London")
#: The demo library's last day: two academic years of touchpoints end here.
END = dt.datetime(2026, 6, 30, 17, 0, tzinfo=LONDON)


@pytest.fixture
def library(db):
    """The demo tier (150 people, 3,000 touchpoints over two years, requests, referrals),
    ending on a fixed day so its rows and figures are always the same."""
    load("demo", seed=1, end=END)
    return User.objects.get(username="manager"), User.objects.get(username="admin")


@pytest.fixture
def groups(library):
    return list(Group.objects.order_by("pk"))


def set_rules(**months: int | None) -> None:
    """`question=6` sets the period of touchpoints of that kind; `request=6` of requests."""
    for name, value in months.items():
        record = name if name in ("request", "match") else f"touchpoint.{name}"
        RetentionRule.objects.update_or_create(record=record, defaults={"months": value})
