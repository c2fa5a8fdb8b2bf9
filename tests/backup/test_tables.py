"""Which tables a backup holds, and the values' trip through JSON (a property)."""

import datetime as dt
import decimal
import json
import uuid

import pytest
from django.apps import apps
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from rapport.backup.tables import DECODERS, ENCODERS, EXCLUDED, backed_up, decoder
from rapport.people.models import Membership, Person


def test_every_managed_table_is_backed_up_but_sessions():
    every = {
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }

    tables = {m._meta.db_table for m in backed_up(apps.get_models(include_auto_created=True))}

    assert tables == every - {"django_session", "rapport_failed_sign_in"}
    assert set(EXCLUDED) == {"django_session", "rapport_failed_sign_in"}
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


# The shortcuts taken on the way into a large table give what Django itself would store.
moments = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=10,
)


@pytest.mark.django_db
@given(moments, st.dates(), json_values)
def test_shortcuts_store_what_django_would(moment, day, data):
    fields = {
        "DateTimeField": (Person._meta.get_field("created_at"), moment),
        "DateField": (Membership._meta.get_field("started_on"), day),
        "JSONField": (Person._meta.get_field("other_emails"), data),
    }
    for kind, (field, value) in fields.items():
        adapt = decoder(field, connection)
        stored = json.loads(json.dumps(ENCODERS.get(kind, lambda v: v)(value)))
        ours = stored if adapt is None else adapt(stored)
        django = field.get_db_prep_save(value, connection)
        assert _plain(ours) == _plain(django), kind


def _plain(value):
    """psycopg's JSON wrapper compares by identity; compare what it wraps."""
    return getattr(value, "obj", value)
