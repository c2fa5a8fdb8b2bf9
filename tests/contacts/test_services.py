"""Importing vCards through the services: preview, run, matching, re-import, access, audit."""

import io
from pathlib import Path

import pytest

from rapport.audit.models import AuditEntry
from rapport.contacts.models import CardKey, ContactImport
from rapport.contacts.writer import write_cards
from rapport.errors import Forbidden, Invalid, NotFound
from rapport.people.models import Person
from rapport.people.queries import search_people
from rapport.relationships.models import CadenceRule, Relationship, Stage
from rapport.relationships.services import refresh_all
from rapport.search.queries import search
from rapport.uploads import lifecycle
from tests.contacts.conftest import fixture

RELATIONSHIP_COLUMNS = [f.attname for f in Relationship._meta.concrete_fields]
ALL = [
    "outlook-2.1.vcf",
    "apple-3.0.vcf",
    "google-3.0.vcf",
    "android-2.1.vcf",
    "thunderbird-4.0.vcf",
]


def upload(by, data: bytes, name: str = "contacts.vcf") -> ContactImport:
    """Upload and check, as the worker would right after the upload."""
    job = lifecycle.upload("vcards", by=by, stream=io.BytesIO(data), name=name, how="caller")
    return lifecycle.work("vcards", job.pk)


def run(by, data: bytes, name: str = "contacts.vcf") -> ContactImport:
    """Upload and run at once, as `rapport import-vcards` does."""
    job = lifecycle.upload("vcards", by=by, stream=io.BytesIO(data), name=name, how="caller")
    lifecycle.run(by=by, job=job, how="caller", checked=False)
    return lifecycle.work("vcards", job.pk)


def counts(job: ContactImport) -> tuple[int, int, int, int, int, int]:
    return (job.cards, job.created, job.updated, job.unchanged, job.skipped, job.failed)


def every_fixture() -> bytes:
    return b"".join(fixture(name).read_bytes() for name in ALL)


def fields(person: Person) -> dict:
    return {
        name: getattr(person, name)
        for name in (
            "full_name", "email", "other_emails", "orcid", "directory_id", "job_title",
            "department", "building", "room", "notes",
        )
    }  # fmt: skip


def test_run_creates_people_with_their_fields_contacts_and_relationships(world):
    job = run(world.alice, every_fixture(), "address-book.vcf")

    assert job.status == ContactImport.Status.DONE
    assert counts(job) == (6, 6, 0, 0, 0, 0)
    renee = Person.objects.get(email="renee.dupre@northfield.example")
    assert fields(renee) == {
        "full_name": "Renée Dupré",
        "email": "renee.dupre@northfield.example",
        "other_emails": ["rdupre@chem.northfield.example"],
        "orcid": "",
        "directory_id": "",
        "job_title": "Associate Professor",
        "department": "Department of Chemistry",
        "building": "Hamilton Hall",
        "room": "214",
        "notes": "Met at the “open science” café.\nPrefers e-mail.",
    }
    assert renee.created_by == world.alice
    assert (
        renee.search_text
        == "renée dupré renee.dupre@northfield.example rdupre@chem.northfield.example"
    )
    new = Person.objects.filter(created_by=world.alice)
    assert sorted(new.values_list("full_name", flat=True)) == [
        "Ana Šimunović",
        "Dr. Keiko Nakamura",
        "Priya Raman",
        "Renée Dupré",
        "Tomás Ó Briain",
        "lab.manager@northfield.example",
    ]
    # The importer sees them, and each has its relationship row like any new person.
    assert search_people(world.alice, q="northfield").count() == 6
    assert set(Relationship.objects.filter(person__in=new).values_list("stage", flat=True)) == {
        Stage.PROSPECT
    }
    assert Relationship.objects.filter(person__in=new).count() == 6
    # The full-text index followed the bulk insert.
    hits = search(world.alice, "Šimunović", kinds=["person"])
    assert [h.object.full_name for h in hits] == ["Ana Šimunović"]
    # The UID and the nameless card's identity are remembered for the next import.
    assert sorted(CardKey.objects.values_list("key", flat=True))[:2] == [
        "uid:5A9D2C1E-7F41-4E3B-9E0B-2D1F8C6A4B90",
        "uid:urn:uuid:4f0c7c1e-8d2b-4f6e-9a51-6b0e8b7c2d11",
    ]
    # The uploaded copy is gone once the people are in.
    assert not job.file


def test_one_audit_entry_for_the_upload_and_one_for_the_import(world):
    before = AuditEntry.objects.count()
    job = run(world.alice, every_fixture(), "address-book.vcf")

    assert AuditEntry.objects.count() == before + 2
    upload_entry, entry = AuditEntry.objects.order_by("id")[before:]
    assert (upload_entry.action, upload_entry.summary, upload_entry.changes) == (
        "upload",
        "Uploaded address-book.vcf for a vCard import",
        {"file": "address-book.vcf", "size": job.size, "sha256": job.sha256},
    )
    assert (entry.actor, entry.action, entry.object_type, entry.object_id) == (
        world.alice,
        "import",
        "contactimport",
        str(job.pk),
    )
    assert entry.summary == "vCards from address-book.vcf: 6 created, 0 updated"
    assert {k: v for k, v in entry.changes.items() if not k.endswith("_ids")} == {
        "file": "address-book.vcf",
        "sha256": job.sha256,
        "cards": 6,
        "created": 6,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "failed": 0,
    }
    assert sorted(entry.changes["created_ids"]) == sorted(
        Person.objects.filter(created_by=world.alice).values_list("pk", flat=True)
    )


def test_reimporting_the_same_file_changes_nothing(world):
    data = every_fixture() + fixture("broken.vcf").read_bytes()
    first = run(world.alice, data)
    snapshot = sorted((p.pk, p.updated_at, *fields(p).values()) for p in Person.objects.all())
    keys = CardKey.objects.count()

    second = run(world.alice, data)

    assert counts(first) == (11, 9, 0, 0, 0, 2)
    assert counts(second) == (11, 0, 0, 9, 0, 2)
    assert (
        sorted((p.pk, p.updated_at, *fields(p).values()) for p in Person.objects.all()) == snapshot
    )
    assert CardKey.objects.count() == keys


def test_preview_counts_exactly_and_changes_nothing(world):
    people, audit = Person.objects.count(), AuditEntry.objects.count()

    job = upload(world.alice, every_fixture() + fixture("broken.vcf").read_bytes())

    assert job.status == ContactImport.Status.CHECKED
    assert counts(job) == (11, 9, 0, 0, 0, 2)
    assert Person.objects.count() == people
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)[audit:]) == [
        "upload"
    ]
    assert CardKey.objects.count() == 0
    assert job.problems[:3] == [
        [
            4,
            "lab.manager@northfield.example",
            "No name on the card; named after the e-mail address.",
        ],
        [7, "Good Card", "“this line has no colon” is not a property (no colon); left out."],
        [8, "", "END:VCARD without BEGIN:VCARD; nothing to read."],
    ]
    assert job.problem_count == 8
    assert Path(job.file.path).read_bytes()[:11] == b"BEGIN:VCARD"


def test_existing_person_found_by_email_is_updated_not_duplicated(world):
    data = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Ruiz\r\nEMAIL:ANA.RUIZ@uni.example\r\n"
        b"EMAIL:ana@home.example\r\nTITLE:Professor\r\nNOTE:Likes Zotero.\r\nEND:VCARD\r\n"
    )
    job = run(world.alice, data)

    assert counts(job) == (1, 0, 1, 0, 0, 0)
    ana = Person.objects.get(pk=world.ana.pk)
    assert (ana.job_title, ana.other_emails, ana.notes) == (
        "Professor",
        ["ana@home.example"],
        "Likes Zotero.",
    )
    assert ana.search_text == "ana ruiz ana.ruiz@uni.example ana@home.example"
    assert ana.version == 2  # an edit: forms and ETags opened on Ana before are stale
    again = run(world.alice, data)
    assert counts(again) == (1, 0, 0, 1, 0, 0)
    assert Person.objects.get(pk=world.ana.pk).version == 2


def test_found_by_orcid_and_directory_id(world):
    world.ben.orcid, world.ben.directory_id = "0000-0002-1825-0097", "E1001"
    world.ben.save()
    data = (
        b"BEGIN:VCARD\r\nFN:Ben O.\r\nURL:https://orcid.org/0000-0002-1825-0097\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nFN:Ben Okafor\r\nUID:E1001\r\nTITLE:MSc student\r\nEND:VCARD\r\n"
    )
    job = run(world.alice, data)

    assert counts(job) == (2, 0, 2, 0, 0, 0)
    ben = Person.objects.get(pk=world.ben.pk)
    # The second card named the same person: it only fills what the first left blank.
    assert (ben.full_name, ben.job_title) == ("Ben O.", "MSc student")
    assert Person.objects.count() == 4


def test_person_outside_the_importers_groups_is_skipped_and_unchanged(world):
    data = b"BEGIN:VCARD\r\nFN:Hugo M.\r\nEMAIL:hugo@uni.example\r\nTITLE:Dean\r\nEND:VCARD\r\n"
    job = run(world.alice, data)

    assert counts(job) == (1, 0, 0, 0, 1, 0)
    assert job.problems == [
        [
            1,
            "Hugo M.",
            "This person is already in Rapport outside your groups; ask an administrator "
            "to import this card.",
        ]
    ]
    hugo = Person.objects.get(pk=world.hugo.pk)
    assert (hugo.full_name, hugo.job_title) == ("Hugo Marsh", "")


def test_administrator_updates_anyone(world):
    data = b"BEGIN:VCARD\r\nFN:Hugo Marsh\r\nEMAIL:hugo@uni.example\r\nTITLE:Dean\r\nEND:VCARD\r\n"
    job = run(world.ada, data)
    assert counts(job) == (1, 0, 1, 0, 0, 0)
    assert Person.objects.get(pk=world.hugo.pk).job_title == "Dean"


def test_an_email_of_another_person_is_not_added(world):
    data = (
        b"BEGIN:VCARD\r\nFN:Ana Ruiz\r\nEMAIL:ana.ruiz@uni.example\r\n"
        b"EMAIL:ben@uni.example\r\nEND:VCARD\r\n"
    )
    job = run(world.alice, data)
    assert job.problems == [
        [1, "Ana Ruiz", "ben@uni.example belongs to another person; not added."]
    ]
    assert Person.objects.get(pk=world.ana.pk).other_emails == []


def test_cards_without_email_are_found_again_by_uid_or_name(world):
    data = (
        b"BEGIN:VCARD\r\nFN:Only A Name\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nFN:Has A Uid\r\nUID:abc-123\r\nEND:VCARD\r\n"
    )
    first, second = run(world.alice, data), run(world.alice, data)
    assert counts(first) == (2, 2, 0, 0, 0, 0)
    assert counts(second) == (2, 0, 0, 2, 0, 0)
    assert Person.objects.filter(full_name__in=["Only A Name", "Has A Uid"]).count() == 2


def test_same_person_twice_in_one_file_is_one_person(world):
    data = (
        b"BEGIN:VCARD\r\nFN:Twice\r\nEMAIL:twice@x.example\r\nTITLE:First\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nFN:Twice\r\nEMAIL:twice@x.example\r\nTITLE:Second\r\nROLE:x\r\n"
        b"ORG:;Dept\r\nEND:VCARD\r\n"
    )
    first = run(world.alice, data)
    person = Person.objects.get(email="twice@x.example")
    assert (person.job_title, person.department) == ("First", "Dept")
    assert counts(first) == (2, 1, 1, 0, 0, 0)
    assert counts(run(world.alice, data)) == (2, 0, 0, 2, 0, 0)


def test_manager_may_not_import(world):
    with pytest.raises(Forbidden, match="Managers see aggregate figures only"):
        upload(world.mia, fixture("apple-3.0.vcf").read_bytes())
    assert ContactImport.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "That file is empty."),
        (b"<html><body>hello</body></html>", "No vCards found in that file"),
        ("name,email\r\nAna,ana@x\r\n".encode("utf-16"), "No vCards found in that file"),
        (b"x" * (2 * 1024 * 1024) + b"\r\nBEGIN:VCARD\r\nFN:Late\r\nEND:VCARD\r\n", "No vCards"),
    ],
)
def test_not_a_vcard_file_is_refused_and_changes_nothing(world, data, message):
    people = Person.objects.count()
    with pytest.raises(Invalid, match=message):
        upload(world.alice, data)
    assert (ContactImport.objects.count(), Person.objects.count()) == (0, people)


def test_run_of_a_file_whose_cards_all_vanish_fails_and_changes_nothing(world):
    job = lifecycle.upload(
        "vcards",
        by=world.alice,
        stream=io.BytesIO(b"BEGIN:VCARD\r\nFN:x\r\n"),
        name="x.vcf",
        how="caller",
    )
    job.file.save("x.vcf", io.BytesIO(b"nothing here"), save=True)  # replaced under our feet
    lifecycle.run(by=world.alice, job=job, how="caller", checked=False)
    job = lifecycle.work("vcards", job.pk)
    assert (job.status, job.error) == (ContactImport.Status.FAILED, "No vCards found in that file.")
    assert Person.objects.count() == 4
    assert not AuditEntry.objects.filter(action="import").exists()


def test_start_queues_once_and_only_for_the_uploader(world):
    job = upload(world.alice, fixture("apple-3.0.vcf").read_bytes())
    with pytest.raises(NotFound, match=f"There is no import {job.pk} that you can see"):
        lifecycle.run(by=world.bob, job=job)
    started = lifecycle.run(by=world.alice, job=job)
    assert started.status == ContactImport.Status.QUEUED
    with pytest.raises(Invalid, match="already been started"):
        lifecycle.run(by=world.alice, job=job)


def test_an_unchecked_import_cannot_be_started(world):
    job = lifecycle.upload(
        "vcards",
        by=world.alice,
        stream=fixture("apple-3.0.vcf").open("rb"),
        name="a.vcf",
        how="caller",
    )
    assert job.status == ContactImport.Status.CHECKING
    with pytest.raises(Invalid, match="not checked yet"):
        lifecycle.run(by=world.alice, job=job)


def test_the_worker_checks_then_runs_each_once(world):
    job = lifecycle.upload(
        "vcards",
        by=world.alice,
        stream=fixture("apple-3.0.vcf").open("rb"),
        name="a.vcf",
        how="caller",
    )
    assert lifecycle.work("vcards", job.pk).status == ContactImport.Status.CHECKED
    assert (
        lifecycle.work("vcards", job.pk).status == ContactImport.Status.CHECKED
    )  # nothing to do until started
    lifecycle.run(by=world.alice, job=job)
    assert counts(lifecycle.work("vcards", job.pk)) == (1, 1, 0, 0, 0, 0)
    assert lifecycle.work("vcards", job.pk).status == ContactImport.Status.DONE
    assert lifecycle.work("vcards", job.pk).status == ContactImport.Status.DONE
    assert Person.objects.filter(full_name="Dr. Keiko Nakamura").count() == 1
    assert AuditEntry.objects.filter(action="import").count() == 1


def test_bulk_state_is_what_a_full_recompute_gives(world):
    CadenceRule.objects.create(name="Others", status="other", ideal_days=30, max_days=60)
    run(world.alice, every_fixture())

    def state():
        rows = Relationship.objects.filter(person__created_by=world.alice)
        return sorted(rows.values_list(*RELATIONSHIP_COLUMNS))

    imported = state()
    refresh_all()
    assert state() == imported
    rows = Relationship.objects.filter(person__created_by=world.alice)
    assert (
        sorted(rows.values_list("ideal_days", "max_days", "cadence_source"))
        == [(30, 60, "rule: Others")] * 6
    )
    new = Person.objects.filter(created_by=world.alice)
    assert all(p.created_at == p.updated_at and p.created_at is not None for p in new)
    assert (
        sorted(
            Person.contacts.through.objects.filter(person__in=new).values_list("user_id", flat=True)
        )
        == [world.alice.pk] * 6
    )


def test_own_export_imported_back_finds_everyone_even_without_email(world):
    world.ben.email = ""
    world.ben.save()
    data = b"".join(write_cards(Person.objects.filter(pk__in=[world.ana.pk, world.ben.pk])))

    job = run(world.alice, data)

    assert counts(job) == (2, 0, 0, 2, 0, 0)
    assert Person.objects.count() == 4


def test_a_card_with_text_that_cannot_be_stored_fails_alone(world):
    """A NUL byte in a card (PostgreSQL cannot store it; SQLite would keep it) fails that card
    with a message naming the property; the other cards are imported."""
    data = (
        b"BEGIN:VCARD\r\nFN:Zoe Quinn\r\nNOTE:met at the \x00 fair\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nFN:Yann Ruiz\r\nEMAIL;TYPE=wo\x00rk:yann@uni.example\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nFN:Xia Chen\r\nEND:VCARD\r\n"
    )
    people = set(Person.objects.values_list("full_name", flat=True))

    job = run(world.alice, data)

    assert counts(job) == (3, 1, 0, 0, 0, 2)
    assert job.problems == [
        [1, "", "The text contains a character that cannot be stored (a NUL byte) in “NOTE”."],
        [2, "", "The text contains a character that cannot be stored (a NUL byte) in “EMAIL”."],
    ]
    assert set(Person.objects.values_list("full_name", flat=True)) == people | {"Xia Chen"}
    assert CardKey.objects.count() == 1
