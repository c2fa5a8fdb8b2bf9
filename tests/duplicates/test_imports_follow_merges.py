"""After a merge, the merged record keeps its e-mail, ORCID and directory id (so the merge can
be undone); every importer that finds people by them lands on the person it lives on as."""

import io

import pytest
from django.core.management import call_command

from rapport.duplicates.merging import merge_people, undo_merge
from rapport.duplicates.queries import survivor_ids
from rapport.people.models import Person
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.uploads import lifecycle
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(world):
    """Ana's second record (her old address and directory id) merged into Ana, who keeps her
    own address and directory id."""
    world.ana.directory_id = "D-1"
    world.ana.save(update_fields=["directory_id"])
    twin = make_person(
        "Ana M. Ruiz", email="a.ruiz@old.example", directory_id="D-77", groups=[world.chem]
    )
    merge = merge_people(by=world.alice, keep=world.ana, merge=twin)
    return twin, merge


def _people_count() -> int:
    return Person.objects.count()


def test_survivors_follow_merges_of_merges_and_forget_undone_ones(world, merged):
    twin, merge = merged
    third = make_person("A. Ruiz", email="ar@older.example", groups=[world.chem])
    assert survivor_ids([twin.pk, world.ana.pk, third.pk]) == {twin.pk: world.ana.pk}

    chain = merge_people(by=world.alice, keep=world.ana, merge=third)
    assert survivor_ids([third.pk, twin.pk]) == {third.pk: world.ana.pk, twin.pk: world.ana.pk}

    undo_merge(by=world.alice, merge=chain)
    undo_merge(by=world.alice, merge=merge)
    assert survivor_ids([third.pk, twin.pk]) == {}


def test_touchpoint_import_links_rows_to_the_survivor(world, merged, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "Timestamp,Staff,Patron email,Question\n"
        "2025-03-03 09:15,AL,a.ruiz@old.example,Where are the chemistry handbooks?\n"
    )
    before = _people_count()

    call_command("import", str(path), "--as", "alice", stdout=io.StringIO())

    touchpoint = Touchpoint.objects.get(question="Where are the chemistry handbooks?")
    assert list(
        Participation.objects.filter(touchpoint=touchpoint).values_list("person_id", flat=True)
    ) == [world.ana.pk]
    assert _people_count() == before


def test_people_import_updates_the_survivor(world, merged, tmp_path):
    path = tmp_path / "directory.csv"
    path.write_text("Name,Email,Directory id,Job title\nAna Ruiz,,D-77,Professor of Chemistry\n")
    before = _people_count()

    call_command("import", str(path), "--as", "alice", "--people", stdout=io.StringIO())

    assert _people_count() == before
    assert Person.objects.get(pk=world.ana.pk).job_title == "Professor of Chemistry"
    assert Person.objects.get(pk=merged[0].pk).job_title == ""


def test_vcard_import_finds_the_survivor(world, merged):
    data = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Ruiz\r\nEMAIL:a.ruiz@old.example\r\n"
        b"TITLE:Professor\r\nEND:VCARD\r\n"
    )
    before = _people_count()
    job = lifecycle.upload(
        "vcards", by=world.alice, stream=io.BytesIO(data), name="a.vcf", how="caller"
    )
    lifecycle.work(
        "vcards", lifecycle.run(by=job.created_by, job=job, how="caller", checked=False).pk
    )

    assert _people_count() == before
    assert Person.objects.get(pk=world.ana.pk).job_title == "Professor"
