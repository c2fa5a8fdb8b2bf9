"""The full touchpoint form (also pre-filled from a capture line), one touchpoint's page, edits
and deletion."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.touchpoints.services import update_touchpoint


def form_data(**overrides):
    data = {
        "people": "@Ana Ruiz @Ben Okafor",
        "occurred_at": "2026-03-02T10:30",
        "kind": "consultation",
        "channel": "video",
        "origin": "scheduled",
        "initiated_by": "them",
        "read_level": "5",
        "minutes": "45",
        "topic": "Scoping review strategy",
        "question": "How to search grey literature?",
        "answer": "Walked through OpenGrey and trial registers.",
        "outcome": "Search strategy drafted",
        "tags": "#grey-lit, reviews",
        "group": "",
    }
    data.update(overrides)
    return data


def test_create_prefills_from_a_capture_line(client, world):
    client.force_login(world.alice)
    line = "@Ana Ruiz asked for PRISMA strings #systematic-review ~20m read:4 via:walkby"

    response = client.get(reverse("touchpoints:create"), {"line": line})

    form = response.context["form"]
    assert response.status_code == 200
    assert form.initial["people"] == "@Ana Ruiz"
    assert form.initial["question"] == "asked for PRISMA strings"
    assert (form.initial["minutes"], form.initial["read_level"]) == (20, 4)
    assert (form.initial["kind"], form.initial["origin"]) == ("hallway", "walkby")
    assert form.initial["tags"] == "#systematic-review"
    assert 'value="@Ana Ruiz"' in response.text


def test_create_saves_exactly_the_touchpoint_described(client, world):
    client.force_login(world.alice)

    response = client.post(reverse("touchpoints:create"), form_data(group=str(world.chem.pk)))

    tp = Touchpoint.objects.get(topic="Scoping review strategy")
    assert response.status_code == 302
    assert response["Location"] == f"/touchpoints/{tp.pk}/"
    assert sorted(p.full_name for p in tp.people.all()) == ["Ana Ruiz", "Ben Okafor"]
    assert timezone.localtime(tp.occurred_at).replace(tzinfo=None) == dt.datetime(
        2026, 3, 2, 10, 30
    )
    assert (tp.kind, tp.channel, tp.origin, tp.initiated_by) == (
        "consultation",
        "video",
        "scheduled",
        "them",
    )
    assert (tp.read_level, tp.minutes, tp.group, tp.author) == (5, 45, world.chem, world.alice)
    assert tp.tags == ["grey-lit", "reviews"]
    assert tp.answer == "Walked through OpenGrey and trial registers."
    assert tp.confidential is False
    assert (
        AuditEntry.objects.filter(
            action="create", object_type="touchpoint", object_id=str(tp.pk)
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"occurred_at": "2999-01-01T10:00"}, "occurred_at", "is in the future"),
        ({"occurred_at": "yesterday-ish"}, "occurred_at", "Enter a valid date/time."),
        ({"people": "@Zed Nobody"}, "people", "No one called “Zed Nobody” yet"),
        ({"people": "Ana Ruiz"}, "people", "write each one as @Name"),
        ({"read_level": "9"}, "read_level", "Select a valid choice."),
        ({"minutes": "-5"}, "minutes", "greater than or equal to 0"),
        ({"minutes": "5000"}, "minutes", "more than a day"),
        ({"kind": "gossip"}, "kind", "Select a valid choice."),
    ],
)
def test_create_invalid_shows_the_error_and_saves_nothing(client, world, overrides, field, message):
    client.force_login(world.alice)
    count = Touchpoint.objects.count()

    response = client.post(reverse("touchpoints:create"), form_data(**overrides))

    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert Touchpoint.objects.count() == count


def test_create_cannot_use_a_group_not_served(client, world):
    client.force_login(world.alice)
    count = Touchpoint.objects.count()

    response = client.post(reverse("touchpoints:create"), form_data(group=str(world.history.pk)))

    assert response.status_code == 422
    assert "Select a valid choice." in response.context["form"].errors["group"][0]
    assert Touchpoint.objects.count() == count


def test_detail_shows_every_field(client, world):
    client.force_login(world.alice)
    client.post(reverse("touchpoints:create"), form_data())
    tp = Touchpoint.objects.get(topic="Scoping review strategy")

    html = client.get(reverse("touchpoints:detail", args=[tp.pk])).text

    for text in [
        "Scoping review strategy",
        f'<a href="/people/{world.ana.pk}/">Ana Ruiz</a>, '
        f'<a href="/people/{world.ben.pk}/">Ben Okafor</a>',
        "<dd>Video</dd>",
        "<dd>Scheduled</dd>",
        "<dd>They reached out</dd>",
        "READ 5 · 45 min",
        "How to search grey literature?",
        "Walked through OpenGrey and trial registers.",
        "Search strategy drafted",
        "#grey-lit #reviews",
        f'href="/touchpoints/{tp.pk}/edit/"',
    ]:
        assert text in html


def test_edit_changes_fields_and_keeps_people(client, world):
    client.force_login(world.alice)
    tp = world.ana_question
    url = reverse("touchpoints:edit", args=[tp.pk])

    initial = client.get(url).context["form"].initial
    response = client.post(
        url, form_data(people=initial["people"], topic="PRISMA, revised", version="1")
    )

    assert initial["people"] == "@Ana Ruiz"
    assert response.status_code == 302
    tp.refresh_from_db()
    assert tp.topic == "PRISMA, revised"
    assert list(tp.people.all()) == [world.ana]


def test_edit_changes_the_people(client, world):
    client.force_login(world.alice)
    tp = world.ana_question

    client.post(
        reverse("touchpoints:edit", args=[tp.pk]), form_data(people="@Ben Okafor", version="1")
    )

    assert list(
        Participation.objects.filter(touchpoint=tp).values_list("person__full_name", flat=True)
    ) == ["Ben Okafor"]


def test_edit_opened_before_another_save_is_refused_with_what_changed(client, world):
    client.force_login(world.alice)
    tp = world.ana_question
    url = reverse("touchpoints:edit", args=[tp.pk])
    client.get(url)
    update_touchpoint(by=world.ada, touchpoint=tp, minutes=30, people=[world.ana, world.ben])
    entry = AuditEntry.objects.get(action="update", object_type="touchpoint")
    when = f"{timezone.localtime(entry.at):%-d %b %H:%M}"

    response = client.post(url, form_data(people="@Ana Ruiz", topic="Revised", version="1"))

    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        "This touchpoint was changed by someone else since you opened the form: here is what "
        "changed; check and save again.",
        f"ada, {when}: People changed; Minutes: empty → 30.",
    ]
    assert '<input type="hidden" name="version" value="2" id="id_version">' in response.text
    tp = Touchpoint.objects.get(pk=tp.pk)
    assert (tp.topic, tp.minutes, tp.version) == ("PRISMA search strings", 30, 2)


@override_settings(RAPPORT_SHARING="library")
def test_edit_by_another_librarian_is_refused(client, world):
    client.force_login(world.bob)
    url = reverse("touchpoints:edit", args=[world.ana_question.pk])

    page = client.get(url)
    response = client.post(url, form_data(topic="Bob was here"))

    assert page.status_code == 403
    assert response.status_code == 403
    assert "Only the librarian who logged this touchpoint can change or delete it." in response.text
    world.ana_question.refresh_from_db()
    assert world.ana_question.topic == "PRISMA search strings"


def test_delete_asks_then_deletes(client, world):
    client.force_login(world.alice)
    url = reverse("touchpoints:delete", args=[world.ana_question.pk])

    confirm = client.get(url)
    response = client.post(url)

    assert 'id="confirm-delete"' in confirm.text
    assert Touchpoint.objects.filter(pk=world.ana_question.pk).exists() is False
    assert response["Location"] == reverse("home")
    assert (
        AuditEntry.objects.filter(action="delete", object_id=str(world.ana_question.pk)).count()
        == 1
    )


@pytest.mark.parametrize(("role", "status"), [("bob", 404), ("mia", 403)])
def test_delete_refused_deletes_nothing(client, world, role, status):
    client.force_login(getattr(world, role))

    response = client.post(reverse("touchpoints:delete", args=[world.ana_question.pk]))

    assert response.status_code == status
    assert Touchpoint.objects.filter(pk=world.ana_question.pk).exists()
