"""One's own account page: change the e-mail address and the password, audited; bad input is
refused with a clear message and changes nothing."""

from django.urls import reverse

from rapport.accounts.models import User
from rapport.audit.models import AuditEntry
from tests.factories import PASSWORD

URL = "/account/"


def test_account_page_shows_both_forms_and_marks_account_in_the_nav(client, world):
    client.force_login(world.alice)

    response = client.get(URL)

    assert reverse("accounts:account") == URL
    assert response.status_code == 200
    assert "<h1>Your account</h1>" in response.text
    assert 'id="email-form"' in response.text
    assert 'id="password-form"' in response.text
    assert f'<a href="{URL}" aria-current="page">Account</a>' in response.text
    assert response.text.count('aria-current="page"') == 1


def test_change_email_saves_and_audits(client, world):
    client.force_login(world.alice)

    response = client.post(URL, {"form": "email", "email": " alice.new@example.org "})

    assert response.status_code == 302
    assert response["Location"] == URL
    world.alice.refresh_from_db()
    assert world.alice.email == "alice.new@example.org"
    entry = AuditEntry.objects.get(object_type="user", action="update")
    assert entry.actor == world.alice
    assert entry.summary == "changed their e-mail address"
    assert entry.changes["email"][1] == "alice.new@example.org"
    page = client.get(URL)
    assert "Your e-mail address is now alice.new@example.org." in page.text


def test_bad_email_is_refused_and_changes_nothing(client, world):
    client.force_login(world.alice)
    before = world.alice.email

    response = client.post(URL, {"form": "email", "email": "alice at home"})

    assert response.status_code == 422
    assert "“alice at home” is not an e-mail address." in response.text
    world.alice.refresh_from_db()
    assert world.alice.email == before
    assert not AuditEntry.objects.filter(object_type="user").exists()


def test_email_of_another_account_is_refused(client, world):
    User.objects.filter(pk=world.bob.pk).update(email="shared@example.org")
    client.force_login(world.alice)

    response = client.post(URL, {"form": "email", "email": "Shared@example.org"})

    assert response.status_code == 422
    assert "Another account already uses that address; ask an administrator." in response.text
    world.alice.refresh_from_db()
    assert world.alice.email != "Shared@example.org"


def test_change_password_keeps_one_signed_in_and_audits(client, world):
    client.force_login(world.alice)
    new = "a quiet reading room 42"

    response = client.post(URL, {"form": "password", "current": PASSWORD, "new": new, "again": new})

    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.check_password(new)
    assert client.get(URL).status_code == 200  # the session survived the change
    entry = AuditEntry.objects.get(object_type="user", action="update")
    assert entry.summary == "changed their password"
    assert entry.changes == {}


def test_wrong_current_password_is_refused(client, world):
    client.force_login(world.alice)

    new = "a quiet room 42"
    response = client.post(URL, {"form": "password", "current": "guess", "new": new, "again": new})

    assert response.status_code == 422
    assert "Your current password is not right; nothing was changed." in response.text
    world.alice.refresh_from_db()
    assert world.alice.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(object_type="user").exists()


def test_weak_or_mismatched_new_password_is_refused(client, world):
    client.force_login(world.alice)

    short = client.post(
        URL, {"form": "password", "current": PASSWORD, "new": "abc", "again": "abc"}
    )
    digits = client.post(
        URL, {"form": "password", "current": PASSWORD, "new": "83920174", "again": "83920174"}
    )
    differ = client.post(
        URL,
        {"form": "password", "current": PASSWORD, "new": "a quiet room 42", "again": "a loud room"},
    )

    assert short.status_code == 422
    assert "This password is too short. It must contain at least 8 characters." in short.text
    assert "This password is entirely numeric." in digits.text
    assert "The two new passwords differ; type the same one twice." in differ.text
    world.alice.refresh_from_db()
    assert world.alice.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(object_type="user").exists()


def test_manager_has_an_account_page_too(client, world):
    client.force_login(world.mia)

    response = client.post(URL, {"form": "email", "email": "mia@example.org"})

    assert response.status_code == 302
    world.mia.refresh_from_db()
    assert world.mia.email == "mia@example.org"
