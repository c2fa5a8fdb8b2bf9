"""The privacy pages: administrators only (403 for everyone else, on every page and form),
and what each one does."""

import json

import pytest
from django.urls import reverse

from rapport.audit.models import AuditEntry
from rapport.people.models import Person
from rapport.privacy.models import Erasure, RetentionRule
from rapport.touchpoints.models import Participation, Touchpoint
from tests.privacy.conftest import set_rules

GETS = [
    ("privacy:schedule", None),
    ("privacy:preview", None),
    ("privacy:people", None),
    ("privacy:subject_access", "ana"),
    ("privacy:subject_access_json", "ana"),
    ("privacy:erasures", None),
    ("privacy:audit", None),
]
POSTS = [("privacy:schedule", None), ("privacy:run", None), ("privacy:erase", "carla")]


def url(world, name, arg):
    return reverse(name, args=[getattr(world, arg).pk] if arg else [])


@pytest.mark.parametrize(("name", "arg"), GETS)
@pytest.mark.parametrize("role", ["alice", "bob", "mia"])
def test_privacy_pages_refuse_everyone_but_administrators(client, world, name, arg, role):
    client.force_login(getattr(world, role))

    response = client.get(url(world, name, arg))

    assert response.status_code == 403
    assert "Only administrators can" in response.text
    assert "Private worry" not in response.text


@pytest.mark.parametrize(("name", "arg"), POSTS)
@pytest.mark.parametrize("role", ["alice", "mia"])
def test_privacy_forms_refuse_everyone_but_administrators(client, world, name, arg, role):
    client.force_login(getattr(world, role))

    response = client.post(
        url(world, name, arg), {"touchpoint.question": "1", "confirm": "ERASE", "reference": ""}
    )

    assert response.status_code == 403
    assert Person.objects.filter(pk=world.carla.pk).exists()
    assert not RetentionRule.objects.exists()


@pytest.mark.parametrize(("name", "arg"), GETS)
def test_privacy_pages_open_for_an_administrator(client, world, name, arg):
    client.force_login(world.ada)

    assert client.get(url(world, name, arg)).status_code == 200


def test_privacy_link_in_the_header_for_administrators_only(client, world):
    link = f'href="{reverse("privacy:schedule")}"'
    client.force_login(world.ada)
    assert link in client.get(reverse("home")).text
    client.force_login(world.alice)
    assert link not in client.get(reverse("home")).text


def test_schedule_saves_periods(client, world):
    client.force_login(world.ada)

    response = client.post(
        reverse("privacy:schedule"), {"touchpoint.question": "24", "request": "", "match": "6"}
    )

    assert response.status_code == 302
    assert dict(
        RetentionRule.objects.filter(months__isnull=False).values_list("record", "months")
    ) == {
        "touchpoint.question": 24,
        "match": 6,
    }


def test_schedule_refuses_a_bad_period_and_saves_nothing(client, world):
    client.force_login(world.ada)

    response = client.post(reverse("privacy:schedule"), {"touchpoint.question": "0"})

    assert response.status_code == 422
    assert "Ensure this value is greater than or equal to 1." in response.text
    assert not RetentionRule.objects.exists()


def test_preview_lists_what_would_go(client, world):
    set_rules(question=1)
    when = world.ana_question.occurred_at.replace(year=2020)
    Touchpoint.objects.filter(pk=world.ana_question.pk).update(occurred_at=when)
    Participation.objects.filter(touchpoint=world.ana_question).update(occurred_at=when)
    client.force_login(world.ada)

    html = client.get(reverse("privacy:preview")).text

    assert (
        '<th scope="row">Touchpoints: question</th><td class="count">1</td><td class="count">1</td>'
    ) in html
    assert world.ana_question.__class__.objects.get(pk=world.ana_question.pk).question == (
        "PRISMA search strings"
    )


def test_subject_access_page_shows_everything_including_confidential(client, world):
    client.force_login(world.ada)

    html = client.get(reverse("privacy:subject_access", args=[world.ana.pk])).text

    assert "Everything held about Ana Ruiz" in html
    assert "PRISMA search strings" in html
    assert "Private worry about tenure" in html
    assert '<span class="badge">Confidential</span>' in html
    assert "Chemistry Lab" in html
    entry = AuditEntry.objects.get(action="subject_access")
    assert (entry.actor, entry.object_id, entry.summary, entry.changes) == (
        world.ada,
        str(world.ana.pk),
        "Subject access (page)",
        {"confidential_touchpoints": [world.ana_secret.pk]},
    )


def test_subject_access_json_downloads_the_record(client, world):
    client.force_login(world.ada)

    response = client.get(reverse("privacy:subject_access_json", args=[world.ana.pk]))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="subject-access-{world.ana.pk}.json"'
    )
    doc = json.loads(response.content)
    assert doc["person"]["full_name"] == "Ana Ruiz"
    assert doc["person"]["email"] == "ana.ruiz@uni.example"
    assert [m["group"] for m in doc["memberships"]] == ["Chemistry Lab"]
    assert [(t["question"], t["confidential"], t["librarian"]) for t in doc["touchpoints"]] == [
        ("PRISMA search strings", False, "Alice Liddell"),
        ("Private worry about tenure", True, "Alice Liddell"),
    ]


def test_erase_form_needs_the_word_and_changes_nothing_without_it(client, world):
    client.force_login(world.ada)

    response = client.post(
        reverse("privacy:erase", args=[world.carla.pk]), {"confirm": "yes", "reference": ""}
    )

    assert response.status_code == 422
    assert "Type ERASE in capitals to confirm the erasure." in response.text
    assert Person.objects.filter(pk=world.carla.pk).exists()


def test_erase_form_erases_and_lists_the_erasure(client, world):
    client.force_login(world.ada)
    pk = world.carla.pk

    response = client.post(
        reverse("privacy:erase", args=[pk]), {"confirm": "ERASE", "reference": "letter of 2 May"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:erasures")
    assert not Person.objects.filter(pk=pk).exists()
    html = client.get(reverse("privacy:erasures")).text
    assert f"#{pk}" in html and "letter of 2 May" in html
    assert Erasure.objects.get().reference == "letter of 2 May"


def test_people_search_finds_anyone_for_the_administrator(client, world):
    client.force_login(world.ada)

    html = client.get(reverse("privacy:people"), {"q": "carla"}).text

    assert reverse("privacy:subject_access", args=[world.carla.pk]) in html


@pytest.mark.django_db(transaction=True)
def test_run_now_queues_a_run_that_the_worker_does(client, world):
    """Committed for real: the worker reads the queue as in production."""
    from django.core.management import call_command

    from rapport.privacy.models import RetentionRun

    set_rules(question=1)
    when = world.hugo_question.occurred_at.replace(year=2020)
    Touchpoint.objects.filter(pk=world.hugo_question.pk).update(occurred_at=when)
    Participation.objects.filter(touchpoint=world.hugo_question).update(occurred_at=when)
    client.force_login(world.ada)

    response = client.post(reverse("privacy:run"))
    call_command("worker", "--batch", verbosity=0)

    assert response.status_code == 302
    run = RetentionRun.objects.get()
    assert (run.by, run.status, run.counts["touchpoint.question"]["stripped"]) == (
        world.ada, "done", 1,
    )  # fmt: skip
    assert Touchpoint.objects.get(pk=world.hugo_question.pk).question == ""
