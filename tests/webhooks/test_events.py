"""emit: deliveries stored in the caller's transaction, sent only if it commits; the payload of
each event, from every way a touchpoint is created."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from rapport.requests.models import Status
from rapport.requests.services import change_status, deliver_request, open_request
from rapport.touchpoints.models import Touchpoint
from rapport.touchpoints.services import capture, create_touchpoint
from rapport.webhooks import services
from rapport.webhooks.events import emit, muted
from rapport.webhooks.models import Delivery

UTC = dt.UTC
WHEN = dt.datetime(2026, 11, 2, 10, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://rapport.example"


def data_of(delivery: Delivery) -> dict:
    document = json.loads(delivery.body)
    assert document["event"] == delivery.event
    assert document["id"] == str(delivery.event_id)
    return document["data"]


def test_emit_stores_one_delivery_per_subscribed_active_endpoint(world, receiver):
    both = services.create_endpoint(
        by=world.ada, url=receiver.url, events=["touchpoint.created", "person.merged"]
    )
    other = services.create_endpoint(
        by=world.ada, url="https://crm.example/in", events=["request.delivered"]
    )
    off = services.create_endpoint(
        by=world.ada, url="https://off.example/in", events=["person.merged"], active=False
    )

    emit("person.merged", {"kept": 1, "merged": 2})

    [delivery] = Delivery.objects.all()
    assert (delivery.endpoint, delivery.event, delivery.status) == (
        both,
        "person.merged",
        "pending",
    )
    assert data_of(delivery) == {"kept": 1, "merged": 2}
    assert not Delivery.objects.filter(endpoint__in=[other, off]).exists()


def test_one_event_has_one_id_and_body_across_endpoints(world, receiver):
    for url in (receiver.url, "https://crm.example/in"):
        services.create_endpoint(by=world.ada, url=url, events=["person.merged"])

    emit("person.merged", {"kept": 1})

    first, second = Delivery.objects.order_by("pk")
    assert first.event_id == second.event_id
    assert first.body == second.body
    assert first.delivery_id != second.delivery_id


def test_a_payload_function_runs_only_when_an_endpoint_wants_the_event(world, receiver):
    built = []

    def payload() -> dict:
        built.append(1)
        return {"kept": 1}

    emit("person.merged", payload)
    assert (built, Delivery.objects.count()) == ([], 0)

    services.create_endpoint(by=world.ada, url=receiver.url, events=["person.merged"])
    emit("person.merged", payload)

    assert built == [1]
    assert data_of(Delivery.objects.get()) == {"kept": 1}


def test_emit_refuses_an_unknown_event(db):
    with pytest.raises(ValueError) as err:
        emit("touchpoint.deleted", {})

    assert str(err.value) == "Unknown webhook event 'touchpoint.deleted'"


def test_nothing_is_emitted_while_muted(world, endpoint):
    with muted():
        emit("person.merged", {"kept": 1})
    emit("person.merged", {"kept": 2})

    assert [data_of(d) for d in Delivery.objects.all()] == [{"kept": 2}]


def test_sending_is_queued_only_when_the_transaction_commits(
    world, endpoint, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        emit("person.merged", {"kept": 1})
        assert DBTaskResult.objects.count() == 0

    assert len(callbacks) == 1
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "rapport.webhooks.tasks.send_deliveries"
    assert queued.args_kwargs == {"args": [[Delivery.objects.get().pk]], "kwargs": {}}


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing(world, receiver):
    services.create_endpoint(by=world.ada, url=receiver.url, events=["touchpoint.created"])

    with pytest.raises(RuntimeError), transaction.atomic():
        capture(by=world.alice, line="@Ana Ruiz asked about Scopus alerts")
        raise RuntimeError("the caller failed after the capture")
    call_command("worker", "--batch", verbosity=0)

    assert not Touchpoint.objects.filter(question="asked about Scopus alerts").exists()
    assert Delivery.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    assert receiver.received == []


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_committed_capture(world, receiver):
    services.create_endpoint(by=world.ada, url=receiver.url, events=["touchpoint.created"])

    tp = capture(by=world.alice, line="@Ana Ruiz asked about Scopus alerts")
    call_command("worker", "--batch", verbosity=0)

    [got] = receiver.received
    assert got.headers["Rapport-Event"] == "touchpoint.created"
    assert json.loads(got.body)["data"]["touchpoint"]["id"] == tp.pk
    assert Delivery.objects.get().status == "succeeded"


def _person(p) -> dict:
    return {"id": p.pk, "full_name": p.full_name, "email": p.email, "orcid": p.orcid}


def test_touchpoint_created_payload_from_the_capture_line(world, endpoint):
    tp = capture(
        by=world.alice,
        line="@Ana Ruiz @Ben Okafor asked for PRISMA search strings ~20m #reviews",
        now=WHEN,
    )

    [delivery] = Delivery.objects.all()
    assert delivery.event == "touchpoint.created"
    assert data_of(delivery) == {
        "touchpoint": {
            "id": tp.pk,
            "url": f"https://rapport.example/touchpoints/{tp.pk}/",
            "occurred_at": "2026-11-02T10:30:00Z",
            "kind": "question",
            "channel": "in_person",
            "origin": "direct",
            "initiated_by": "them",
            "read_level": None,
            "minutes": 20,
            "topic": "asked for PRISMA search strings",
            "tags": ["reviews"],
            "author": {"id": world.alice.pk, "username": "alice", "name": "Alice Liddell"},
            "group": {"id": world.chem.pk, "name": "Chemistry Lab", "kind": "research_team"},
            "people": [_person(world.ana), _person(world.ben)],
        }
    }
    assert reverse("touchpoints:detail", args=[tp.pk]) == f"/touchpoints/{tp.pk}/"


def test_touchpoint_created_carries_no_question_or_answer_text(world, endpoint):
    create_touchpoint(
        by=world.alice,
        people=[world.ana],
        occurred_at=WHEN,
        topic="Scoping review",
        question="A sentence only the library should keep",
        answer="Notes only the library should keep",
        outcome="Drafted",
    )

    body = Delivery.objects.get().body
    assert "only the library should keep" not in body
    assert "Drafted" not in body


def test_a_confidential_touchpoint_is_not_announced(world, endpoint):
    create_touchpoint(
        by=world.alice, people=[world.ana], occurred_at=WHEN, question="Tenure", confidential=True
    )

    assert Delivery.objects.count() == 0


def test_the_touchpoint_form_emits(client, world, endpoint):
    client.force_login(world.alice)
    form = {
        "people": "@Ana Ruiz",
        "occurred_at": "2026-03-02T10:30",
        "kind": "consultation",
        "channel": "video",
        "origin": "scheduled",
        "initiated_by": "them",
        "read_level": "5",
        "minutes": "45",
        "topic": "Scoping review strategy",
        "question": "How to search grey literature?",
        "answer": "",
        "outcome": "",
        "tags": "",
        "group": "",
    }

    response = client.post(reverse("touchpoints:create"), form)

    assert response.status_code == 302
    data = data_of(Delivery.objects.get())["touchpoint"]
    assert (data["kind"], data["read_level"], data["topic"]) == (
        "consultation",
        5,
        "Scoping review strategy",
    )


def test_the_api_emits(client, world, endpoint):
    client.force_login(world.alice)
    body = {"occurred_at": "2026-03-02T10:30:00Z", "question": "Quick one", "people": []}

    response = client.post("/api/v1/touchpoints", body, content_type="application/json")

    assert response.status_code == 201
    data = data_of(Delivery.objects.get())["touchpoint"]
    assert (data["id"], data["people"], data["group"]) == (response.json()["id"], [], None)


def test_a_follow_up_logged_as_a_touchpoint_emits_it(world, endpoint):
    from rapport.requests.services import record_follow_up

    req = open_request(by=world.alice, people=[world.ana], need="Data management plan")
    deliver_request(by=world.alice, request=req)
    record_follow_up(by=world.alice, request=req, note="All good", log_as="email")

    events = list(Delivery.objects.order_by("pk").values_list("event", flat=True))
    assert events == ["request.delivered", "touchpoint.created"]


def test_request_delivered_payload(world, endpoint):
    req = open_request(
        by=world.alice,
        people=[world.ben, world.ana],
        need="Which journals accept registered reports? A long need we keep to ourselves.",
        title="Registered reports journals",
        group=world.chem,
        due_on=dt.date(2026, 11, 20),
        now=WHEN,
    )
    deliver_request(
        by=world.alice,
        request=req,
        note="Sent the list; private note",
        deliverable={"title": "Journal list", "url": "https://example.org/list"},
        now=WHEN + dt.timedelta(days=2),
    )

    [delivery] = Delivery.objects.all()
    assert delivery.event == "request.delivered"
    assert data_of(delivery) == {
        "request": {
            "id": req.pk,
            "url": f"https://rapport.example/requests/{req.pk}/",
            "title": "Registered reports journals",
            "status": "delivered",
            "delivered_at": "2026-11-04T10:30:00Z",
            "due_on": "2026-11-20",
            "follow_up_on": "2026-11-18",
            "owner": {"id": world.alice.pk, "username": "alice", "name": "Alice Liddell"},
            "group": {"id": world.chem.pk, "name": "Chemistry Lab", "kind": "research_team"},
            "people": [_person(world.ana), _person(world.ben)],
            "deliverables": [
                {"title": "Journal list", "url": "https://example.org/list", "has_file": False}
            ],
        }
    }
    assert "keep to ourselves" not in delivery.body and "private note" not in delivery.body


def test_delivered_through_a_status_change_emits_too(world, endpoint):
    req = open_request(by=world.alice, people=[world.ana], need="Citation counts")

    change_status(by=world.alice, request=req, status=Status.IN_PROGRESS)
    change_status(by=world.alice, request=req, status=Status.DELIVERED)

    [delivery] = Delivery.objects.all()
    assert data_of(delivery)["request"]["status"] == "delivered"


def test_a_failed_delivery_change_emits_nothing(world, endpoint):
    req = open_request(by=world.alice, people=[world.ana], need="Citation counts")
    change_status(by=world.alice, request=req, status=Status.CLOSED)

    with pytest.raises(Exception, match="cannot become delivered"):
        change_status(by=world.alice, request=req, status=Status.DELIVERED)

    assert Delivery.objects.filter(event="request.delivered").count() == 0
