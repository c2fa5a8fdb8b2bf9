"""The relationship panel on the person page and its forms: stage, cadence, snooze."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.people.models import Membership, Person
from rapport.relationships.models import PersonCadence, Relationship, Snooze, Stage
from rapport.relationships.services import refresh, set_cadence, snooze
from rapport.touchpoints.models import Initiator, Kind
from tests.factories import local_days_ago, make_person, make_touchpoint

# Dora, a PI in Chemistry Lab, with four touchpoints and one person she referred:
#   100 days ago  consultation  READ 3  30 min  she asked
#    70 days ago  question      READ 1   5 min  we asked
#    40 days ago  question      READ 2  10 min  she asked
#    10 days ago  instruction   READ 4  60 min  she asked
# Health now: recency 100 (10 days), frequency 33 (4 of 12), depth 50 (mean READ 2.5),
# breadth 75 (3 kinds of 4), initiative 75 (3 of 4):
#   (100·30 + 33·25 + 50·15 + 75·10 + 75·20) / 100 = 68.25 → 68.
# Thirty days ago: recency 100 (10 days before then), frequency 25 (3 contacts) → 66.
# Ladder: 4 touchpoints over 90 days, 3 started by her, 1 referral → advocate.
DORA_TOUCHPOINTS = [
    (100, Kind.CONSULTATION, 3, 30, Initiator.THEM),
    (70, Kind.QUESTION, 1, 5, Initiator.US),
    (40, Kind.QUESTION, 2, 10, Initiator.THEM),
    (10, Kind.INSTRUCTION, 4, 60, Initiator.THEM),
]
DORA_PARTS = [
    ("Recency", 100, 30, "last contact 10 days ago"),
    ("Frequency", 33, 25, "4 contacts in the last year"),
    ("Depth", 50, 15, "mean READ 2.5"),
    ("Breadth", 75, 10, "3 kinds of service"),
    ("Initiative", 75, 20, "started 3 of 4 contacts"),
]


def make_dora(world) -> Person:
    dora = make_person("Dora Lee", groups=[world.chem], status="faculty")
    Membership.objects.filter(person=dora).update(role="PI")
    for days, kind, read, minutes, initiated_by in DORA_TOUCHPOINTS:
        make_touchpoint(
            world.alice,
            [dora],
            days_ago=days,
            kind=kind,
            read_level=read,
            minutes=minutes,
            initiated_by=initiated_by,
            group=world.chem,
        )
    make_person("Eli Park", groups=[world.chem], referred_by=dora)
    refresh([dora.pk])
    return Person.objects.get(pk=dora.pk)


@pytest.fixture
def dora(world) -> Person:
    return make_dora(world)


def page(client, person) -> str:
    response = client.get(reverse("people:person_detail", args=[person.pk]))
    assert response.status_code == 200
    return response.text


def url(name: str, person: Person) -> str:
    return reverse(f"relationships:{name}", args=[person.pk])


def audit_summaries(person: Person) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="person", object_id=str(person.pk))
        .order_by("pk")
        .values_list("summary", flat=True)
    )


def in_days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


# The panel


def test_panel_shows_stage_health_and_its_parts(client, world, dora):
    client.force_login(world.alice)

    html = page(client, dora)

    assert '<span class="badge stage stage-4" id="rel-stage">Advocate</span>' in html
    assert '<strong id="rel-health">68</strong>' in html
    assert '<span class="meta" id="rel-health-then">· was 66 thirty days ago</span>' in html
    assert (
        "Health is 30% recency + 25% frequency + 15% depth + 10% breadth + 20% initiative, "
        "each part scored from 0 to 100" in html
    )
    for label, score, weight, why in DORA_PARTS:
        row = (
            f'<tr><th scope="row">{label}</th><td class="num">{score}</td>'
            f'<td class="num">{weight}%</td><td>{why}<span class="meta rel-how">'
        )
        assert row in html


def test_panel_shows_which_ladder_rules_hold(client, world, dora):
    client.force_login(world.alice)

    html = page(client, dora)

    ladder = html[html.index('id="rel-ladder"') : html.index("</ol>", html.index("rel-ladder"))]
    states = [
        (line.split("<strong>")[1].split("</strong>")[0], "does not hold" not in line)
        for line in ladder.split("<li")[1:]
    ]
    assert states == [
        ("Prospect", False),
        ("First contact", True),
        ("Client", True),
        ("Supporter", True),
        ("Advocate", True),
        ("Partner", False),
    ]
    assert '<li class="current holds" aria-current="step">\n            <strong>Advocate' in ladder
    assert ladder.count('aria-current="step"') == 1


def test_panel_shows_figures_and_cadence_from_the_rule(client, world, dora):
    client.force_login(world.alice)
    last_real = timezone.localdate(Relationship.objects.get(person=dora).last_real_contact_at)
    next_due = last_real + dt.timedelta(days=30)

    html = page(client, dora)

    for text in [
        "<dt>Last contact</dt><dd>10 days ago</dd>",
        "<dt>Contacts</dt><dd>1 in 30 days · 3 in 90 · 4 in a year</dd>",
        "<dt>Tenure</dt><dd>90 days from first to last contact</dd>",
        "<dt>Started by them</dt><dd>75% of contacts</dd>",
        "<dt>Time given</dt><dd>105 minutes</dd>",
        "<dt>Referrals</dt><dd>1 person referred</dd>",
        "Every 30–60 days, from rule: Principal investigators.",
        f"Next due {next_due:%-d %b %Y}.",
        "Not snoozed.",
        '<a href="/relationships/rules/">Cadence rules</a>',
    ]:
        assert text in html


def test_panel_forms_start_from_the_current_state(client, world, dora):
    client.force_login(world.alice)

    html = page(client, dora)

    assert '<option value="4" selected>Advocate</option>' in html
    assert html.count(" selected>") == 1
    assert 'id="cadence_ideal_days" inputmode="numeric" step="1" value="30">' in html
    assert 'id="cadence_max_days" inputmode="numeric" step="1" value="60">' in html
    assert '<input type="date" name="until" id="snooze_until" value="">' in html
    assert 'value="rules"' not in html  # nothing set by hand to go back from
    assert 'value="end"' not in html


def test_panel_prospect_never_contacted(client, world):
    client.force_login(world.alice)

    html = page(client, world.ben)  # no Relationship row yet: never refreshed

    assert '<span class="badge stage stage-0" id="rel-stage">Prospect</span>' in html
    assert '<strong id="rel-health">0</strong>' in html
    assert html.count("<td>no contact yet<span") == 5
    assert "<dt>Last contact</dt><dd>never</dd>" in html
    assert "<dt>Started by them</dt><dd>—</dd>" in html
    assert "No cadence: no rule matches them." in html  # a student in no PI role


def test_panel_overdue_counts_days_past_the_ideal(client, world):
    late = make_person("Lia Late", groups=[world.chem], status="faculty")
    make_touchpoint(world.alice, [late], occurred_at=local_days_ago(200))
    refresh([late.pk])
    client.force_login(world.alice)
    last_real = timezone.localdate(Relationship.objects.get(person=late).last_real_contact_at)
    days_over = (timezone.localdate() - (last_real + dt.timedelta(days=90))).days

    html = page(client, late)

    assert "Every 90–180 days, from rule: Faculty." in html
    assert (
        "Overdue: 110 days later than the ideal interval of 90 days, and past the maximum of 180."
        in html
    )
    assert days_over == 110
    make_touchpoint(world.alice, [late], occurred_at=local_days_ago(91))
    refresh([late.pk])
    html = page(client, late)
    due = (timezone.localdate() - dt.timedelta(days=1)).strftime("%-d %b %Y")
    assert f"Due since {due}: 1 day later than the ideal interval of 90 days." in html


def test_panel_shows_override_cadence_and_snooze(client, world, dora):
    client.force_login(world.alice)
    client.post(url("stage", dora), {"action": "set", "stage": "5", "reason": "Co-writing a grant"})
    set_cadence(by=world.alice, person=dora, ideal_days=14, max_days=21, reason="Grant season")
    snooze(by=world.alice, person=dora, until=timezone.localdate() + dt.timedelta(days=7))

    html = page(client, dora)

    assert '<span class="badge stage stage-5" id="rel-stage">Partner</span>' in html
    assert "Stage set by hand (the rules say Advocate): “Co-writing a grant”" in html
    assert "Every 14–21 days, set for this person: “Grant season”." in html
    until = timezone.localdate() + dt.timedelta(days=7)
    assert f"Snoozed on your Today page until {until:%-d %b %Y}." in html
    assert 'name="action" value="rules" class="secondary">Back to the rules</button>' in html
    assert 'name="action" value="end" class="secondary">End snooze</button>' in html


def test_panel_snooze_is_the_viewers_own(client, world, dora):
    dora.contacts.add(world.bob)
    snooze(by=world.alice, person=dora, until=timezone.localdate() + dt.timedelta(days=7))
    client.force_login(world.bob)

    html = page(client, dora)

    assert "Not snoozed." in html


def test_panel_includes_the_open_requests(client, world, dora):
    client.force_login(world.alice)

    html = page(client, dora)

    assert (
        '<section aria-labelledby="person-requests-title" class="card" id="person-requests">'
        in html
    )
    assert html.index('id="relationship"') < html.index('id="person-requests"')


def test_person_page_query_count(client, world, dora):
    """15 queries: session, user, person, the audit entry for the view (one insert),
    counts by kind and channel (one), timeline and its people, visible people, memberships;
    the panel's five (relationship row with the person's cadence, the viewer's snooze, recent
    counts, current memberships, rules); and the open requests (one: a visible person's
    requests are all visible)."""
    client.force_login(world.alice)
    address = reverse("people:person_detail", args=[dora.pk])

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)

    assert response.status_code == 200
    assert len(ctx.captured_queries) == 17  # the audit entry, who awaits a share, groups to add to


def test_person_page_query_count_does_not_grow_with_state(client, world, dora):
    set_cadence(by=world.alice, person=dora, ideal_days=14, max_days=21)
    snooze(by=world.alice, person=dora, until=timezone.localdate() + dt.timedelta(days=7))
    for n in range(30):
        make_touchpoint(world.alice, [dora], days_ago=n + 1, group=world.chem)
    refresh([dora.pk])
    client.force_login(world.alice)

    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("people:person_detail", args=[dora.pk]))

    assert len(ctx.captured_queries) == 17  # 14, audit entry, who awaits a share, groups to add to


# Access


ROUTES = ["stage", "cadence", "snooze"]
POSTS = {
    "stage": {"action": "set", "stage": "3", "reason": "Met at the faculty retreat"},
    "cadence": {"action": "set", "ideal_days": "20", "max_days": "40", "reason": "New grant"},
    "snooze": {"action": "snooze", "until": "", "reason": "On leave"},
}


def posted(name: str) -> dict:
    data = dict(POSTS[name])
    if name == "snooze":
        data["until"] = in_days(10)
    return data


@pytest.mark.parametrize("name", ROUTES)
@pytest.mark.parametrize(
    ("role", "status"), [("alice", 302), ("ada", 302), ("bob", 404), ("mia", 403)]
)
def test_route_status_for_each_role(client, world, name, role, status):
    client.force_login(getattr(world, role))

    response = client.post(url(name, world.ana), posted(name))

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"/people/{world.ana.pk}/#relationship"


@pytest.mark.parametrize("name", ROUTES)
@pytest.mark.parametrize("role", ["bob", "mia"])
def test_route_refused_changes_nothing(client, world, name, role):
    client.force_login(getattr(world, role))

    client.post(url(name, world.ana), posted(name))

    assert Relationship.objects.filter(person=world.ana, stage_override__isnull=False).count() == 0
    assert PersonCadence.objects.count() == 0
    assert Snooze.objects.count() == 0
    assert AuditEntry.objects.filter(object_type="person").count() == 0


@pytest.mark.parametrize("name", ROUTES)
def test_route_needs_post(client, world, name):
    client.force_login(world.alice)

    assert client.get(url(name, world.ana)).status_code == 405


@pytest.mark.parametrize("name", ROUTES)
def test_route_anonymous_is_sent_to_login(client, world, name):
    response = client.post(url(name, world.ana), posted(name))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


# Stage


def test_stage_override_with_reason_saves_and_audits(client, world, dora):
    client.force_login(world.alice)

    response = client.post(
        url("stage", dora), {"action": "set", "stage": "5", "reason": " Co-writing a grant "}
    )

    rel = Relationship.objects.get(person=dora)
    assert (rel.stage, rel.computed_stage, rel.stage_override, rel.stage_reason) == (
        Stage.PARTNER,
        Stage.ADVOCATE,
        Stage.PARTNER,
        "Co-writing a grant",
    )
    entry = AuditEntry.objects.get(object_type="person", object_id=str(dora.pk))
    assert (entry.actor, entry.summary) == (world.alice, "Stage set to Partner")
    assert entry.changes == {
        "stage": [4, 5],
        "stage_override": [None, 5],
        "reason": ["", "Co-writing a grant"],
    }
    assert "Dora Lee&#x27;s stage set to Partner." in client.get(response["Location"]).text


def test_stage_override_without_reason_is_refused(client, world, dora):
    client.force_login(world.alice)

    response = client.post(url("stage", dora), {"action": "set", "stage": "5", "reason": "  "})

    assert response.status_code == 422
    assert response.context["stage_form"].errors == {
        "reason": ["Required when setting a stage."],
        "__all__": ["Say why you are setting the stage by hand; the reason is kept with it."],
    }
    assert "Say why you are setting the stage by hand; the reason is kept with it." in (
        response.text
    )
    assert '<details open id="rel-stage-form">' in response.text
    rel = Relationship.objects.get(person=dora)
    assert (rel.stage, rel.stage_override, rel.stage_reason) == (Stage.ADVOCATE, None, "")
    assert audit_summaries(dora) == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"action": "set", "stage": "9", "reason": "x"}, "stage", "Select a valid choice."),
        ({"action": "set", "stage": "", "reason": "x"}, "stage", "Choose a stage."),
        ({"action": "bogus", "stage": "2", "reason": "x"}, "action", "Select a valid choice."),
    ],
)
def test_stage_bad_input_is_refused(client, world, dora, data, field, message):
    client.force_login(world.alice)

    response = client.post(url("stage", dora), data)

    assert response.status_code == 422
    assert response.context["stage_form"].errors[field][0].startswith(message)
    assert Relationship.objects.get(person=dora).stage_override is None


def test_stage_back_to_the_rules(client, world, dora):
    client.force_login(world.alice)
    client.post(url("stage", dora), {"action": "set", "stage": "1", "reason": "Lapsed"})

    response = client.post(url("stage", dora), {"action": "rules", "stage": "", "reason": ""})

    assert response.status_code == 302
    rel = Relationship.objects.get(person=dora)
    assert (rel.stage, rel.stage_override, rel.stage_reason) == (Stage.ADVOCATE, None, "")
    assert audit_summaries(dora) == ["Stage set to First contact", "Stage by the rules"]


# Cadence


def test_cadence_set_saves_and_audits(client, world, dora):
    client.force_login(world.alice)

    response = client.post(posted_url := url("cadence", dora), POSTS["cadence"])

    assert response.status_code == 302, posted_url
    cadence = PersonCadence.objects.get(person=dora)
    assert (cadence.ideal_days, cadence.max_days, cadence.reason, cadence.set_by) == (
        20,
        40,
        "New grant",
        world.alice,
    )
    entry = AuditEntry.objects.get(object_type="person", object_id=str(dora.pk))
    assert entry.summary == "Cadence set"
    assert entry.changes == {
        "ideal_days": [None, 20],
        "max_days": [None, 40],
        "reason": ["", "New grant"],
    }
    html = client.get(response["Location"]).text
    assert "Cadence set: every 20–40 days for Dora Lee." in html
    assert "Every 20–40 days, set for this person: “New grant”." in html


@pytest.mark.parametrize(
    ("ideal", "maximum", "field", "message", "summary"),
    [
        ("0", "30", "ideal_days", "At least 1.", "The ideal interval must be at least one day"),
        ("30", "0", "max_days", "At least 1.", "The max interval must be at least one day"),
        ("30", "100000", "max_days", "At most 730.", "100000 days is more than two years"),
        ("-5", "30", "ideal_days", "At least 1.", "The ideal interval must be at least one day"),
        ("60", "30", "max_days", "At least 60.", "The maximum interval cannot be shorter"),
        ("30", "", "max_days", "Required with the other.", "Give both an ideal and a maximum"),
        ("abc", "30", "ideal_days", "Enter a whole number.", None),
        ("", "", None, None, "Give an ideal and a maximum interval; to keep no cadence"),
    ],
)
def test_cadence_bad_values_are_refused(
    client, world, dora, ideal, maximum, field, message, summary
):
    client.force_login(world.alice)

    response = client.post(
        url("cadence", dora),
        {"action": "set", "ideal_days": ideal, "max_days": maximum, "reason": ""},
    )

    assert response.status_code == 422
    form = response.context["cadence_form"]
    if field:
        assert form.errors[field] == [message]
    if summary:
        assert summary in response.text
    assert '<details open id="rel-cadence-form">' in response.text
    assert f'id="cadence_ideal_days" inputmode="numeric" step="1" value="{ideal}">' in (
        response.text
    )
    assert PersonCadence.objects.count() == 0
    assert audit_summaries(dora) == []


def test_cadence_none_keeps_no_cadence(client, world, dora):
    client.force_login(world.alice)

    response = client.post(
        url("cadence", dora),
        {"action": "none", "ideal_days": "30", "max_days": "60", "reason": "Retiring in June"},
    )

    cadence = PersonCadence.objects.get(person=dora)
    assert (cadence.ideal_days, cadence.max_days) == (None, None)
    html = client.get(response["Location"]).text
    assert "No cadence kept for now for Dora Lee." in html
    assert "No cadence, set for this person: “Retiring in June”." in html
    assert 'id="rel-due"' not in html


def test_cadence_back_to_the_rules(client, world, dora):
    set_cadence(by=world.alice, person=dora, ideal_days=7, max_days=14)
    client.force_login(world.alice)

    response = client.post(url("cadence", dora), {"action": "rules"})

    assert response.status_code == 302
    assert PersonCadence.objects.count() == 0
    assert audit_summaries(dora) == ["Cadence set", "Cadence back to the rules"]
    assert "Every 30–60 days, from rule: Principal investigators." in page(client, dora)


# Snooze


def test_snooze_saves_and_audits(client, world, dora):
    client.force_login(world.alice)
    until = timezone.localdate() + dt.timedelta(days=10)

    response = client.post(
        url("snooze", dora), {"action": "snooze", "until": until.isoformat(), "reason": "On leave"}
    )

    assert response.status_code == 302
    item = Snooze.objects.get(person=dora)
    assert (item.user, item.until, item.reason) == (world.alice, until, "On leave")
    entry = AuditEntry.objects.get(object_type="person", object_id=str(dora.pk))
    assert entry.summary == f"Snoozed until {until:%d %b %Y}"
    assert entry.changes == {
        "snoozed_until": [None, until.isoformat()],
        "reason": [None, "On leave"],
    }
    assert f"Dora Lee snoozed until {until:%-d %b %Y}." in client.get(response["Location"]).text


@pytest.mark.parametrize(
    ("until", "message", "summary"),
    [
        (-1, "Must be after today.", "Snooze until a day after today."),
        (0, "Must be after today.", "Snooze until a day after today."),
        (400, "At most a year ahead.", "Snooze for at most a year; set a longer cadence instead."),
        (None, "Choose the day they come back to your Today page.", None),
    ],
)
def test_snooze_bad_dates_are_refused(client, world, dora, until, message, summary):
    client.force_login(world.alice)

    response = client.post(
        url("snooze", dora),
        {"action": "snooze", "until": "" if until is None else in_days(until), "reason": ""},
    )

    assert response.status_code == 422
    errors = response.context["snooze_form"].errors
    assert errors == {"until": [message], **({"__all__": [summary]} if summary else {})}
    assert '<details open id="rel-snooze-form">' in response.text
    assert Snooze.objects.count() == 0
    assert audit_summaries(dora) == []


def test_snooze_end(client, world, dora):
    snooze(by=world.alice, person=dora, until=timezone.localdate() + dt.timedelta(days=10))
    client.force_login(world.alice)

    response = client.post(url("snooze", dora), {"action": "end", "until": ""})

    assert response.status_code == 302
    assert Snooze.objects.count() == 0
    assert audit_summaries(dora)[-1] == "Snooze ended"
    assert "Dora Lee is back on your Today page." in client.get(response["Location"]).text
