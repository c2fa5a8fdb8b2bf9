"""Endpoint services: administrators only, URLs and events checked, every change audited and
the secret never written to the audit."""

import json
import uuid

import pytest

from rapport.audit.models import AuditEntry
from rapport.errors import Forbidden, Invalid
from rapport.webhooks import services
from rapport.webhooks.models import SECRET_PREFIX, Delivery, Endpoint

HOOK = "https://crm.example/rapport"


def _create(world, **overrides) -> Endpoint:
    fields = {"url": HOOK, "events": ["touchpoint.created"], "description": "Library CRM"}
    return services.create_endpoint(by=world.ada, **{**fields, **overrides})


def test_create_endpoint_stores_it_with_a_new_secret_and_audits_without_it(world):
    endpoint = _create(world, events=["person.merged", "touchpoint.created", "person.merged"])

    assert (endpoint.url, endpoint.description, endpoint.active) == (HOOK, "Library CRM", True)
    assert endpoint.events == ["touchpoint.created", "person.merged"]
    assert endpoint.secret.startswith(SECRET_PREFIX) and len(endpoint.secret) == 49
    assert endpoint.created_by == world.ada
    entry = AuditEntry.objects.get(action="create", object_type="endpoint")
    assert entry.actor == world.ada
    assert entry.changes == {
        "url": HOOK,
        "description": "Library CRM",
        "events": ["touchpoint.created", "person.merged"],
        "active": True,
    }
    assert endpoint.secret not in json.dumps([e.changes for e in AuditEntry.objects.all()])


def test_each_endpoint_gets_its_own_secret(world):
    assert _create(world).secret != _create(world).secret


@pytest.mark.parametrize("who", ["alice", "mia"])
def test_only_administrators_manage_endpoints(world, who):
    user = getattr(world, who)
    endpoint = _create(world)

    for act in (
        lambda: services.create_endpoint(by=user, url=HOOK, events=["person.merged"]),
        lambda: services.rotate_secret(by=user, endpoint=endpoint),
        lambda: services.send_test_event(by=user, endpoint=endpoint),
        lambda: services.delete_endpoint(by=user, endpoint=endpoint),
    ):
        with pytest.raises(Forbidden) as err:
            act()
        assert err.value.message == "Only administrators can manage webhooks."

    assert Endpoint.objects.count() == 1
    assert Delivery.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "address: Give a web address (https://…)."),
        ("   ", "address: Give a web address (https://…)."),
        (
            "ftp://files.example/in",
            "address: “ftp://files.example/in” is not a web address (https://…).",
        ),
        (
            "javascript:alert(1)",
            "address: “javascript:alert(1)” is not a web address (https://…).",
        ),
        ("crm.example/in", "address: “crm.example/in” is not a web address (https://…)."),
        ("https:///in", "address: “https:///in” names no server; e.g. https://example.org/page."),
        (
            "https://crm example/in",
            "address: “https://crm example/in” has spaces or invisible characters; a web "
            "address has none.",
        ),
        (
            "https://crm.example:99999/in",
            "address: “https://crm.example:99999/in” is not a valid web address.",
        ),
        ("http://[::1/in", "address: “http://[::1/in” is not a valid web address."),
        (
            "https://ann:pw@crm.example/in",
            "Put no user name or password in the address: Rapport signs every delivery, and the "
            "receiver should check that signature instead.",
        ),
        (
            "https://crm.example/" + "a" * 490,
            "address: Keep the address under 500 characters; this one has 510.",
        ),
    ],
)
def test_a_bad_url_is_refused_and_nothing_saved(world, url, message):
    with pytest.raises(Invalid) as err:
        _create(world, url=url)

    assert err.value.message == message
    assert list(err.value.fields) == ["url"]
    assert Endpoint.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_http_and_https_addresses_are_accepted(world):
    assert _create(world, url="http://crm.example:9000/hook").url == "http://crm.example:9000/hook"
    assert _create(world, url=" HTTPS://CRM.example/x ").url == "HTTPS://CRM.example/x"


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([], "Choose at least one event to send to this endpoint."),
        ("touchpoint.created", "Choose at least one event to send to this endpoint."),
        (
            ["touchpoint.created", "person.deleted"],
            "Unknown event(s): person.deleted; choose from touchpoint.created, "
            "request.delivered, person.merged.",
        ),
    ],
)
def test_bad_events_are_refused(world, events, message):
    with pytest.raises(Invalid) as err:
        _create(world, events=events)

    assert (err.value.message, list(err.value.fields)) == (message, ["events"])
    assert Endpoint.objects.count() == 0


def test_update_endpoint_audits_what_changed(world):
    endpoint = _create(world)

    services.update_endpoint(
        by=world.ada,
        endpoint=endpoint,
        url=HOOK + "/v2",
        events=["touchpoint.created"],
        description="Library CRM",
        active=False,
    )

    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.active) == (HOOK + "/v2", False)
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes == {"url": [HOOK, HOOK + "/v2"], "active": [True, False]}


def test_a_bad_update_changes_nothing(world):
    endpoint = _create(world)

    with pytest.raises(Invalid):
        services.update_endpoint(
            by=world.ada,
            endpoint=endpoint,
            url="gopher://old.example",
            events=["person.merged"],
            description="",
            active=True,
        )

    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events) == (HOOK, ["touchpoint.created"])
    assert not AuditEntry.objects.filter(action="update").exists()


def test_turning_an_endpoint_back_on_forgets_its_failures(world):
    endpoint = _create(world)
    Endpoint.objects.filter(pk=endpoint.pk).update(
        active=False, failures_in_row=5, disabled_reason="Turned off by Rapport"
    )
    endpoint.refresh_from_db()

    services.update_endpoint(
        by=world.ada,
        endpoint=endpoint,
        url=HOOK,
        events=["person.merged"],
        description="",
        active=True,
    )

    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.failures_in_row, endpoint.disabled_reason) == (True, 0, "")


def test_rotate_secret_replaces_it_and_audits_the_time_only(world):
    endpoint = _create(world)
    old = endpoint.secret

    services.rotate_secret(by=world.ada, endpoint=endpoint)

    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret.startswith(SECRET_PREFIX)
    entry = AuditEntry.objects.get(action="rotate_secret")
    assert entry.actor == world.ada
    assert entry.changes == {"secret_rotated_at": [None, endpoint.secret_rotated_at.isoformat()]}
    assert old not in json.dumps(entry.changes) and endpoint.secret not in json.dumps(entry.changes)


def test_delete_endpoint_removes_its_log(world):
    endpoint = _create(world)
    services.send_test_event(by=world.ada, endpoint=endpoint)

    services.delete_endpoint(by=world.ada, endpoint=endpoint)

    assert (Endpoint.objects.count(), Delivery.objects.count()) == (0, 0)
    entry = AuditEntry.objects.get(action="delete", object_type="endpoint")
    assert entry.changes["deliveries"] == 1


def test_send_test_event_queues_one_delivery_whatever_the_subscription(world):
    endpoint = _create(world, events=["person.merged"])

    delivery = services.send_test_event(by=world.ada, endpoint=endpoint)

    assert (delivery.endpoint, delivery.event, delivery.status) == (
        endpoint,
        "webhook.test",
        "pending",
    )
    assert json.loads(delivery.body)["data"]["sent_by"] == "ada"
    assert AuditEntry.objects.filter(action="test", object_id=str(endpoint.pk)).count() == 1


def test_redeliver_sends_the_same_event_under_a_new_delivery_id(world):
    endpoint = _create(world)
    first = services.send_test_event(by=world.ada, endpoint=endpoint)
    Delivery.objects.filter(pk=first.pk).update(status="failed", attempts=6, next_attempt_at=None)

    again = services.redeliver(by=world.ada, delivery=first)

    assert (again.event, again.event_id, again.body) == (first.event, first.event_id, first.body)
    assert again.delivery_id != first.delivery_id
    assert (again.status, again.attempts, again.redelivery_of) == ("pending", 0, first)
    assert isinstance(again.delivery_id, uuid.UUID)
    entry = AuditEntry.objects.get(action="redeliver")
    assert entry.changes == {"delivery": [first.pk, again.pk]}


def test_nothing_is_sent_to_an_endpoint_turned_off(world):
    endpoint = _create(world, active=False)

    with pytest.raises(Invalid, match="This endpoint is turned off"):
        services.send_test_event(by=world.ada, endpoint=endpoint)

    assert Delivery.objects.count() == 0
