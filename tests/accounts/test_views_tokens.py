"""Personal API tokens: created with the raw value shown once, listed, revoked."""

from django.urls import reverse

from rapport.accounts.models import ApiToken
from rapport.accounts.services import create_api_token, user_for_token


def test_tokens_create_shows_the_raw_token_once(client, world):
    client.force_login(world.alice)

    created = client.post(reverse("accounts:tokens"), {"name": "laptop script"})
    later = client.get(reverse("accounts:tokens"))

    raw = created.context["raw"]
    token = ApiToken.objects.get(user=world.alice)
    assert created.status_code == 200
    assert f'<code class="token" id="raw-token">{raw}</code>' in created.text
    assert user_for_token(raw) == world.alice
    assert token.name == "laptop script"
    assert raw not in later.text
    assert f"<code>{token.hint}…</code>" in later.text


def test_tokens_blank_name_is_refused(client, world):
    client.force_login(world.alice)

    response = client.post(reverse("accounts:tokens"), {"name": "   "})

    assert response.status_code == 422
    assert "This field is required." in response.text
    assert ApiToken.objects.count() == 0


def test_tokens_list_shows_only_ones_own(client, world):
    create_api_token(by=world.bob, name="bob's robot")
    client.force_login(world.alice)

    html = client.get(reverse("accounts:tokens")).text

    assert "robot" not in html
    assert "No tokens yet." in html


def test_tokens_revoke_stops_the_token(client, world):
    token, raw = create_api_token(by=world.alice, name="old phone")
    client.force_login(world.alice)

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response["Location"] == reverse("accounts:tokens")
    assert user_for_token(raw) is None
    assert (
        "Revoked the token “old phone”; it no longer works."
        in client.get(reverse("accounts:tokens")).text
    )


def test_tokens_revoke_someone_elses_is_not_found(client, world):
    token, raw = create_api_token(by=world.bob, name="bob's robot")
    client.force_login(world.alice)

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    assert "There is no such token of yours." in response.text
    assert user_for_token(raw) == world.bob


def test_tokens_revoke_needs_post(client, world):
    token, raw = create_api_token(by=world.alice, name="laptop")
    client.force_login(world.alice)

    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    assert user_for_token(raw) == world.alice


def test_tokens_page_offers_the_calendar_feed_only_to_roles_that_can_use_it(client, world):
    link = '<a href="/calendar/">calendar feed</a>'
    pages = {}
    for who in ("alice", "mia", "ada"):
        client.force_login(getattr(world, who))
        pages[who] = client.get(reverse("accounts:tokens")).text

    assert link in pages["alice"] and link in pages["ada"]
    assert "calendar" not in pages["mia"].lower().split("<main")[1]
    client.force_login(world.mia)
    assert client.get("/calendar/").status_code == 403  # why it is not offered
