"""Scans: candidates stored from the whole library, scoped when read; not-a-duplicate marks;
the command and the worker."""

import io

import pytest
from django.core.management import call_command

from rapport.audit.models import AuditEntry
from rapport.duplicates.models import Candidate, NotDuplicate, Scan
from rapport.duplicates.queries import candidates_for, survivor_of
from rapport.duplicates.services import (
    mark_not_duplicate,
    run_scan,
    start_scan,
    undo_not_duplicate,
)
from rapport.errors import Forbidden, Invalid, NotFound
from rapport.people.models import Person
from tests.factories import make_person


@pytest.fixture
def dupes(world):
    """Ana again in Chemistry (by e-mail), Hugo again in History (by name and department)."""
    Person.objects.filter(pk__in=[world.hugo.pk]).update(department="History")
    ana2 = make_person("Ruiz, Ana", email="ANA.RUIZ@uni.example", groups=[world.chem])
    hugo2 = make_person("H. Marsh", department="History", groups=[world.history])
    return ana2, hugo2


def pairs():
    return list(
        Candidate.objects.order_by("-score", "id").values_list(
            "person_a__full_name", "person_b__full_name", "score", "evidence"
        )
    )


@pytest.mark.django_db
def test_scan_stores_ranked_pairs_with_evidence(world, dupes):
    scan = start_scan(by=world.alice, queue=False)

    run_scan(scan.pk)

    assert pairs() == [
        (
            "Ana Ruiz",
            "Ruiz, Ana",
            85,
            ["same e-mail ana.ruiz@uni.example", "same name 'Ana Ruiz' and 'Ruiz, Ana'"],
        ),
        (
            "Hugo Marsh",
            "H. Marsh",
            40,
            ["names 'Hugo Marsh' and 'H. Marsh'", "same department History"],
        ),
    ]
    scan.refresh_from_db()
    assert (scan.status, scan.people, scan.total, scan.done, scan.pairs_found) == (
        "done",
        6,
        2,
        2,
        2,
    )
    assert AuditEntry.objects.get(action="start", object_type="scan").actor == world.alice


@pytest.mark.django_db
def test_a_new_scan_replaces_the_last_and_leaves_out_archived_people(world, dupes):
    run_scan(start_scan(by=None, queue=False).pk)
    Person.objects.filter(pk=dupes[1].pk).update(archived_at="2026-01-01T00:00:00Z")

    run_scan(start_scan(by=None, queue=False).pk)

    assert [p[:2] for p in pairs()] == [("Ana Ruiz", "Ruiz, Ana")]


@pytest.mark.django_db
def test_candidates_are_scoped_to_people_the_reader_sees_both_of(world, dupes):
    run_scan(start_scan(by=None, queue=False).pk)

    def names(user):
        return [(c.person_a.full_name, c.person_b.full_name) for c in candidates_for(user)]

    assert names(world.alice) == [("Ana Ruiz", "Ruiz, Ana")]
    assert names(world.bob) == [("Hugo Marsh", "H. Marsh")]
    assert names(world.ada) == [("Ana Ruiz", "Ruiz, Ana"), ("Hugo Marsh", "H. Marsh")]
    with pytest.raises(Forbidden):
        candidates_for(world.mia)


@pytest.mark.django_db
def test_not_a_duplicate_is_never_proposed_again_until_undone(world, dupes):
    ana2 = dupes[0]
    run_scan(start_scan(by=None, queue=False).pk)

    mark = mark_not_duplicate(by=world.alice, a=ana2, b=world.ana)

    assert (mark.person_a_id, mark.person_b_id) == (world.ana.pk, ana2.pk)
    assert [p[:2] for p in pairs()] == [("Hugo Marsh", "H. Marsh")]
    run_scan(start_scan(by=None, queue=False).pk)
    assert [p[:2] for p in pairs()] == [("Hugo Marsh", "H. Marsh")]
    assert AuditEntry.objects.get(action="not_duplicate").summary == (
        "Ruiz, Ana and Ana Ruiz are different people"
    )

    candidate = undo_not_duplicate(by=world.alice, mark=mark)

    assert (candidate.person_a_id, candidate.person_b_id, candidate.score) == (
        world.ana.pk,
        ana2.pk,
        85,
    )
    assert not NotDuplicate.objects.exists()


@pytest.mark.django_db
def test_not_a_duplicate_bad_input_changes_nothing(world, dupes):
    with pytest.raises(Invalid) as err:
        mark_not_duplicate(by=world.alice, a=world.ana, b=world.ana)
    assert err.value.message == "That is one person twice; choose two different people."
    with pytest.raises(NotFound) as missing:
        mark_not_duplicate(by=world.bob, a=world.hugo, b=world.ana)
    assert missing.value.message == f"There is no person {world.ana.pk} that you can see."
    with pytest.raises(Forbidden):
        mark_not_duplicate(by=world.mia, a=world.ana, b=dupes[0])
    assert not NotDuplicate.objects.exists()


@pytest.mark.django_db
def test_find_duplicates_command_prints_progress_and_stores_pairs(world, dupes):
    out = io.StringIO()

    call_command("find-duplicates", stdout=out)

    text = out.getvalue()
    assert text.startswith("Reading people…\nComparing people who share a key…\n")
    assert "6 people, 2 pairs weighed, 2 candidate pairs found in " in text
    assert text.endswith(" s. Review them at /duplicates/.\n")
    assert len(pairs()) == 2
    assert Scan.objects.get().status == "done"


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_queued_scan(world, dupes):
    # Committed for real: the worker reads the queue as in production and closes its connection.
    out = io.StringIO()
    call_command("find-duplicates", "--queue", stdout=out)
    scan = Scan.objects.get()
    assert out.getvalue() == f"Queued duplicate scan {scan.pk}; `rapport worker` will run it.\n"

    call_command("worker", "--batch", verbosity=0)

    scan.refresh_from_db()
    assert (scan.status, scan.pairs_found) == ("done", 2)
    assert len(pairs()) == 2


@pytest.mark.django_db
def test_survivor_of_follows_merges(world, dupes):
    from rapport.duplicates.merging import merge_people

    merge_people(by=world.alice, keep=world.ana, merge=dupes[0])
    merge_people(by=world.alice, keep=world.ben, merge=world.ana)

    assert survivor_of(dupes[0]) == world.ben
    assert survivor_of(world.hugo) == world.hugo


@pytest.mark.django_db
def test_starting_a_scan_while_one_waits_returns_that_one(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = start_scan(by=world.alice)
        again = start_scan(by=world.bob)

    assert again == first
    assert len(queued) == 1
    assert Scan.objects.count() == 1
