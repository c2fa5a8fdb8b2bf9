"""Views are audited (one entry per record opened, none per list row) and the audit log
filters and exports them."""

import csv
import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.privacy.queries import audit_log
from tests.factories import make_person


def views():
    return list(
        AuditEntry.objects.filter(action="view")
        .order_by("pk")
        .values_list("actor__username", "object_type", "object_id", "summary")
    )


def test_opening_a_person_is_audited_once_and_lists_are_not(client, world):
    client.force_login(world.alice)
    client.get(reverse("people:person_list"))
    assert views() == []

    client.get(reverse("people:person_detail", args=[world.ana.pk]))
    client.get(reverse("people:person_timeline", args=[world.ana.pk]), HTTP_HX_REQUEST="true")
    client.get(reverse("reports:person_brief", args=[world.ana.pk]))

    pk = str(world.ana.pk)
    assert views() == [
        ("alice", "person", pk, "page"),
        ("alice", "person", pk, "timeline"),
        ("alice", "person", pk, "brief"),
    ]


def test_a_person_not_found_is_not_audited(client, world):
    client.force_login(world.bob)

    assert client.get(reverse("people:person_detail", args=[world.ana.pk])).status_code == 404
    assert views() == []


def test_reading_a_person_through_the_api_is_audited(world):
    from tests.api.conftest import Caller

    reply = Caller()("GET", f"/people/{world.ana.pk}", as_=world.alice)

    assert reply.status == 200
    assert views() == [("alice", "person", str(world.ana.pk), "API")]


def test_opening_a_confidential_touchpoint_is_audited_and_others_are_not(client, world):
    client.force_login(world.alice)

    client.get(reverse("touchpoints:detail", args=[world.ana_question.pk]))
    client.get(reverse("touchpoints:detail", args=[world.ana_secret.pk]))

    assert views() == [("alice", "touchpoint", str(world.ana_secret.pk), "page")]


def test_audit_log_filters_by_person_user_action_and_date(client, world):
    client.force_login(world.alice)
    client.get(reverse("people:person_detail", args=[world.ana.pk]))
    client.get(reverse("touchpoints:detail", args=[world.ana_secret.pk]))
    client.force_login(world.bob)
    client.get(reverse("people:person_detail", args=[world.hugo.pk]))
    today = timezone.localdate()

    def found(**filters):
        return [(e.actor.username, e.object_type) for e in audit_log(world.ada, **filters)]

    assert found(person=world.ana.pk) == [("alice", "touchpoint"), ("alice", "person")]
    assert found(actor=world.bob.pk) == [("bob", "person")]
    assert found(action="view", confidential=True) == [("alice", "touchpoint")]
    assert found(since=today, until=today) == [
        ("bob", "person"), ("alice", "touchpoint"), ("alice", "person"),
    ]  # fmt: skip
    assert found(until=today - dt.timedelta(days=1)) == []


def test_audit_log_page_filters_and_exports_as_csv(client, world):
    client.force_login(world.alice)
    client.get(reverse("people:person_detail", args=[world.ana.pk]))
    make_person("Unseen Person")
    client.force_login(world.ada)

    html = client.get(reverse("privacy:audit"), {"person": world.ana.pk}).text
    response = client.get(
        reverse("exports:download", args=["audit", "csv"]), {"person": world.ana.pk}
    )

    assert html.count("<td>view</td>") == 1
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[0] == ["When", "Who", "Action", "Record", "Record id", "Summary", "Changes"]
    assert [r[1:6] for r in rows[1:]] == [["alice", "view", "person", str(world.ana.pk), "page"]]


def test_audit_log_export_is_refused_to_librarians(client, world):
    client.force_login(world.alice)

    response = client.get(reverse("exports:download", args=["audit", "csv"]))

    assert response.status_code == 403
