import pytest
from django.core.management import call_command

from rapport.awareness import matching
from rapport.awareness.models import Interest, Match, MatchRun, MatchStatus
from rapport.awareness.services import start_matching
from tests.awareness.conftest import make_item, make_publication
from tests.factories import make_touchpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(world):
    """Ana asks about systematic reviews; Hugo about archives; Carla has no evidence at all."""
    for q in ("PRISMA flow diagram for a scoping review", "search strings for a scoping review"):
        make_touchpoint(world.alice, [world.ana], question=q, tags=["systematic-review"])
    make_publication(world.ana, "Scoping review methods in chemistry education")
    make_touchpoint(world.bob, [world.hugo], question="medieval manuscripts in the county archive")
    for person in (world.ana, world.hugo):
        person.touchpoint_count = 3
        person.save(update_fields=["touchpoint_count"])
    items = {
        "prisma": make_item(
            "PRISMA extension for scoping reviews",
            abstract="Reporting guidance for scoping reviews",
        ),
        "archive": make_item(
            "Digitising medieval manuscripts", abstract="County archive collections online"
        ),
        "other": make_item("Quantum dots in solar cells", abstract="Photovoltaic efficiency"),
    }
    return items


def test_run_for_new_items_suggests_the_right_item_to_each_person(world, library):
    run = start_matching(by=world.alice, scope="items", item_ids=[i.pk for i in library.values()])
    run = matching.run_matching(run.pk)
    assert (run.status, run.total, run.done) == ("done", 2, 2)
    best = {m.person_id: m for m in Match.objects.order_by("person_id", "-score")}
    assert best[world.ana.pk].item == library["prisma"]
    assert best[world.hugo.pk].item == library["archive"]
    assert world.carla.pk not in best
    why = best[world.ana.pk].explanation
    assert "scoping" in " ".join(why["terms"])
    assert why["evidence"][0]["source"] in {"touchpoint", "publication"}
    assert run.matches_kept == Match.objects.count()


def test_a_second_run_keeps_decisions(world, library):
    ids = [i.pk for i in library.values()]
    matching.run_matching(start_matching(by=None, scope="items", item_ids=ids).pk)
    match = Match.objects.get(person=world.ana, item=library["prisma"])
    match.status = MatchStatus.REJECTED
    match.save()
    matching.run_matching(start_matching(by=None, scope="all").pk)
    assert Match.objects.get(pk=match.pk).status == MatchStatus.REJECTED
    assert Match.objects.filter(person=world.ana, item=library["prisma"]).count() == 1


def test_running_a_finished_run_again_does_nothing(world, library):
    run = start_matching(by=None, scope="all")
    matching.run_matching(run.pk)
    count = Match.objects.count()
    again = matching.run_matching(run.pk)
    assert again.status == "done"
    assert Match.objects.count() == count


def test_prune_keeps_the_best_suggestions_only(world, settings):
    items = [make_item(f"Item {n}") for n in range(5)]
    for n, item in enumerate(items):
        Match.objects.create(person=world.ana, item=item, score=n / 10)
    Match.objects.filter(item=items[0]).update(status=MatchStatus.APPROVED)
    deleted = matching.prune([world.ana.pk], keep=2)
    assert deleted == 2
    kept = sorted(Match.objects.values_list("score", "status"))
    assert kept == [(0.0, "approved"), (0.3, "suggested"), (0.4, "suggested")]


def test_person_run_matches_one_changed_profile(world, library):
    Interest.objects.create(person=world.carla, term="quantum dots", state="stated")
    run = matching.run_matching(start_matching(by=None, scope="person", person=world.carla).pk)
    assert (run.total, run.done) == (1, 1)
    assert list(Match.objects.values_list("person_id", "item__title")) == [
        (world.carla.pk, "Quantum dots in solar cells")
    ]


@pytest.mark.django_db(transaction=True)
def test_worker_command_works_a_queued_run(world, library):
    # Committed for real: the worker reads the queue the way it would in production, and
    # closes its database connection when done, which a test transaction would not survive.
    run = start_matching(by=None, scope="all")
    call_command("worker", "--batch", verbosity=0)
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DONE
    assert Match.objects.filter(person=world.ana).exists()
