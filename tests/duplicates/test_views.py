"""The duplicates pages: who gets them, what they show, and the forms behind them."""

import pytest
from django.urls import reverse

from rapport.duplicates.merging import merge_people
from rapport.duplicates.models import Merge, NotDuplicate, Scan
from rapport.duplicates.services import run_scan, start_scan
from rapport.people.models import Person
from rapport.touchpoints.models import Participation
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana2(world):
    person = make_person(
        "Ruiz, Ana", email="ana.ruiz@uni.example", job_title="Lecturer", groups=[world.chem]
    )
    run_scan(start_scan(by=None, queue=False).pk)
    return person


def pair_url(world, ana2, name="duplicates:pair"):
    return reverse(name, args=[world.ana.pk, ana2.pk])


@pytest.mark.parametrize(
    ("role", "status"), [("ada", 200), ("alice", 200), ("bob", 200), ("mia", 403)]
)
def test_list_and_history_by_role(client, world, role, status):
    client.force_login(getattr(world, role))

    assert client.get(reverse("duplicates:list")).status_code == status
    assert client.get(reverse("duplicates:merges")).status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("ada", 200), ("alice", 200), ("bob", 404), ("mia", 403)]
)
def test_pair_page_by_role(client, world, ana2, role, status):
    client.force_login(getattr(world, role))

    assert client.get(pair_url(world, ana2)).status_code == status


def test_list_shows_ranked_pairs_with_evidence_and_the_last_scan(client, world, ana2):
    client.force_login(world.alice)

    page = client.get(reverse("duplicates:list")).content.decode()

    assert f'href="/duplicates/pair/{world.ana.pk}/{ana2.pk}/">Ana Ruiz and Ruiz, Ana</a>' in page
    assert "same e-mail ana.ruiz@uni.example; same name &#x27;Ana Ruiz&#x27; and" in page
    assert "Score 85 · same e-mail" in page
    assert "5 people compared, 1 pairs weighed, 1 pair found in the whole library" in page


def test_bob_sees_no_pair_of_people_he_cannot_see(client, world, ana2):
    client.force_login(world.bob)

    page = client.get(reverse("duplicates:list")).content.decode()

    assert "Ana Ruiz" not in page
    assert "No candidate pairs among the people you can see." in page


def test_pair_page_shows_fields_side_by_side_with_choices_and_counts(client, world, ana2):
    client.force_login(world.alice)

    page = client.get(pair_url(world, ana2)).content.decode()

    assert "Evidence: same e-mail ana.ruiz@uni.example; same name" in page
    assert 'name="field_full_name" value="a"' in page
    assert 'name="field_job_title" value="b"' in page
    assert 'name="field_email"' not in page  # the same on both
    # Ana has two touchpoints, so she stays and her values are chosen by default.
    assert 'type="radio" name="keep" value="a" id="id_keep_0" required checked' in page
    assert '<th scope="row">Touchpoints</th><td class="num">2</td><td class="num">0</td>' in page


def test_merge_form_merges_with_the_chosen_values(client, world, ana2):
    client.force_login(world.alice)

    response = client.post(
        pair_url(world, ana2, "duplicates:merge"),
        {"keep": "b", "field_full_name": "a", "field_job_title": "b", "field_status": "a"},
    )

    done = Merge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/duplicates/merges/#merge-{done.pk}"
    kept = Person.objects.get(pk=ana2.pk)
    assert (kept.full_name, kept.job_title, kept.status) == ("Ana Ruiz", "Lecturer", "faculty")
    assert Participation.objects.filter(person=kept).count() == 2
    assert Person.objects.get(pk=world.ana.pk).archived_at is not None


def test_merge_form_without_a_survivor_is_refused_and_changes_nothing(client, world, ana2):
    client.force_login(world.alice)

    response = client.post(pair_url(world, ana2, "duplicates:merge"), {"field_full_name": "a"})

    assert response.status_code == 422
    assert "Which record stays: This field is required." in response.content.decode()
    assert not Merge.objects.exists()


def test_not_a_duplicate_button(client, world, ana2):
    client.force_login(world.alice)

    response = client.post(pair_url(world, ana2, "duplicates:not_duplicate"))

    assert response.status_code == 302
    assert NotDuplicate.objects.get().by == world.alice
    page = client.get(reverse("duplicates:list")).content.decode()
    assert "Noted: Ana Ruiz and Ruiz, Ana are different people." in page
    assert "Ana Ruiz and Ruiz, Ana</a>" not in page
    history = client.get(reverse("duplicates:merges")).content.decode()
    assert "Ana Ruiz and Ruiz, Ana" in history


def test_history_lists_merges_and_undo_puts_them_back(client, world, ana2):
    done = merge_people(by=world.alice, keep=world.ana, merge=ana2)
    client.force_login(world.alice)

    page = client.get(reverse("duplicates:merges")).content.decode()
    assert f'<li class="entry" id="merge-{done.pk}">' in page
    assert f'Ruiz, Ana <span class="meta">#{ana2.pk}</span> merged into <a' in page

    response = client.post(reverse("duplicates:undo_merge", args=[done.pk]))

    assert response.status_code == 302
    assert Person.objects.get(pk=ana2.pk).archived_at is None
    page = client.get(reverse("duplicates:merges")).content.decode()
    assert "undone" in page
    again = client.post(reverse("duplicates:undo_merge", args=[done.pk]))
    assert again.status_code == 422
    assert "This merge was already undone on" in again.content.decode()


def test_undo_not_duplicate_from_history(client, world, ana2):
    mark = NotDuplicate.objects.create(person_a=world.ana, person_b=ana2, by=world.alice)
    client.force_login(world.alice)

    response = client.post(reverse("duplicates:undo_not_duplicate", args=[mark.pk]))

    assert response.status_code == 302
    assert not NotDuplicate.objects.exists()


def test_merging_a_person_with_themselves_by_url_is_refused(client, world):
    client.force_login(world.alice)

    response = client.get(reverse("duplicates:pair", args=[world.ana.pk, world.ana.pk]))

    assert response.status_code == 404
    assert "That is one person twice, not a pair." in response.content.decode()


def test_scan_button_queues_a_scan_and_progress_polls(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("duplicates:scan_start"))

    assert response.status_code == 302
    scan = Scan.objects.get()
    page = client.get(reverse("duplicates:list")).content.decode()
    assert f'hx-get="/duplicates/scans/{scan.pk}/" hx-trigger="every 1s"' in page
    partial = client.get(reverse("duplicates:scan", args=[scan.pk]), headers={"HX-Request": "true"})
    assert partial.content.decode().strip().startswith('<div id="scan-progress"')
    assert "Waiting for the worker" in partial.content.decode()


def test_managers_cannot_post_a_merge(client, world, ana2):
    client.force_login(world.mia)

    response = client.post(pair_url(world, ana2, "duplicates:merge"), {"keep": "a"})

    assert response.status_code == 403
    assert not Merge.objects.exists()


def test_a_persons_possible_duplicates(client, world, ana2):
    make_person("Okafor, Ben", email="ben@uni.example", groups=[world.chem])
    run_scan(start_scan(by=None, queue=False).pk)
    client.force_login(world.alice)

    page = client.get(reverse("duplicates:person", args=[world.ana.pk])).content.decode()

    assert "Possible duplicates of <a" in page
    assert "Ana Ruiz and Ruiz, Ana</a>" in page
    assert "Ben Okafor" not in page
    client.force_login(world.bob)
    assert client.get(reverse("duplicates:person", args=[world.ana.pk])).status_code == 404
