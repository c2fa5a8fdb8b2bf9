"""Sign-in throttling: wrong passwords lock an account and an address, the lock says so, lifts
after the cool-off or with `rapport unlock`, and is audited."""

import base64
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rapport.accounts import throttle
from rapport.accounts.models import FailedSignIn
from rapport.accounts.throttle import address_key, client_address, unlock_sign_in
from rapport.audit.models import AuditEntry
from rapport.errors import Forbidden
from tests.factories import PASSWORD

ACCOUNT_LOCKED = (
    "Too many failed sign-ins for this account; try again in 15 minutes or ask an administrator."
)
ADDRESS_LOCKED = (
    "Too many failed sign-ins from your network address; try again in 15 minutes or ask an "
    "administrator."
)
WRONG = "Please enter a correct username and password."


def sign_in(username, password, address="198.51.100.7", **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response, client


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(times, username="alice", address="198.51.100.7"):
    for _ in range(times):
        sign_in(username, "wrong guess", address)


def age_failures(minutes):
    """As if `minutes` had passed since every failure so far."""
    FailedSignIn.objects.update(at=F("at") - dt.timedelta(minutes=minutes))


def test_fifty_wrong_passwords_then_the_right_one_is_refused(world):
    fail(50)

    response, client = sign_in("alice", PASSWORD)

    assert response.status_code == 429
    assert ACCOUNT_LOCKED in response.text
    assert not signed_in(client)


def test_the_tenth_wrong_password_says_the_account_is_locked(world):
    fail(9)

    tenth, _ = sign_in("alice", "wrong guess")
    assert tenth.status_code == 429
    assert ACCOUNT_LOCKED in tenth.text
    assert FailedSignIn.objects.count() == 10


def test_a_locked_account_is_refused_from_another_address_too(world):
    fail(10, address="198.51.100.7")

    response, client = sign_in("alice", PASSWORD, address="203.0.113.99")

    assert response.status_code == 429
    assert ACCOUNT_LOCKED in response.text
    assert not signed_in(client)


def test_a_locked_account_is_refused_whatever_the_case_of_its_name(world):
    fail(10, username="ALICE")

    response, client = sign_in("alice", PASSWORD)

    assert ACCOUNT_LOCKED in response.text
    assert not signed_in(client)


def test_attempts_while_locked_are_not_counted_nor_checked(world):
    fail(10)

    sign_in("alice", "another guess")
    response, _ = sign_in("alice", PASSWORD)

    assert FailedSignIn.objects.count() == 10
    assert response.text.count(ACCOUNT_LOCKED) == 1
    assert WRONG not in response.text  # the same answer, right password or wrong


def test_the_lock_says_how_long_is_left(world):
    fail(10)
    age_failures(11)

    response, _ = sign_in("alice", PASSWORD)

    assert (
        "Too many failed sign-ins for this account; try again in 4 minutes or ask an "
        "administrator." in response.text
    )


def test_after_the_cool_off_the_right_password_signs_in(world):
    fail(50)
    age_failures(16)

    response, client = sign_in("alice", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_the_lock_is_audited_once_with_the_account(world):
    fail(50)

    entry = AuditEntry.objects.get(action="lock")
    assert (entry.actor, entry.object_type, entry.object_id) == (None, "user", str(world.alice.pk))
    assert entry.summary == "Sign-in locked for “alice”: 10 wrong passwords"
    assert entry.changes == {"username": "alice", "address": "198.51.100.7", "failures": 10}


def test_an_unknown_username_is_locked_like_a_real_one(world):
    fail(10, username="nobody")

    response, _ = sign_in("nobody", "anything")

    assert ACCOUNT_LOCKED in response.text
    entry = AuditEntry.objects.get(action="lock")
    assert (entry.object_type, entry.summary) == (
        "failedsignin",
        "Sign-in locked for “nobody”: 10 wrong passwords",
    )


def test_one_address_guessing_many_accounts_is_locked(world):
    for n in range(50):
        sign_in(f"user{n}", "wrong guess", "198.51.100.7")

    response, client = sign_in("bob", PASSWORD, "198.51.100.7")
    elsewhere, other = sign_in("bob", PASSWORD, "203.0.113.99")

    assert response.status_code == 429
    assert ADDRESS_LOCKED in response.text
    assert not signed_in(client)
    assert signed_in(other), elsewhere.text
    entry = AuditEntry.objects.get(action="lock")
    assert entry.summary == "Sign-in locked for address 198.51.100.7: 50 wrong passwords"


def test_a_correct_sign_in_under_the_limit_clears_only_that_accounts_count(world):
    fail(9, username="alice")
    for n in range(40):  # 49 wrong passwords from this address so far
        sign_in(f"user{n}", "wrong guess")
    response, client = sign_in("alice", PASSWORD)
    assert signed_in(client), response.text

    # Alice starts afresh: nine more mistakes are still under her limit...
    fail(9, username="alice", address="203.0.113.5")
    assert signed_in(sign_in("alice", PASSWORD, "203.0.113.5")[1])
    # ...but her sign-in did not wipe what this address had tried (49 + this one = 50)...
    sign_in("user40", "wrong guess")
    locked, client = sign_in("bob", PASSWORD)
    assert ADDRESS_LOCKED in locked.text
    assert not signed_in(client)
    # ...nor what was tried against the other accounts.
    assert FailedSignIn.objects.filter(username="user0", account_cleared=False).count() == 1


def test_proxy_address_is_used_only_when_configured(world, settings, rf):
    request = rf.post("/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")

    settings.RAPPORT_BEHIND_PROXY = False
    assert client_address(request) == "10.0.0.2"
    settings.RAPPORT_BEHIND_PROXY = True
    assert client_address(request) == "5.6.7.8"  # the one our proxy added, not the client's


def test_behind_the_proxy_failures_count_against_the_forwarded_address(world, settings):
    settings.RAPPORT_BEHIND_PROXY = True
    for n in range(50):
        sign_in(f"user{n}", "wrong", "10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.8")

    response, _ = sign_in("bob", PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.8")
    other, client = sign_in("bob", PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert ADDRESS_LOCKED in response.text
    assert signed_in(client), other.text


def test_ipv6_addresses_count_by_their_64_network():
    assert address_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::"
    assert address_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_key("not an address") is None


def unlock(*args):
    out = io.StringIO()
    call_command("unlock", *args, stdout=out)
    return out.getvalue()


def test_unlock_lets_the_account_sign_in_at_once_and_is_audited(world):
    fail(50)

    out = unlock("Alice")

    assert out == "Unlocked “Alice”: forgot 10 failed sign-ins.\n"
    response, client = sign_in("alice", PASSWORD)
    assert signed_in(client), response.text
    entry = AuditEntry.objects.get(action="unlock")
    assert (entry.actor, entry.object_type, entry.object_id) == (None, "user", str(world.alice.pk))
    assert entry.summary == "Sign-in unlocked for “alice”"
    assert entry.changes == {"username": "alice", "address": None, "forgotten": 10}


def test_unlock_an_address(world):
    for n in range(50):
        sign_in(f"user{n}", "wrong guess", "198.51.100.7")

    out = unlock("--address", "198.51.100.7")

    assert out == "Unlocked address 198.51.100.7: forgot 50 failed sign-ins.\n"
    assert signed_in(sign_in("bob", PASSWORD, "198.51.100.7")[1])


def test_unlock_what_is_not_locked_changes_nothing(world):
    assert unlock("alice") == "No failed sign-ins counted against “alice”; nothing to unlock.\n"
    assert not AuditEntry.objects.filter(action="unlock").exists()


def test_unlock_a_bad_address_is_refused_and_changes_nothing(world):
    fail(10)

    with pytest.raises(CommandError) as err:
        unlock("alice", "--address", "not-an-ip")

    assert str(err.value) == "“not-an-ip” is not an IP address."
    assert FailedSignIn.objects.filter(account_cleared=False).count() == 10


def test_unlock_needs_an_account_or_an_address(world):
    with pytest.raises(CommandError) as err:
        unlock()
    assert str(err.value) == "Say which account or address to unlock."


def test_only_an_administrator_may_unlock(world):
    fail(10)

    with pytest.raises(Forbidden):
        unlock_sign_in(by=world.alice, username="alice")
    assert unlock_sign_in(by=world.ada, username="alice") == 10
    assert AuditEntry.objects.get(action="unlock").actor == world.ada


def test_failures_older_than_a_day_are_forgotten(world):
    fail(3)
    age_failures(25 * 60)

    fail(1)

    assert FailedSignIn.objects.count() == 1


def basic(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_the_api_takes_no_password_so_it_is_no_way_round_the_lock(world):
    """The API knows only tokens: a right password answers exactly as a wrong one, in any
    header, locked or not, and API calls count nothing against the account."""
    fail(10)

    answers = [
        Client().get("/api/v1/people", HTTP_AUTHORIZATION=header)
        for header in (
            basic("alice", PASSWORD),
            basic("alice", "wrong guess"),
            f"Bearer {PASSWORD}",
            "Bearer wrong guess",
        )
    ]

    assert {a.status_code for a in answers} == {401}
    assert all(a.json() == answers[0].json() for a in answers)
    assert FailedSignIn.objects.count() == 10


# The rule as a plain model, checked against the database over random histories.

ACCOUNTS = ["alice", "bob", "carol", "dan"]
ADDRESSES = ["192.0.2.1", "192.0.2.1", "192.0.2.2"]
tries = st.tuples(
    st.just("try"),
    st.sampled_from(ACCOUNTS),
    st.sampled_from(ADDRESSES),
    st.sampled_from([False, False, False, True]),  # mostly wrong passwords
)
waits = st.tuples(st.just("wait"), st.sampled_from([1, 4, 14, 16]))
attempts = st.lists(st.one_of(tries, tries, tries, waits), max_size=40)


class Model:
    """Failures as (minute, account, address, counts for the account, for the address)."""

    def __init__(self, account_limit, address_limit, minutes):
        self.now = 0
        self.failures: list[list] = []
        self.limits = (account_limit, address_limit)
        self.minutes = minutes

    def recent(self, index, value):
        return [
            f
            for f in self.failures
            if f[index] == value and f[index + 2] and f[0] > self.now - self.minutes
        ]

    def locked(self, account, address):
        if len(self.recent(1, account)) >= self.limits[0]:
            return "account"
        if len(self.recent(2, address)) >= self.limits[1]:
            return "address"
        return None

    def attempt(self, account, address, right):
        if lock := self.locked(account, address):
            return lock
        if right:
            for f in self.failures:
                if f[1] == account:
                    f[3] = False
            return "signed in"
        self.failures.append([self.now, account, address, True, True])
        return self.locked(account, address) or "wrong"


def attempt(account, address, right):
    """What the sign-in form does, through the same functions."""
    outcome = None
    try:
        throttle.check_sign_in(username=account, address=address)
    except throttle.Locked as e:
        return "account" if "this account" in e.message else "address"
    if right:
        throttle.record_success(username=account)
        return "signed in"
    throttle.record_failure(username=account, address=address)
    try:
        throttle.check_sign_in(username=account, address=address)
    except throttle.Locked as e:
        outcome = "account" if "this account" in e.message else "address"
    return outcome or "wrong"


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=attempts)
def test_throttling_follows_the_rule_over_any_history(settings, history):
    settings.RAPPORT_SIGNIN_LIMIT = 2
    settings.RAPPORT_SIGNIN_ADDRESS_LIMIT = 3
    settings.RAPPORT_SIGNIN_LOCK_MINUTES = 15
    FailedSignIn.objects.all().delete()
    model = Model(2, 3, 15)

    for step in history:
        if step[0] == "wait":
            model.now += step[1]
            age_failures(step[1])
        else:
            _, account, address, right = step
            assert attempt(account, address, right) == model.attempt(account, address, right)
