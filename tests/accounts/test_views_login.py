"""Signing in and out, and resetting a password by e-mail through a real local SMTP server."""

import re

from django.urls import reverse

from tests.factories import PASSWORD

NEW_PASSWORD = "a much longer passphrase 42"


def test_login_page_has_a_labelled_form(client, world):
    html = client.get(reverse("login")).text

    assert '<label for="id_username">Username:</label>' in html
    assert '<label for="id_password">Password:</label>' in html
    assert 'href="/password-reset/"' in html
    assert 'id="capture-line"' not in html


def test_login_with_the_right_password_goes_home(client, world):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "Hello, Alice." in client.get(reverse("home")).text


def test_login_with_a_wrong_password_says_so(client, world):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.text
    assert "_auth_user_id" not in client.session


def test_login_goes_on_to_next(client, world):
    url = reverse("people:person_list")

    response = client.post(
        reverse("login") + f"?next={url}", {"username": "alice", "password": PASSWORD, "next": url}
    )

    assert response["Location"] == url


def test_login_page_sends_a_signed_in_user_home(client, world):
    client.force_login(world.alice)

    assert client.get(reverse("login"))["Location"] == reverse("home")


def test_logout_needs_post_and_signs_out(client, world):
    client.force_login(world.alice)

    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_mails_a_link_that_sets_a_new_password(client, world, inbox):
    response = client.post(reverse("password_reset"), {"email": "alice@library.example"})

    assert response["Location"] == reverse("password_reset_done")
    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["alice@library.example"]
    assert message["To"] == "alice@library.example"
    assert message["Subject"] == "Reset your Rapport password"
    assert message["From"] == "rapport@localhost"
    body = message.get_content()
    link = re.search(r"http://testserver(/password-reset/[^/\s]+/[^/\s]+/)", body).group(1)
    assert "Hello Alice Liddell," in body

    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    form = client.get(form_url)
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert "Choose a new password" in form.text
    assert done["Location"] == reverse("password_reset_complete")
    client.logout()
    assert client.login(username="alice", password=PASSWORD) is False
    assert client.login(username="alice", password=NEW_PASSWORD) is True


def test_password_reset_link_works_once(client, world, inbox):
    client.post(reverse("password_reset"), {"email": "alice@library.example"})
    link = re.search(r"http://testserver(\S+)", inbox.messages[0][1].get_content()).group(1)
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link, follow=True)

    assert "This link no longer works" in again.text


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    client, world, inbox
):
    response = client.post(reverse("password_reset"), {"email": "nobody@library.example"})

    assert response["Location"] == reverse("password_reset_done")
    assert inbox.messages == []


def test_password_reset_mismatched_passwords_change_nothing(client, world, inbox):
    client.post(reverse("password_reset"), {"email": "alice@library.example"})
    link = re.search(r"http://testserver(\S+)", inbox.messages[0][1].get_content()).group(1)
    form_url = client.get(link)["Location"]

    response = client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": "different one 42"}
    )

    assert response.status_code == 200
    assert "The two password fields didn’t match." in response.text
    assert client.login(username="alice", password=PASSWORD) is True
