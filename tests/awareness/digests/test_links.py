"""Alert links at rest: the database keeps only hashes; every email has a link of its own, all
working until the librarian revokes them; links sent before the change keep working."""

import hashlib
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from rapport.audit.models import AuditEntry
from rapport.awareness import links, subscriptions
from rapport.awareness.models import AlertLink, Subscription, hash_link_token
from rapport.awareness.sending import send_digests
from rapport.errors import NotFound
from tests.awareness.digests.conftest import NOW, subscribe
from tests.factories import make_person


def every_value(table: str) -> str:
    """Every column of every row of a table, read with plain SQL, as one string."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return repr(cursor.fetchall())


def emailed_token(msg) -> str:
    found = re.search(r"/alerts/([^/\s]+)/", msg.get_body(("plain",)).get_content())
    assert found is not None
    return found[1]


@pytest.mark.django_db
def test_the_database_holds_no_alert_token_only_its_hash(world, inbox):
    subscriptions.invite(by=world.alice, person=world.ana)
    [(_, msg)] = inbox.messages
    token = emailed_token(msg)

    stored = every_value("awareness_subscription") + every_value("awareness_alertlink")

    assert token not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert token not in repr(list(AuditEntry.objects.values_list("summary", "changes")))


@pytest.mark.django_db
def test_each_digest_carries_a_new_link_and_older_ones_keep_working(alerts, inbox):
    first = alerts.sub.token

    send_digests(NOW)

    [(_, msg)] = inbox.messages
    token = emailed_token(msg)
    assert token.startswith("alr_") and token != first
    client = Client()
    assert client.get(f"/alerts/{first}/").status_code == 200
    assert client.get(f"/alerts/{token}/").status_code == 200
    assert AlertLink.objects.filter(subscription=alerts.sub).count() == 2


@pytest.mark.django_db
def test_revoking_stops_every_link_and_the_new_one_opens_the_same_page(world):
    sub = subscribe(world.ana)
    older = sub.token
    links.issue(sub)

    sub = subscriptions.new_link(by=world.alice, subscription=sub)

    for token in (older, "not-a-token", "x" * 65, ""):
        with pytest.raises(NotFound, match="This link is not valid"):
            links.find(token)
    assert links.find(sub.token).pk == sub.pk
    assert list(AlertLink.objects.values_list("token_hash", flat=True)) == [
        hash_link_token(sub.token)
    ]


@pytest.mark.django_db
def test_an_archived_persons_links_open_nothing(world):
    sub = subscribe(world.ana)
    world.ana.archived_at = NOW
    world.ana.save(update_fields=["archived_at"])

    with pytest.raises(NotFound):
        links.find(sub.token)


@pytest.mark.django_db
def test_a_refused_change_sends_the_person_back_to_the_page_of_their_own_link(world):
    sub = subscribe(world.ana)

    response = Client().post(f"/alerts/{sub.token}/frequency/", {"frequency": "hourly"})

    assert response.status_code == 302
    assert response["Location"] == f"/alerts/{sub.token}/"


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_tokens_already_sent_and_they_keep_working(world):
    executor = MigrationExecutor(connection)
    before = [("awareness", "0002_digest_refused")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old.get_model("awareness", "Subscription").objects.create(
        person_id=world.ana.pk, token="Legacy-token_sent-in-2025-xyz012"
    )
    carla = make_person("Carla Unlinked")
    old.get_model("awareness", "Subscription").objects.create(
        person_id=carla.pk, token="another-legacy-token-abcdefghijk"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    stored = every_value("awareness_subscription") + every_value("awareness_alertlink")
    assert "Legacy-token_sent-in-2025-xyz012" not in stored
    assert "another-legacy-token-abcdefghijk" not in stored
    assert Client().get("/alerts/Legacy-token_sent-in-2025-xyz012/").status_code == 200
    assert links.find("another-legacy-token-abcdefghijk").person == carla
    assert Subscription.objects.count() == AlertLink.objects.count() == 2
