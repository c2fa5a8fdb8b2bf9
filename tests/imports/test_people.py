"""People imports: a campus directory updates who is known and creates the rest."""

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.audit.models import AuditEntry
from rapport.imports.models import ImportIssue
from rapport.imports.people import PeopleImport
from rapport.imports.sources import Row
from rapport.people.models import Membership, Person
from rapport.relationships.models import Relationship
from rapport.relationships.services import refresh_all
from tests.imports.conftest import FIXTURES, dry_run, import_file, upload

DIRECTORY = FIXTURES / "directory.csv"


def _people():
    return list(
        Person.objects.order_by("full_name").values_list(
            "full_name", "email", "orcid", "directory_id", "job_title", "status", "department"
        )
    )


def test_dry_run_of_a_directory_writes_nothing(world):
    before = _people()
    job = dry_run(world.alice, upload(world.alice, DIRECTORY, target="people"))

    assert job.dry_run == {"created": 2, "updated": 2, "skipped": 0, "failed": 0, "rows": 4}
    assert _people() == before
    assert Membership.objects.count() == 3


def test_directory_updates_known_people_and_creates_the_rest(world):
    job = import_file(world.alice, DIRECTORY, target="people")

    assert (job.created, job.updated, job.skipped, job.failed) == (2, 2, 0, 0)
    ana = Person.objects.get(pk=world.ana.pk)
    assert (ana.directory_id, ana.orcid, ana.job_title, ana.department, ana.room) == (
        "D-1001",
        "0000-0002-1825-0097",
        "Professor of Chemistry",
        "Chemistry",
        "2.14",
    )
    nora = Person.objects.get(email="nora.field@uni.example")
    assert (nora.full_name, nora.status, nora.directory_id, nora.created_by) == (
        "Nora Field",
        "faculty",
        "D-1003",
        world.alice,
    )
    assert list(nora.memberships.values_list("group__name", "role")) == [
        ("History Department", "member")
    ]
    assert Relationship.objects.filter(person=nora).exists()
    # Ana and Ben were already in the Chemistry Lab: no second membership.
    assert Membership.objects.filter(person=world.ana).count() == 1
    assert job.summary["run"]["unknown_groups"] == {"Quantum Group": 1}
    assert job.summary["run"]["memberships"] == 1
    assert AuditEntry.objects.filter(action="import").count() == 1
    # An import's update is an edit: a form or an ETag opened on Ana before is stale.
    assert (ana.version, nora.version) == (2, 1)


def test_directory_again_changes_nothing(world):
    import_file(world.alice, DIRECTORY, target="people")
    before = _people()
    again = import_file(world.alice, DIRECTORY, target="people")

    assert (again.created, again.updated, again.skipped) == (0, 0, 4)
    assert _people() == before
    assert Person.objects.get(pk=world.ana.pk).version == 2


def test_a_person_is_found_by_orcid_or_directory_id(world, tmp_path):
    world.carla.orcid = "0000-0002-1825-0097"
    world.carla.save()
    path = tmp_path / "dir.csv"
    path.write_text("Directory ID,Name,ORCID,Title\nX-9,Carla Diaz,0000-0002-1825-0097,Archivist\n")
    import_file(world.alice, path, target="people")
    path.write_text("Directory ID,Name,Title\nX-9,Carla Diaz,Head archivist\n")
    job = import_file(world.alice, path, target="people")

    carla = Person.objects.get(pk=world.carla.pk)
    assert (carla.directory_id, carla.job_title) == ("X-9", "Head archivist")
    assert job.updated == 1
    assert Person.objects.filter(full_name="Carla Diaz").count() == 1


def test_a_row_matching_two_people_fails_and_changes_nothing(world, tmp_path):
    path = tmp_path / "dir.csv"
    world.ben.directory_id = "D-7"
    world.ben.save()
    path.write_text("Directory ID,Name,Email\nD-7,Ana Ruiz,ana.ruiz@uni.example\n")
    before = _people()
    job = import_file(world.alice, path, target="people")

    assert (job.created, job.updated, job.failed) == (0, 0, 1)
    message = ImportIssue.objects.get(job=job, phase="run").message
    assert "Ben Okafor" in message and "Ana Ruiz" in message
    assert _people() == before


def test_people_import_needs_no_refresh_afterwards(world):
    refresh_all()  # the test world is written by factories, without derived state
    import_file(world.alice, DIRECTORY, target="people")
    state = list(Relationship.objects.order_by("pk").values_list())
    call_command("refresh", verbosity=0)

    assert list(Relationship.objects.order_by("pk").values_list()) == state


def test_a_row_whose_address_is_someones_second_updates_them_and_creates_nobody(world, tmp_path):
    # Stored as a hand-written list might have it: the match ignores case on both sides.
    Person.objects.filter(pk=world.carla.pk).update(other_emails=["C.Diaz@Archive.example"])
    path = tmp_path / "dir.csv"
    path.write_text("Name,Email,Title\nCarla Diaz,c.diaz@archive.EXAMPLE,Archivist\n")
    people = Person.objects.count()

    job = import_file(world.alice, path, target="people")

    assert (job.created, job.updated, job.skipped, job.failed) == (0, 1, 0, 0)
    carla = Person.objects.get(pk=world.carla.pk)
    assert (carla.email, carla.other_emails, carla.job_title) == (
        "carla@uni.example",
        ["c.diaz@archive.example"],  # and, as every person saved, normalised
        "Archivist",
    )
    assert Person.objects.count() == people


def test_looking_people_up_takes_the_same_queries_for_one_row_or_forty(world):
    others = [f"second{i}@uni.example" for i in range(40)]
    Person.objects.filter(pk=world.carla.pk).update(other_emails=others)
    writer = PeopleImport(by=world.alice)

    def rows(n: int) -> list[Row]:
        return [Row(i + 2, {"full_name": "Carla Diaz", "email": others[i]}) for i in range(n)]

    with CaptureQueriesContext(connection) as one:
        single = writer.chunk(rows(1), write=False)
    with CaptureQueriesContext(connection) as forty:
        many = writer.chunk(rows(40), write=False)

    # The people with any of the addresses, then where merged records live now.
    assert len(one) == len(forty) == 2
    assert (single.created, single.updated, single.skipped) == (0, 0, 1)
    assert (many.created, many.updated, many.skipped) == (0, 0, 40)
