"""/api/v1/people/{id}/relationship: the state as JSON, and the writes that change it."""

import datetime as dt

import pytest
from django.utils import timezone

from rapport.accounts.services import create_api_token
from rapport.audit.models import AuditEntry
from rapport.relationships.models import PersonCadence, Relationship, Snooze, Stage
from rapport.relationships.services import snooze
from tests.api.conftest import Caller, forbidden, invalid, not_found, when
from tests.relationships.test_views import make_dora

FORMULA = "30% recency + 25% frequency + 15% depth + 10% breadth + 20% initiative"
RULES = [
    ("prospect", "Prospect", "never contacted"),
    ("first_contact", "First contact", "one touchpoint"),
    ("client", "Client", "two or more touchpoints: they came back"),
    (
        "supporter",
        "Supporter",
        "at least 4 touchpoints over 60+ days, 2+ of them started by the person",
    ),
    ("advocate", "Advocate", "a client who has referred someone to the library"),
    (
        "partner",
        "Partner",
        "works with the librarian on the group's own project (a touchpoint tagged #partnership)",
    ),
]


@pytest.fixture
def dora(world):
    return make_dora(world)


@pytest.fixture
def call(world) -> Caller:
    return Caller()


@pytest.fixture
def token(world) -> str:
    _, raw = create_api_token(by=world.alice, name="relationship script")
    return raw


def path(person, what: str = "") -> str:
    return f"/people/{person.pk}/relationship{what}"


def person_audits(person) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="person", object_id=str(person.pk))
        .order_by("pk")
        .values_list("summary", flat=True)
    )


def test_read_relationship_exact(call, world, dora):
    rel = Relationship.objects.get(person=dora)
    last_real = timezone.localdate(rel.last_real_contact_at)

    reply = call("GET", path(dora), as_=world.alice)

    assert reply.status == 200
    assert reply.body == {
        "person": {"id": dora.pk, "full_name": "Dora Lee"},
        "stage": "advocate",
        "stage_label": "Advocate",
        "computed_stage": "advocate",
        "overridden": False,
        "override_reason": "",
        "rules": [
            {"stage": s, "label": label, "rule": rule, "holds": s not in ("prospect", "partner")}
            for s, label, rule in RULES
        ],
        "health": {
            "score": 68,
            "parts": [
                {"name": "recency", "score": 100, "weight": 30, "why": "last contact 10 days ago"},
                {
                    "name": "frequency",
                    "score": 33,
                    "weight": 25,
                    "why": "4 contacts in the last year",
                },
                {"name": "depth", "score": 50, "weight": 15, "why": "mean READ 2.5"},
                {"name": "breadth", "score": 75, "weight": 10, "why": "3 kinds of service"},
                {
                    "name": "initiative",
                    "score": 75,
                    "weight": 20,
                    "why": "started 3 of 4 contacts",
                },
            ],
            "formula": FORMULA,
            "score_30_days_ago": 66,
        },
        "counts": {"last_30_days": 1, "last_90_days": 3, "last_365_days": 4, "total": 4},
        "first_contact_at": when(dora.first_contact_at),
        "last_contact_at": when(dora.last_contact_at),
        "last_real_contact_at": when(rel.last_real_contact_at),
        "tenure_days": 90,
        "referrals": 1,
        "initiative_share": 0.75,
        "minutes": 105,
        "cadence": {"ideal_days": 30, "max_days": 60, "source": "rule: Principal investigators"},
        "person_cadence": None,
        "due": {
            "state": "ok",
            "last_real_contact": last_real.isoformat(),
            "next_due": (last_real + dt.timedelta(days=30)).isoformat(),
            "days_past_ideal": 0,
        },
        "snooze": None,
    }


def test_read_relationship_never_contacted(call, world):
    reply = call("GET", path(world.ben), as_=world.alice)

    assert reply.status == 200
    body = reply.body
    assert (body["stage"], body["health"]["score"], body["initiative_share"]) == (
        "prospect",
        0,
        None,
    )
    assert [p["why"] for p in body["health"]["parts"]] == ["no contact yet"] * 5
    assert (body["cadence"], body["due"]) == (None, None)


@pytest.mark.parametrize(
    ("role", "status"), [("alice", 200), ("ada", 200), ("bob", 404), ("mia", 403)]
)
def test_read_relationship_status_for_each_role(call, world, role, status):
    reply = call("GET", path(world.ana), as_=getattr(world, role))

    assert reply.status == status
    if role == "bob":
        assert reply.body == not_found(
            f"There is no person {world.ana.pk} that you can see.", path(world.ana)
        )
    if role == "mia":
        assert reply.body == forbidden(
            "Managers see aggregate figures only, not individual people.", path(world.ana)
        )


def test_read_relationship_with_a_token(call, world, token):
    reply = call("GET", path(world.ana), token=token)

    assert reply.status == 200
    assert reply.body["person"] == {"id": world.ana.pk, "full_name": "Ana Ruiz"}


def test_read_relationship_anonymous_is_401(call, world):
    assert call("GET", path(world.ana)).status == 401


# Stage


def test_put_stage_with_reason(call, world, dora):
    reply = call(
        "PUT", path(dora, "/stage"), as_=world.alice, body={"stage": "partner", "reason": "Grant"}
    )

    assert reply.status == 200
    assert (reply.body["stage"], reply.body["computed_stage"], reply.body["overridden"]) == (
        "partner",
        "advocate",
        True,
    )
    assert reply.body["override_reason"] == "Grant"
    rel = Relationship.objects.get(person=dora)
    assert (rel.stage, rel.stage_override, rel.stage_reason) == (Stage.PARTNER, 5, "Grant")
    assert person_audits(dora) == ["Stage set to Partner"]


@pytest.mark.parametrize("body", [{"stage": "partner"}, {"stage": "partner", "reason": "  "}])
def test_put_stage_without_reason_is_refused(call, world, dora, body):
    reply = call("PUT", path(dora, "/stage"), as_=world.alice, body=body)

    assert reply.status == 422
    assert reply.body == invalid(
        "Say why you are setting the stage by hand; the reason is kept with it.",
        path(dora, "/stage"),
        {"reason": ["Required when setting a stage."]},
    )
    assert Relationship.objects.get(person=dora).stage_override is None
    assert person_audits(dora) == []


def test_put_stage_unknown_is_refused(call, world, dora):
    reply = call("PUT", path(dora, "/stage"), as_=world.alice, body={"stage": "fan", "reason": "x"})

    assert reply.status == 422
    assert list(reply.body["errors"]) == ["stage"]
    assert Relationship.objects.get(person=dora).stage_override is None


def test_delete_stage_goes_back_to_the_rules(call, world, dora):
    call("PUT", path(dora, "/stage"), as_=world.alice, body={"stage": "client", "reason": "x"})

    reply = call("DELETE", path(dora, "/stage"), as_=world.alice)

    assert reply.status == 200
    assert (reply.body["stage"], reply.body["overridden"], reply.body["override_reason"]) == (
        "advocate",
        False,
        "",
    )
    assert person_audits(dora) == ["Stage set to Client", "Stage by the rules"]


# Cadence


def test_put_cadence(call, world, dora):
    reply = call(
        "PUT",
        path(dora, "/cadence"),
        as_=world.alice,
        body={"ideal_days": 14, "max_days": 21, "reason": "Grant season"},
    )

    assert reply.status == 200
    assert reply.body["cadence"] == {
        "ideal_days": 14,
        "max_days": 21,
        "source": "set for this person",
    }
    assert reply.body["person_cadence"] == {
        "ideal_days": 14,
        "max_days": 21,
        "reason": "Grant season",
    }
    assert person_audits(dora) == ["Cadence set"]


def test_put_cadence_none(call, world, dora):
    reply = call(
        "PUT", path(dora, "/cadence"), as_=world.alice, body={"ideal_days": None, "max_days": None}
    )

    assert reply.status == 200
    assert (reply.body["cadence"], reply.body["due"]) == (None, None)
    assert reply.body["person_cadence"] == {"ideal_days": None, "max_days": None, "reason": ""}


@pytest.mark.parametrize(
    ("ideal", "maximum", "detail", "errors"),
    [
        (
            0,
            30,
            "The ideal interval must be at least one day; clear both to have no cadence.",
            {"ideal_days": ["At least 1."]},
        ),
        (
            30,
            9999,
            "9999 days is more than two years; use at most 730 days.",
            {"max_days": ["At most 730."]},
        ),
        (
            60,
            30,
            "The maximum interval cannot be shorter than the ideal one.",
            {"max_days": ["At least 60."]},
        ),
        (
            30,
            None,
            "Give both an ideal and a maximum interval, or neither.",
            {"max_days": ["Required with the other."]},
        ),
    ],
)
def test_put_cadence_bad_values_are_refused(call, world, dora, ideal, maximum, detail, errors):
    reply = call(
        "PUT",
        path(dora, "/cadence"),
        as_=world.alice,
        body={"ideal_days": ideal, "max_days": maximum},
    )

    assert reply.status == 422
    assert reply.body == invalid(detail, path(dora, "/cadence"), errors)
    assert PersonCadence.objects.count() == 0
    assert person_audits(dora) == []


def test_delete_cadence_goes_back_to_the_rules(call, world, dora):
    call("PUT", path(dora, "/cadence"), as_=world.alice, body={"ideal_days": 7, "max_days": 9})

    reply = call("DELETE", path(dora, "/cadence"), as_=world.alice)

    assert reply.status == 200
    assert reply.body["cadence"]["source"] == "rule: Principal investigators"
    assert reply.body["person_cadence"] is None
    assert PersonCadence.objects.count() == 0


# Snooze


def test_put_snooze(call, world, dora):
    until = timezone.localdate() + dt.timedelta(days=5)

    reply = call(
        "PUT",
        path(dora, "/snooze"),
        as_=world.alice,
        body={"until": until.isoformat(), "reason": "Away"},
    )

    assert reply.status == 200
    assert reply.body["snooze"] == {"until": until.isoformat(), "reason": "Away"}
    assert Snooze.objects.get(person=dora).user == world.alice


@pytest.mark.parametrize(
    ("days", "detail", "message"),
    [
        (-3, "Snooze until a day after today.", "Must be after today."),
        (0, "Snooze until a day after today.", "Must be after today."),
        (367, "Snooze for at most a year; set a longer cadence instead.", "At most a year ahead."),
    ],
)
def test_put_snooze_bad_dates_are_refused(call, world, dora, days, detail, message):
    until = timezone.localdate() + dt.timedelta(days=days)

    reply = call("PUT", path(dora, "/snooze"), as_=world.alice, body={"until": until.isoformat()})

    assert reply.status == 422
    assert reply.body == invalid(detail, path(dora, "/snooze"), {"until": [message]})
    assert Snooze.objects.count() == 0


def test_delete_snooze(call, world, dora):
    until = timezone.localdate() + dt.timedelta(days=5)
    snooze(by=world.alice, person=dora, until=until)

    reply = call("DELETE", path(dora, "/snooze"), as_=world.alice)

    assert reply.status == 200
    assert reply.body["snooze"] is None
    assert Snooze.objects.count() == 0
    assert person_audits(dora) == [f"Snoozed until {until:%d %b %Y}", "Snooze ended"]


WRITES = [
    ("PUT", "/stage", {"stage": "client", "reason": "x"}),
    ("DELETE", "/stage", None),
    ("PUT", "/cadence", {"ideal_days": 7, "max_days": 9}),
    ("DELETE", "/cadence", None),
    ("PUT", "/snooze", {"until": "2999-01-01"}),
    ("DELETE", "/snooze", None),
]


@pytest.mark.parametrize(("method", "what", "body"), WRITES)
@pytest.mark.parametrize(("role", "status"), [("bob", 404), ("mia", 403)])
def test_writes_refused_change_nothing(call, world, method, what, body, role, status):
    reply = call(method, path(world.ana, what), as_=getattr(world, role), body=body)

    assert reply.status == status
    assert Relationship.objects.filter(stage_override__isnull=False).count() == 0
    assert PersonCadence.objects.count() == 0
    assert Snooze.objects.count() == 0
    assert AuditEntry.objects.filter(object_type="person").count() == 0


@pytest.mark.parametrize(("method", "what", "body"), WRITES)
def test_writes_need_the_csrf_token_in_a_browser(call, world, method, what, body):
    reply = call(method, path(world.ana, what), as_=world.alice, body=body, csrf=False)

    assert reply.status == 403
    assert AuditEntry.objects.filter(object_type="person").count() == 0
