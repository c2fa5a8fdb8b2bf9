"""Relationship state: exact aggregates and stages, kept current by every write, and equal to a
full recompute whatever sequence of writes came before."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.audit.models import AuditEntry
from rapport.errors import Invalid
from rapport.people.models import Person
from rapport.people.services import create_person, update_person
from rapport.relationships.models import Relationship, Stage
from rapport.relationships.services import override_stage, refresh, refresh_all
from rapport.relationships.state import aggregate, computed_stage, stage_rules
from rapport.touchpoints.models import Origin
from rapport.touchpoints.services import create_touchpoint, delete_touchpoint, update_touchpoint

NOW = timezone.now()


def log(world, people, days_ago, **fields):
    return create_touchpoint(
        by=world.alice,
        people=people,
        occurred_at=NOW - dt.timedelta(days=days_ago),
        question=fields.pop("question", "A question"),
        **fields,
    )


def state(person):
    person.refresh_from_db()
    rel = Relationship.objects.filter(person=person).first()
    return person, rel


def test_a_write_keeps_the_aggregates_exact(world):
    ana = world.ana
    log(world, [ana], 200, read_level=2, minutes=10, kind="question")
    log(world, [ana], 100, read_level=4, minutes=50, kind="consultation", initiated_by="us")
    log(world, [ana], 3, origin=Origin.ALERT, kind="email")

    person, rel = state(ana)
    # the world's two touchpoints were written by factories (no refresh); the services' refresh
    # recomputes from every participation, so they count too.
    assert person.touchpoint_count == 5
    assert rel.minutes == 60
    assert (rel.read_sum, rel.read_count) == (6, 2)
    assert rel.kinds_used == 3  # question (also the world's two), consultation, email
    assert rel.initiated_by_them == 4
    assert rel.last_real_contact_at == world.ana_secret.occurred_at
    assert person.last_contact_at == world.ana_secret.occurred_at  # half a day ago
    assert rel.stage == rel.computed_stage == Stage.SUPPORTER


def test_last_real_contact_skips_alerts_and_campaigns(world):
    carla = world.carla
    log(world, [carla], 40, kind="meeting")
    log(world, [carla], 10, origin=Origin.CAMPAIGN, kind="email")
    log(world, [carla], 2, origin=Origin.ALERT, kind="email")

    person, rel = state(carla)
    assert person.last_contact_at == NOW - dt.timedelta(days=2)
    assert rel.last_real_contact_at == NOW - dt.timedelta(days=40)


def test_backdating_editing_and_deleting_move_the_state(world):
    carla = world.carla
    first = log(world, [carla], 5)
    second = log(world, [carla], 1)
    update_touchpoint(by=world.alice, touchpoint=second, occurred_at=NOW - dt.timedelta(days=90))
    person, rel = state(carla)
    assert person.last_contact_at == NOW - dt.timedelta(days=5)
    assert person.first_contact_at == NOW - dt.timedelta(days=90)
    assert rel.stage == Stage.CLIENT

    delete_touchpoint(by=world.alice, touchpoint=first)
    person, rel = state(carla)
    assert person.touchpoint_count == 1
    assert person.last_contact_at == NOW - dt.timedelta(days=90)
    assert rel.stage == Stage.FIRST_CONTACT

    update_touchpoint(by=world.alice, touchpoint=second, people=[world.ben])
    person, rel = state(carla)
    assert (person.touchpoint_count, person.last_contact_at, rel.stage) == (0, None, Stage.PROSPECT)


def test_referring_someone_makes_a_client_an_advocate(world):
    carla = world.carla
    log(world, [carla], 30)
    log(world, [carla], 20)
    newcomer = create_person(by=world.alice, full_name="Nia Newcomer", referred_by=carla)
    _, rel = state(carla)
    assert (rel.referrals, rel.stage) == (1, Stage.ADVOCATE)

    update_person(by=world.alice, person=newcomer, referred_by=world.ben)
    _, rel = state(carla)
    assert (rel.referrals, rel.stage) == (0, Stage.CLIENT)
    assert Relationship.objects.get(person=world.ben).referrals == 1


def test_a_partnership_tag_makes_a_partner(world):
    log(world, [world.carla], 3, tags=["Partnership", "grant"])
    _, rel = state(world.carla)
    assert (rel.partnership, rel.stage) == (1, Stage.PARTNER)


def test_stage_rules_in_words_with_what_holds(world):
    log(world, [world.carla], 100)
    log(world, [world.carla], 10)
    agg = aggregate([world.carla.pk])[world.carla.pk]
    assert [(s.label, holds) for s, _, holds in stage_rules(agg)] == [
        ("Prospect", False),
        ("First contact", True),
        ("Client", True),
        ("Supporter", False),
        ("Advocate", False),
        ("Partner", False),
    ]
    assert computed_stage(agg) == Stage.CLIENT


def test_override_needs_a_reason_survives_refresh_and_is_audited(world):
    log(world, [world.carla], 3)
    with pytest.raises(Invalid, match="Say why"):
        override_stage(by=world.alice, person=world.carla, stage=Stage.PARTNER, reason=" ")
    assert Relationship.objects.get(person=world.carla).stage == Stage.FIRST_CONTACT

    override_stage(by=world.alice, person=world.carla, stage=Stage.PARTNER, reason="Co-wrote grant")
    refresh_all()
    log(world, [world.carla], 1)
    rel = Relationship.objects.get(person=world.carla)
    assert (rel.stage, rel.computed_stage, rel.stage_reason) == (
        Stage.PARTNER,
        Stage.CLIENT,
        "Co-wrote grant",
    )
    entry = AuditEntry.objects.filter(object_type="person", object_id=str(world.carla.pk)).last()
    assert entry.summary == "Stage set to Partner"
    assert entry.changes["stage"] == [Stage.FIRST_CONTACT, Stage.PARTNER]

    override_stage(by=world.alice, person=world.carla, stage=None)
    rel.refresh_from_db()
    assert (rel.stage, rel.stage_override, rel.stage_reason) == (Stage.CLIENT, None, "")


def test_managers_cannot_override(world):
    from rapport.errors import Forbidden

    with pytest.raises(Forbidden):
        override_stage(by=world.mia, person=world.ana, stage=Stage.CLIENT, reason="x")


def test_refresh_command_recomputes_everyone(world, capsys):
    call_command("refresh", verbosity=0)
    assert "Refreshed 4 people" in capsys.readouterr().out
    ana, rel = state(world.ana)
    assert (ana.touchpoint_count, rel.stage) == (2, Stage.CLIENT)
    _, carla_rel = state(world.carla)
    assert carla_rel.stage == Stage.PROSPECT


# --- incremental equals full recompute -----------------------------------------------------

FIELDS = [
    "last_real_contact_at",
    "minutes",
    "read_sum",
    "read_count",
    "kinds_used",
    "initiated_by_them",
    "partnership",
    "referrals",
    "computed_stage",
    "stage",
    "ideal_days",
    "max_days",
    "cadence_source",
    "due_day",
    "overdue_day",
]

touchpoint_fields = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["question", "consultation", "meeting", "email"]),
        "origin": st.sampled_from(["direct", "walkby", "alert", "campaign", "desk"]),
        "initiated_by": st.sampled_from(["them", "us"]),
        "read_level": st.one_of(st.none(), st.integers(1, 6)),
        "minutes": st.one_of(st.none(), st.integers(0, 300)),
        "tags": st.lists(st.sampled_from(["partnership", "grant", "data"]), max_size=2),
    }
)
who = st.lists(st.integers(0, 3), min_size=0, max_size=3, unique=True)
days = st.integers(0, 800)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), who, days, touchpoint_fields),
        st.tuples(st.just("backdate"), st.integers(0, 20), days),
        st.tuples(st.just("people"), st.integers(0, 20), who),
        st.tuples(st.just("edit"), st.integers(0, 20), touchpoint_fields),
        st.tuples(st.just("delete"), st.integers(0, 20)),
        st.tuples(st.just("refer"), st.integers(0, 3), st.one_of(st.none(), st.integers(0, 3))),
    ),
    max_size=12,
)


def snapshot(people):
    rows = {r.person_id: r for r in Relationship.objects.filter(person__in=people)}
    out = {}
    for p in Person.objects.filter(pk__in=[p.pk for p in people]):
        rel = rows.get(p.pk) or Relationship(person_id=p.pk)
        out[p.pk] = (
            p.first_contact_at,
            p.last_contact_at,
            p.touchpoint_count,
            *(getattr(rel, f) for f in FIELDS),
        )
    return out


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_incremental_updates_agree_with_a_full_recompute(django_user_model, ops):
    from tests.factories import make_user

    user = django_user_model.objects.filter(username="prop").first() or make_user("prop")
    people = [create_person(by=user, full_name=f"Prop Person {n}") for n in range(4)]
    touchpoints = []
    for op in ops:
        kind, *args = op
        if kind == "create":
            idx, ago, fields = args
            touchpoints.append(
                create_touchpoint(
                    by=user,
                    people=[people[i] for i in idx],
                    occurred_at=NOW - dt.timedelta(days=ago),
                    question="q",
                    **fields,
                )
            )
        elif kind == "refer":
            i, j = args
            if j != i:
                update_person(
                    by=user, person=people[i], referred_by=None if j is None else people[j]
                )
        elif touchpoints:
            tp = touchpoints[args[0] % len(touchpoints)]
            if kind == "backdate":
                update_touchpoint(
                    by=user, touchpoint=tp, occurred_at=NOW - dt.timedelta(days=args[1])
                )
            elif kind == "people":
                update_touchpoint(by=user, touchpoint=tp, people=[people[i] for i in args[1]])
            elif kind == "edit":
                update_touchpoint(by=user, touchpoint=tp, **args[1])
            elif kind == "delete":
                delete_touchpoint(by=user, touchpoint=tp)
                touchpoints.remove(tp)
    incremental = snapshot(people)
    refresh_all()
    assert snapshot(people) == incremental
    refresh([p.pk for p in people])
    assert snapshot(people) == incremental


def test_the_stored_cadence_follows_memberships_status_stage_and_rules(world):
    from rapport.people.services import add_membership, update_membership
    from rapport.relationships.models import CadenceRule
    from rapport.relationships.services import create_rule, update_rule

    log(world, [world.carla], 10)
    rel = Relationship.objects.get(person=world.carla)
    assert (rel.ideal_days, rel.cadence_source, rel.due_day) == (None, "", None)
    last = timezone.localtime(NOW - dt.timedelta(days=10)).date().toordinal()

    m = add_membership(by=world.alice, person=world.carla, group=world.chem, role="PI")
    rel.refresh_from_db()
    assert (rel.ideal_days, rel.max_days, rel.cadence_source) == (
        30,
        60,
        "rule: Principal investigators",
    )
    assert (rel.due_day, rel.overdue_day) == (last + 30, last + 60)

    update_membership(by=world.alice, membership=m, role="member")
    update_person(by=world.alice, person=world.carla, status="faculty")
    rel.refresh_from_db()
    assert (rel.ideal_days, rel.cadence_source) == (90, "rule: Faculty")

    rule = create_rule(
        by=world.ada, name="Chemists", position=1, group=world.chem, ideal_days=14, max_days=28
    )
    rel.refresh_from_db()
    assert (rel.ideal_days, rel.cadence_source) == (14, "rule: Chemists")
    update_rule(by=world.ada, rule=rule, active=False)
    rel.refresh_from_db()
    assert rel.cadence_source == "rule: Faculty"
    assert CadenceRule.objects.filter(active=False).count() == 1
