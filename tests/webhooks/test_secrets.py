"""Signing secrets at rest: the database holds only ciphertext; Rapport still signs with the
secret itself; the encryption key can be rotated; a key that opens nothing says so."""

import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from rapport import crypto
from rapport.audit.models import AuditEntry
from rapport.webhooks import sending, services
from rapport.webhooks.models import SECRET_PREFIX, Delivery, Endpoint
from rapport.webhooks.signing import verify


def every_value(table: str) -> str:
    """Every column of every row of a table, read with plain SQL, as one string."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return repr(cursor.fetchall())


def _create(world, url: str = "https://crm.example/rapport") -> Endpoint:
    return services.create_endpoint(by=world.ada, url=url, events=["touchpoint.created"])


def test_the_database_holds_no_signing_secret_in_clear(world):
    endpoint = _create(world)
    rotated = services.rotate_secret(by=world.ada, endpoint=_create(world))

    stored = every_value("rapport_webhook_endpoint")

    for secret in (endpoint.secret, rotated.secret):
        assert secret.startswith(SECRET_PREFIX) and len(secret) == 49
        assert secret not in stored
        assert secret[len(SECRET_PREFIX) :] not in stored
    assert Endpoint.objects.get(pk=endpoint.pk).secret == endpoint.secret


def test_a_delivery_verifies_with_the_secret_read_back_from_the_database(world, endpoint, receiver):
    delivery = services.send_test_event(by=world.ada, endpoint=endpoint)

    assert sending.attempt(delivery.pk) == "succeeded"

    [got] = receiver.received
    secret = Endpoint.objects.get(pk=endpoint.pk).secret
    assert verify(secret, got.headers["Rapport-Signature"], got.body) > 0


def test_the_admin_page_shows_the_secret_in_clear(client, world):
    endpoint = _create(world)
    client.force_login(world.ada)

    page = client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()

    assert f'<code class="token" id="endpoint-secret">{endpoint.secret}</code>' in page
    assert 'id="secret-unreadable"' not in page


def test_rotating_the_key_keeps_secrets_readable_and_reencrypt_moves_them(world, settings):
    settings.RAPPORT_ENCRYPTION_KEY = ["first-key-0123456789"]
    endpoint = _create(world)
    secret, before = endpoint.secret, endpoint.secret_encrypted

    settings.RAPPORT_ENCRYPTION_KEY = ["second-key-0123456789", "first-key-0123456789"]
    assert Endpoint.objects.get().secret == secret
    out = io.StringIO()
    call_command("reencrypt", stdout=out)
    assert out.getvalue() == "Encrypted 1 webhook secret(s) with the current key.\n"

    settings.RAPPORT_ENCRYPTION_KEY = ["second-key-0123456789"]
    moved = Endpoint.objects.get()
    assert moved.secret == secret
    assert moved.secret_encrypted != before
    entry = AuditEntry.objects.get(action="reencrypt_secret")
    assert (entry.object_id, entry.changes) == (str(endpoint.pk), {})
    assert secret not in entry.summary


def test_a_key_that_opens_nothing_says_so_and_changes_nothing(client, world, settings):
    settings.RAPPORT_ENCRYPTION_KEY = ["first-key-0123456789"]
    endpoint = _create(world)
    stored = every_value("rapport_webhook_endpoint")
    settings.RAPPORT_ENCRYPTION_KEY = ["a-wholly-different-key"]

    with pytest.raises(crypto.SecretUnreadable, match="cannot be read with this server's"):
        Endpoint.objects.get().secret  # noqa: B018
    with pytest.raises(CommandError, match=r"Nothing was changed\. A stored secret cannot"):
        call_command("reencrypt")
    assert every_value("rapport_webhook_endpoint") == stored

    client.force_login(world.ada)
    page = client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert '<code class="token" id="endpoint-secret"></code>' in page
    assert '<p class="field-error" id="secret-unreadable">A stored secret cannot be read' in page

    services.rotate_secret(by=world.ada, endpoint=endpoint)  # the way out: a new secret
    assert Endpoint.objects.get().secret.startswith(SECRET_PREFIX)


def test_a_delivery_whose_secret_cannot_be_read_counts_as_a_failed_attempt(
    world, endpoint, receiver, settings
):
    """Not claimed again every lease with its count growing: it backs off like any failure."""
    delivery = services.send_test_event(by=world.ada, endpoint=endpoint)
    settings.RAPPORT_ENCRYPTION_KEY = ["a-wholly-different-key"]
    settings.SECRET_KEY = "another-secret-key-0123456789-0123456789-0123456789"

    assert sending.attempt(delivery.pk) == "pending"

    delivery.refresh_from_db()
    assert receiver.received == []
    assert (delivery.attempts, delivery.response_code) == (1, None)
    assert delivery.error.startswith("A stored secret cannot be read with this server's")
    assert delivery.next_attempt_at is not None


def test_the_secret_key_still_opens_what_was_stored_before_a_dedicated_key(world, settings):
    settings.RAPPORT_ENCRYPTION_KEY = []
    secret = _create(world).secret

    settings.RAPPORT_ENCRYPTION_KEY = ["a-dedicated-key-0123456789"]

    assert Endpoint.objects.get().secret == secret


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_secrets_and_signing_still_verifies(world):
    executor = MigrationExecutor(connection)
    before = [("webhooks", "0001_initial")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    legacy = "whsec_legacy-secret-from-before-0123456789abcdef"
    old.get_model("webhooks", "Endpoint").objects.create(
        url="https://crm.example/rapport", events=["touchpoint.created"], secret=legacy
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert legacy not in every_value("rapport_webhook_endpoint")
    endpoint = Endpoint.objects.get()
    assert endpoint.secret == legacy
    delivery = Delivery(endpoint=endpoint, event="webhook.test", event_id=uuid.uuid4())
    header = sending.headers_for(delivery, endpoint.secret, b"{}")["Rapport-Signature"]
    assert verify(legacy, header, b"{}") > 0
