"""Touchpoint imports end to end through the services and the engine: dry run, run, re-run,
staff and people resolution, anonymous rows, derived state, audit."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.imports import engine, services
from rapport.imports.models import ImportIssue, ImportJob
from rapport.imports.services import update_mapping
from rapport.people.models import Person
from rapport.relationships.models import Relationship
from rapport.relationships.services import refresh_all
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.touchpoints.stats import dashboard
from tests.imports.conftest import FIXTURES, dry_run, import_file, run, upload

DESK = FIXTURES / "desk_log.csv"


def _state() -> list[tuple]:
    people = list(
        Person.objects.order_by("pk").values_list(
            "pk", "first_contact_at", "last_contact_at", "touchpoint_count"
        )
    )
    rels = list(Relationship.objects.order_by("pk").values_list())
    return people + rels


def _imported():
    return Touchpoint.objects.filter(source_system="generic").order_by("occurred_at")


def test_upload_detects_a_generic_file_and_suggests_columns(staff):
    job = upload(staff.alice, DESK)

    assert (job.format, job.status, job.original_name) == ("generic", "uploaded", "desk_log.csv")
    assert job.mapping["columns"]["occurred_at"] == ["Timestamp"]
    assert job.mapping["columns"]["staff"] == ["Staff"]
    assert job.mapping["columns"]["person_email"] == ["Patron email"]
    assert job.mapping["columns"]["channel"] == ["How asked"]
    assert job.size == DESK.stat().st_size
    assert len(job.sha256) == 64


def test_dry_run_counts_what_would_happen_and_writes_nothing(staff):
    before = (Touchpoint.objects.count(), Person.objects.count(), Participation.objects.count())
    state = _state()
    job = dry_run(staff.alice, upload(staff.alice, DESK))

    assert job.status == ImportJob.Status.CHECKED
    assert job.dry_run == {"created": 5, "updated": 0, "skipped": 0, "failed": 0, "rows": 5}
    assert job.summary["check"]["people_created"] == 1
    assert job.summary["check"]["anonymous"] == 2
    assert job.summary["check"]["unknown_staff"] == {"ZZ": 1}
    after = (Touchpoint.objects.count(), Person.objects.count(), Participation.objects.count())
    assert after == before
    assert _state() == state
    assert not AuditEntry.objects.filter(action="import").exists()


def test_run_imports_every_row_with_staff_people_and_groups(staff):
    job = import_file(staff.alice, DESK)

    assert (job.status, job.created, job.updated, job.skipped, job.failed) == ("done", 5, 0, 0, 0)
    tps = list(_imported())
    assert [t.author.username for t in tps] == ["alice", "alice", "bob", "alice", "alice"]
    assert [t.channel for t in tps] == ["in_person", "phone", "email", "in_person", "chat"]
    assert [t.minutes for t in tps] == [5, 3, 20, 35, 2]
    assert [t.group.name if t.group else None for t in tps] == [
        "Chemistry Lab",
        None,
        "History Department",
        None,
        None,
    ]
    assert tps[0].question == "Where are the chemistry handbooks?"
    assert tps[0].answer == "Level 2 reference shelves"
    assert tps[0].occurred_at == dt.datetime(
        2025, 3, 3, 9, 15, tzinfo=timezone.get_current_timezone()
    )
    assert tps[0].details == {"location": "Main desk"}
    assert tps[3].details == {"location": "Science library", "staff": "ZZ"}
    people = [list(t.people.values_list("full_name", flat=True)) for t in tps]
    assert people == [["Ana Ruiz"], [], ["Hugo Marsh"], ["Dana New"], []]
    dana = Person.objects.get(full_name="Dana New")
    assert (dana.email, dana.status, dana.created_by) == (
        "dana.new@uni.example",
        "student",
        staff.alice,
    )
    assert set(dana.contacts.all()) == {staff.alice}
    assert job.summary["run"]["unknown_staff"] == {"ZZ": 1}
    assert job.summary["run"]["anonymous"] == 2


def test_anonymous_rows_count_in_the_figures(staff):
    june = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    assert dashboard(staff.mia, now=june).total == 0
    import_file(staff.alice, DESK)

    figures = dashboard(staff.mia, now=june)
    assert figures.total == 5
    assert figures.minutes == 65
    assert (
        Touchpoint.objects.annotate(n=Count("people")).filter(source_system="generic", n=0).count()
        == 2
    )


def test_running_the_same_file_again_creates_nothing_twice(staff):
    import_file(staff.alice, DESK)
    state = _state()
    again = import_file(staff.alice, DESK)

    assert again.dry_run["skipped"] == 5
    assert (again.created, again.skipped, again.failed) == (0, 5, 0)
    assert _imported().count() == 5
    assert Person.objects.filter(full_name="Dana New").count() == 1
    assert _state() == state


def test_relationship_state_after_an_import_needs_no_refresh(staff):
    refresh_all()  # the test world is written by factories, without derived state
    import_file(staff.alice, DESK)
    state = _state()
    call_command("refresh", verbosity=0)

    assert _state() == state
    ana = Person.objects.get(pk=staff.ana.pk)
    assert ana.touchpoint_count == 3  # two from the test world, one imported


def test_one_audit_entry_per_run(staff):
    before = AuditEntry.objects.count()
    job = import_file(staff.alice, DESK)

    entries = AuditEntry.objects.filter(action="import")
    assert [(e.actor, e.object_id, e.changes["created"]) for e in entries] == [
        (staff.alice, str(job.pk), 5)
    ]
    assert AuditEntry.objects.count() == before + 2  # the upload and the run


def test_unknown_staff_go_to_the_chosen_librarian(staff):
    job = upload(staff.alice, DESK)
    update_mapping(by=staff.alice, job=job, staff_fallback=staff.bob)
    dry_run(staff.alice, job)
    run(staff.alice, job)

    assert _imported().get(details__staff="ZZ").author == staff.bob


def test_rows_with_errors_fail_alone_and_are_reported(staff, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Timestamp,Staff,Question,Minutes\n"
        "2025-03-03 09:15,AL,Good row,5\n"
        "not a date,AL,Bad date,5\n"
        "2099-01-01 10:00,AL,In the future,5\n"
        "2025-03-04 09:15,AL,Too long,2000\n"
    )
    job = import_file(staff.alice, bad)

    assert (job.created, job.failed) == (1, 3)
    errors = list(
        ImportIssue.objects.filter(job=job, phase="run", level="error").values_list(
            "row", "message"
        )
    )
    assert [row for row, _ in errors] == [2, 3, 4]
    assert "not a date" in errors[0][1]
    assert "in the future" in errors[1][1]
    assert "2000 minutes" in errors[2][1]
    assert list(_imported().values_list("question", flat=True)) == ["Good row"]


def test_an_interrupted_run_resumes_from_its_checkpoint(staff, tmp_path):

    path = tmp_path / "many.csv"
    lines = ["Timestamp,Staff,Patron email,Question"]
    lines += [
        f"2025-01-{1 + i % 28:02d} 10:{i % 60:02d},AL,p{i % 7}@uni.example,Q {i}" for i in range(50)
    ]
    path.write_text("\n".join(lines) + "\n")
    refresh_all()
    job = upload(staff.alice, path)
    dry_run(staff.alice, job)

    services.run(by=staff.alice, job=job, how="caller")

    def stop(job):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        engine.run_job(job.pk, chunk=20, progress=stop)
    job.refresh_from_db()
    assert (job.status, job.checkpoint, job.created) == ("interrupted", 20, 20)
    assert _imported().count() == 20
    state_mid = {p.pk: p.touchpoint_count for p in Person.objects.filter(email__startswith="p")}
    assert sum(state_mid.values()) == 20

    services.resume(by=staff.alice, job=job, how="caller")
    job = engine.run_job(job.pk, chunk=20)

    assert (job.status, job.checkpoint, job.created, job.skipped) == ("done", 50, 50, 0)
    assert _imported().count() == 50
    assert Person.objects.filter(email__startswith="p").count() == 7
    state = _state()
    call_command("refresh", verbosity=0)
    assert _state() == state


def test_managers_cannot_import(staff):
    from rapport.errors import Forbidden

    with pytest.raises(Forbidden):
        upload(staff.mia, DESK)
    assert ImportJob.objects.count() == 0


def test_staff_are_found_by_user_name_full_name_or_email(staff, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(
        "Timestamp,Staff,Question\n"
        "2025-03-03 09:00,bob,By user name\n"
        "2025-03-03 10:00,alice liddell,By full name\n"
        "2025-03-03 11:00,BOB@library.example,By e-mail\n"
        "2025-03-03 12:00,,No staff\n"
    )
    job = import_file(staff.bob, path)

    authors = list(_imported().values_list("question", "author__username"))
    assert authors == [
        ("By user name", "bob"),
        ("By full name", "alice"),
        ("By e-mail", "bob"),
        ("No staff", "bob"),
    ]
    assert job.summary["run"].get("unknown_staff") is None


def test_a_large_interrupted_run_refreshes_everyone_when_resumed(staff, tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "DEFER_REFRESH_BYTES", 0)  # treat this file as a large one
    refresh_all()
    path = tmp_path / "many.csv"
    lines = ["Timestamp,Staff,Patron email,Question"]
    lines += [
        f"2025-02-{1 + i % 28:02d} 09:{i % 60:02d},BB,q{i % 5}@uni.example,R {i}" for i in range(30)
    ]
    path.write_text("\n".join(lines) + "\n")
    job = upload(staff.alice, path)
    services.run(by=staff.alice, job=job, how="caller", checked=False)

    def stop(job):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        engine.run_job(job.pk, chunk=10, progress=stop)
    services.resume(by=staff.alice, job=job, how="caller")
    job = engine.run_job(job.pk, chunk=10)

    assert (job.status, job.created) == ("done", 30)
    state = _state()
    call_command("refresh", verbosity=0)
    assert _state() == state
    assert sorted(
        Person.objects.filter(email__startswith="q").values_list("touchpoint_count", flat=True)
    ) == [6, 6, 6, 6, 6]


@pytest.mark.django_db
def test_a_row_finds_a_person_by_one_of_their_other_addresses(world, tmp_path):
    world.ana.other_emails = ["ana.work@lab.example"]
    world.ana.save(update_fields=["other_emails"])
    path = tmp_path / "log.csv"
    path.write_text(
        "Timestamp,Staff,Patron email,Question\n"
        "2025-03-03 09:15,AL,Ana.Work@Lab.example,Which sensors does the lab lend?\n"
        "2025-03-04 10:00,AL,someone.new@lab.example,Where is the map room?\n"
    )
    before = Person.objects.count()

    call_command("import", str(path), "--as", "alice", stdout=io.StringIO())

    lent = Touchpoint.objects.get(question="Which sensors does the lab lend?")
    assert list(lent.people.values_list("pk", flat=True)) == [world.ana.pk]
    assert Person.objects.count() == before + 1  # the unknown address only
    assert Person.objects.filter(email="ana.work@lab.example").count() == 0
