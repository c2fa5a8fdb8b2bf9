"""The cadence rules pages: librarians read them, administrators add, edit, reorder and turn
them off, through services that check and audit."""

import pytest
from django.urls import reverse

from rapport.audit.models import AuditEntry
from rapport.errors import Forbidden, Invalid
from rapport.people.models import Membership
from rapport.relationships.models import CadenceRule, Stage
from rapport.relationships.services import create_rule, update_rule

DEFAULT_ORDER = [
    "Principal investigators",
    "New faculty",
    "Advocates and partners",
    "Supporters",
    "Faculty",
]


def names_in_order(html: str, names: list[str]) -> list[str]:
    return sorted((n for n in names if f'<th scope="row">{n}</th>' in html), key=html.index)


def rule_audits() -> list[tuple[str, str, dict]]:
    return list(
        AuditEntry.objects.filter(object_type="cadencerule")
        .order_by("pk")
        .values_list("action", "summary", "changes")
    )


def form_data(**changes) -> dict:
    data = {
        "name": "Graduate students",
        "position": "60",
        "group": "",
        "role": "",
        "status": "student",
        "min_stage": "",
        "ideal_days": "120",
        "max_days": "240",
        "active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# The list


@pytest.mark.parametrize(("role", "status"), [("ada", 200), ("alice", 200), ("mia", 403)])
def test_rule_list_status_for_each_role(client, world, role, status):
    client.force_login(getattr(world, role))

    assert client.get(reverse("relationships:rules")).status_code == status


def test_rule_list_in_position_order_with_what_each_matches(client, world):
    CadenceRule.objects.create(
        name="Chemistry PIs",
        position=5,
        group=world.chem,
        role="PI",
        status="faculty",
        min_stage=Stage.CLIENT,
        ideal_days=14,
        max_days=28,
        active=False,
    )
    client.force_login(world.alice)

    html = client.get(reverse("relationships:rules")).text

    assert names_in_order(html, ["Chemistry PIs", *DEFAULT_ORDER]) == [
        "Chemistry PIs",
        *DEFAULT_ORDER,
    ]
    for text in [
        "<td>People current members of Chemistry Lab, with a current role “PI”, whose status "
        "is faculty, at stage client or higher</td>",
        "<td>14–28 days</td>\n        <td>Off</td>",
        "<td>People with a current role “PI”</td>",
        "<td>People at stage advocate or higher</td>",
        "<td>People whose status is faculty</td>\n        <td>90–180 days</td>",
    ]:
        assert text in html
    assert "Only administrators change the rules." in html
    assert "/edit/" not in html
    assert 'id="rule-add"' not in html


def test_rule_list_admin_gets_the_controls(client, world):
    rule = CadenceRule.objects.get(name="Faculty")
    client.force_login(world.ada)

    html = client.get(reverse("relationships:rules")).text

    assert f'<a href="/relationships/rules/{rule.pk}/edit/">Edit</a>' in html
    assert f'action="/relationships/rules/{rule.pk}/active/"' in html
    assert '<a class="button" href="/relationships/rules/new/" id="rule-add">Add a rule</a>' in html


def test_person_page_links_to_the_rules(client, world):
    client.force_login(world.alice)

    html = client.get(reverse("people:person_detail", args=[world.ana.pk])).text

    assert '<a href="/relationships/rules/">Cadence rules</a>' in html


# Adding


def test_rule_create_saves_audits_and_applies(client, world):
    client.force_login(world.ada)

    response = client.post(reverse("relationships:rule_create"), form_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("relationships:rules")
    rule = CadenceRule.objects.get(name="Graduate students")
    assert (rule.position, rule.status, rule.ideal_days, rule.max_days, rule.active) == (
        60,
        "student",
        120,
        240,
        True,
    )
    assert rule_audits() == [
        (
            "create",
            "Cadence rule Graduate students added",
            {
                "name": "Graduate students",
                "position": 60,
                "group": None,
                "role": "",
                "status": "student",
                "min_stage": None,
                "ideal_days": 120,
                "max_days": 240,
                "active": True,
            },
        )
    ]
    ben = client.get(reverse("people:person_detail", args=[world.ben.pk])).text
    assert "Every 120–240 days, from rule: Graduate students." in ben


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ideal_days": "0"}, "ideal_days", "At least 1."),
        ({"max_days": "5000"}, "max_days", "At most 730."),
        ({"ideal_days": "90", "max_days": "30"}, "max_days", "At least 90."),
        ({"ideal_days": "", "max_days": ""}, "ideal_days", "Required."),
        ({"ideal_days": "30", "max_days": ""}, "max_days", "Required with the other."),
        ({"name": "   "}, "name", "This field is required."),
        ({"position": "-1"}, "position", "From 0 to 32767."),
        ({"position": "x"}, "position", "Enter a whole number."),
        ({"status": "wizard"}, "status", "Select a valid choice."),
        ({"min_stage": "8"}, "min_stage", "Select a valid choice."),
    ],
)
def test_rule_create_bad_input_is_refused(client, world, changes, field, message):
    client.force_login(world.ada)
    before = CadenceRule.objects.count()

    response = client.post(reverse("relationships:rule_create"), form_data(**changes))

    assert response.status_code == 422
    assert response.context["form"].errors[field][0].startswith(message)
    assert CadenceRule.objects.count() == before
    assert rule_audits() == []


@pytest.mark.parametrize(("role", "status"), [("alice", 403), ("mia", 403)])
def test_rule_create_refused_for_non_admins(client, world, role, status):
    client.force_login(getattr(world, role))
    before = CadenceRule.objects.count()

    page = client.get(reverse("relationships:rule_create"))
    response = client.post(reverse("relationships:rule_create"), form_data())

    assert (page.status_code, response.status_code) == (status, status)
    assert CadenceRule.objects.count() == before
    assert rule_audits() == []


def test_rule_services_refuse_librarians(world):
    rule = CadenceRule.objects.get(name="Faculty")

    with pytest.raises(Forbidden, match="Only administrators can change the cadence rules"):
        create_rule(by=world.alice, name="Mine", ideal_days=1, max_days=2)
    with pytest.raises(Forbidden):
        update_rule(by=world.alice, rule=rule, active=False)

    assert CadenceRule.objects.get(pk=rule.pk).active is True


def test_rule_service_refuses_unknown_fields(world):
    rule = CadenceRule.objects.get(name="Faculty")

    with pytest.raises(Invalid, match=r"Cadence rules have no field colour\."):
        update_rule(by=world.ada, rule=rule, colour="red")


# Editing, reordering, turning off


def test_rule_edit_prefills_and_reorders(client, world):
    rule = CadenceRule.objects.get(name="Faculty")
    client.force_login(world.ada)
    address = reverse("relationships:rule_edit", args=[rule.pk])

    form = client.get(address).text
    response = client.post(
        address,
        form_data(name="Faculty", position="1", status="faculty", ideal_days="90", max_days="150"),
    )

    assert 'value="Faculty"' in form and 'value="50"' in form
    assert response.status_code == 302
    html = client.get(reverse("relationships:rules")).text
    assert names_in_order(html, DEFAULT_ORDER) == ["Faculty", *DEFAULT_ORDER[:4]]
    assert rule_audits() == [
        (
            "update",
            "Cadence rule Faculty changed",
            {"position": [50, 1], "max_days": [180, 150]},
        )
    ]
    # Ana is a faculty member in no PI role: the moved rule still gives her cadence.
    ana = client.get(reverse("people:person_detail", args=[world.ana.pk])).text
    assert "Every 90–150 days, from rule: Faculty." in ana


def test_rule_edit_first_match_by_position_wins(client, world):
    Membership.objects.filter(person=world.ana).update(role="PI")
    rule = CadenceRule.objects.get(name="Faculty")
    update_rule(by=world.ada, rule=rule, position=1)
    client.force_login(world.alice)

    html = client.get(reverse("people:person_detail", args=[world.ana.pk])).text

    assert "Every 90–180 days, from rule: Faculty." in html


def test_rule_edit_bad_input_changes_nothing(client, world):
    rule = CadenceRule.objects.get(name="Faculty")
    client.force_login(world.ada)

    response = client.post(
        reverse("relationships:rule_edit", args=[rule.pk]),
        form_data(name="Faculty", ideal_days="200", max_days="100"),
    )

    assert response.status_code == 422
    assert "The maximum interval cannot be shorter than the ideal one." in response.text
    rule.refresh_from_db()
    assert (rule.ideal_days, rule.max_days, rule.position) == (90, 180, 50)
    assert rule_audits() == []


def test_rule_edit_missing_rule_is_404(client, world):
    client.force_login(world.ada)

    response = client.get(reverse("relationships:rule_edit", args=[99999]))

    assert response.status_code == 404
    assert "There is no cadence rule 99999." in response.text


def test_rule_turn_off_and_on(client, world):
    rule = CadenceRule.objects.get(name="Faculty")
    client.force_login(world.ada)
    toggle = reverse("relationships:rule_active", args=[rule.pk])

    off = client.post(toggle)
    ana_off = client.get(reverse("people:person_detail", args=[world.ana.pk])).text
    on = client.post(toggle)

    assert (off.status_code, on.status_code) == (302, 302)
    assert "No cadence: no rule matches them." in ana_off
    assert CadenceRule.objects.get(pk=rule.pk).active is True
    assert [(a, s, c) for a, s, c in rule_audits()] == [
        ("update", "Cadence rule Faculty changed", {"active": [True, False]}),
        ("update", "Cadence rule Faculty changed", {"active": [False, True]}),
    ]
    assert "The cadence rule Faculty is back on." in client.get(on["Location"]).text


@pytest.mark.parametrize("role", ["alice", "mia"])
def test_rule_turn_off_refused_for_non_admins(client, world, role):
    rule = CadenceRule.objects.get(name="Faculty")
    client.force_login(getattr(world, role))

    response = client.post(reverse("relationships:rule_active", args=[rule.pk]))

    assert response.status_code == 403
    assert CadenceRule.objects.get(pk=rule.pk).active is True
