"""Which tables a backup holds, and the values' trip through JSON (a property)."""

import datetime as dt
import decimal
import json
import uuid

from django.apps import apps
from hypothesis import given
from hypothesis import strategies as st

from rapport.backup.tables import DECODERS, ENCODERS, EXCLUDED, backed_up


def test_every_managed_table_is_backed_up_but_sessions():
    every = {
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }

    tables = {m._meta.db_table for m in backed_up(apps.get_models(include_auto_created=True))}

    assert tables == every - {"django_session"}
    assert set(EXCLUDED) == {"django_session"}
    assert {"rapport_person", "rapport_group_librarians", "django_content_type"} <= tables


def trip(kind: str, value):
    return DECODERS[kind](json.loads(json.dumps(ENCODERS[kind](value))))


# Django reads every date-time from the database in UTC.
@given(st.datetimes(timezones=st.just(dt.UTC)))
def test_datetimes_keep_their_instant(value):
    back = trip("DateTimeField", value)

    assert (back, back.utcoffset()) == (value, dt.timedelta(0))


@given(st.dates())
def test_dates_round_trip(value):
    assert trip("DateField", value) == value


@given(st.times())
def test_times_round_trip(value):
    assert trip("TimeField", value) == value


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimals_round_trip(value):
    assert trip("DecimalField", value) == value


@given(st.uuids())
def test_uuids_round_trip(value):
    assert trip("UUIDField", value) == value


@given(st.timedeltas())
def test_durations_round_trip(value):
    assert trip("DurationField", value) == value


@given(st.binary())
def test_binary_round_trips(value):
    assert trip("BinaryField", value) == value


def test_none_stays_none():
    assert [trip(kind, None) for kind in ENCODERS] == [None] * len(ENCODERS)
    assert isinstance(trip("DecimalField", decimal.Decimal("1.50")), decimal.Decimal)
    assert trip("UUIDField", uuid.UUID(int=1)) == uuid.UUID(int=1)
    assert trip("DurationField", dt.timedelta(days=-1, microseconds=3)) == dt.timedelta(
        days=-1, microseconds=3
    )
