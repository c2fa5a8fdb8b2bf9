"""A merge and its undo are edits: they count the version of both people and of every person,
touchpoint and request whose links they re-point, so forms and ETags opened before are stale
(rapport/concurrency.py)."""

from rapport.audit.models import AuditEntry
from rapport.duplicates.merging import merge_people, undo_merge
from rapport.people.models import Person
from rapport.requests.models import Request
from rapport.touchpoints.models import Touchpoint


def versions(world, twin) -> dict[str, int]:
    endnote = Touchpoint.objects.get(question="Endnote library broken")
    return {
        "ana": Person.objects.get(pk=world.ana.pk).version,
        "ana2": Person.objects.get(pk=twin.ana2.pk).version,
        "hugo (referred by ana2)": Person.objects.get(pk=world.hugo.pk).version,
        "carla (ana2's referrer)": Person.objects.get(pk=world.carla.pk).version,
        "ben": Person.objects.get(pk=world.ben.pk).version,
        "endnote (ana2's own)": Touchpoint.objects.get(pk=endnote.pk).version,
        "ana_question (both)": Touchpoint.objects.get(pk=world.ana_question.pk).version,
        "hugo_question": Touchpoint.objects.get(pk=world.hugo_question.pk).version,
        "only_request": Request.objects.get(pk=twin.only_request.pk).version,
        "shared_request": Request.objects.get(pk=twin.shared_request.pk).version,
    }


def test_merge_and_undo_count_an_edit_on_every_row_they_change(world, twin):
    done = merge_people(by=world.alice, keep=world.ana, merge=twin.ana2)
    merged = versions(world, twin)
    undo_merge(by=world.alice, merge=done)

    assert merged == {
        "ana": 2,
        "ana2": 2,
        "hugo (referred by ana2)": 2,
        "carla (ana2's referrer)": 1,
        "ben": 1,
        "endnote (ana2's own)": 2,
        "ana_question (both)": 2,
        "hugo_question": 1,
        "only_request": 2,
        "shared_request": 2,
    }
    assert versions(world, twin) == {
        "ana": 3,
        "ana2": 3,
        "hugo (referred by ana2)": 3,
        "carla (ana2's referrer)": 1,
        "ben": 1,
        "endnote (ana2's own)": 3,
        "ana_question (both)": 3,
        "hugo_question": 1,
        "only_request": 3,
        "shared_request": 3,
    }
    entries = AuditEntry.objects.filter(object_id__in=[str(world.ana.pk), str(twin.ana2.pk)])
    assert sorted(
        (e.action, e.changes.get("version")) for e in entries if e.object_type == "person"
    ) == [("merge", [1, 2]), ("merged", [1, 2]), ("undo_merge", [2, 3]), ("unmerged", [2, 3])]
