"""One lifecycle for every upload job: the kinds registered, the one task that works each kind,
the one status page, and a new importer that is only a reader plus a writer."""

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from rapport.accounts.models import User
from rapport.audit.models import AuditEntry
from rapport.calendars.models import CalendarImport
from rapport.contacts.models import ContactImport
from rapport.errors import Invalid
from rapport.imports.models import ImportJob
from rapport.people.models import Person
from rapport.uploads import lifecycle
from rapport.uploads.kinds import Progress, kind_named, kind_of, kinds, register
from rapport.uploads.lifecycle import FileKind
from rapport.uploads.services import Stored

HERE = Path(__file__).parent.parent
CARD = (HERE / "contacts/fixtures/apple-3.0.vcf").read_bytes()
ICS = (HERE / "calendars/fixtures/google.ics").read_bytes()
DESK = (HERE / "imports/fixtures/desk_log.csv").read_bytes()
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files(media: Path) -> list[str]:
    return sorted(p.name for p in media.rglob("*") if p.is_file() and "locks" not in p.parts)


def test_every_import_is_a_registered_kind_found_by_name_and_by_its_job():
    assert sorted(kind.name for kind in kinds()) == ["ics", "imports", "vcards"]
    assert kind_of(ImportJob) is kind_named("imports")
    assert kind_of(ContactImport) is kind_named("vcards")
    assert kind_of(CalendarImport(pk=1)) is kind_named("ics")
    with pytest.raises(LookupError, match=r"No kind of upload job is named 'nope'\."):
        kind_named("nope")


def test_a_second_kind_under_a_taken_name_is_refused():
    class Impostor:
        name, model = "vcards", CalendarImport

    with pytest.raises(ValueError, match=r"Two kinds of upload job are named 'vcards'\."):
        register(Impostor())  # type: ignore[arg-type]
    assert kind_named("vcards").model is ContactImport


@pytest.mark.django_db(transaction=True)
def test_the_one_task_works_every_kind_through_the_same_verbs(world):
    """Each kind is queued as `work_on_upload(kind, job_id)`, and the worker checks, then runs,
    whatever the kind: the same verbs, the same statuses."""
    jobs = {
        "imports": lifecycle.upload(
            "imports", by=world.alice, stream=io.BytesIO(DESK), name="desk.csv", how="queue"
        ),
        "vcards": lifecycle.upload(
            "vcards", by=world.alice, stream=io.BytesIO(CARD), name="a.vcf", how="queue"
        ),
        "ics": lifecycle.upload(
            "ics",
            by=world.alice,
            stream=io.BytesIO(ICS),
            name="g.ics",
            since=dt.date(2025, 1, 1),
            how="queue",
        ),
    }
    lifecycle.check(by=world.alice, job=jobs["imports"], how="queue")  # its dry run
    queued = DBTaskResult.objects.order_by("enqueued_at", "id")
    assert {t.task_path for t in queued} == {"rapport.uploads.tasks.work_on_upload"}
    assert sorted(tuple(t.args_kwargs["args"]) for t in queued) == sorted(
        (name, job.pk) for name, job in jobs.items()
    )

    call_command("worker", "--batch", verbosity=0)
    for job in jobs.values():
        job.refresh_from_db()
        assert job.status == "checked", type(job).__name__
        lifecycle.run(by=world.alice, job=job, how="queue")
        assert type(job).objects.get(pk=job.pk).status == "queued"

    call_command("worker", "--batch", verbosity=0)
    done = {name: type(job).objects.get(pk=job.pk) for name, job in jobs.items()}
    assert {name: job.status for name, job in done.items()} == dict.fromkeys(jobs, "done")
    assert (done["imports"].created, done["vcards"].created, done["ics"].meetings) == (5, 1, 5)


def test_run_before_check_and_twice_is_refused_alike_for_every_kind(world):
    job = lifecycle.upload(
        "vcards", by=world.alice, stream=io.BytesIO(CARD), name="a.vcf", how="caller"
    )
    with pytest.raises(Invalid, match="not checked yet"):
        lifecycle.run(by=world.alice, job=job)
    lifecycle.work("vcards", job.pk)
    lifecycle.run(by=world.alice, job=job, how="caller")
    with pytest.raises(Invalid, match="This import has already been started"):
        lifecycle.run(by=world.alice, job=job, how="caller")
    with pytest.raises(Invalid, match=r"This import has already been started\."):
        lifecycle.check(by=world.alice, job=job, how="caller")
    assert ContactImport.objects.get(pk=job.pk).status == "queued"


# A new importer: a reader plus a writer, nothing else ---------------------------------------


class Names(FileKind):
    """Test importer: one person per line of a text file that starts with "NAMES"."""

    name = "names"
    model = ContactImport  # any UploadJob with the lifecycle's statuses
    details = "contacts/job_details.html"
    list_url = "contacts:import"
    title = "name imports"
    urls = {"run": "contacts:import_run", "resume": "contacts:import_resume"}

    def access(self, user: User, pk: int | str, *, for_write: bool = False) -> Any:
        return ContactImport.objects.get(pk=pk)

    def accept(self, by: User, stored: Stored, **options: Any) -> ContactImport:
        if not stored.full_path.read_bytes().startswith(b"NAMES\n"):
            raise Invalid("That is not a list of names.", {"file": ["Not names."]})
        return ContactImport()

    def _names(self, job: Any) -> list[str]:
        with job.file.open("rb") as stream:
            return [line for line in stream.read().decode().splitlines()[1:] if line]

    def check_file(self, job: Any, by: User, progress: Progress) -> None:
        names = self._names(job)
        if "!" in names:
            raise Invalid("A name is only “!”.")
        job.cards = job.created = len(names)

    def write_file(self, job: Any, by: User, progress: Progress) -> tuple[str, dict[str, Any]]:
        for number, name in enumerate(self._names(job), 1):
            if name == "?":
                raise Invalid(f"Line {number} has no name.")
            Person.objects.create(full_name=name)
            if progress:
                progress(number)
        return f"Names from {job.original_name}", {"created": job.created}


NAMES = Names()


def _names(world, text: bytes, how: str = "caller") -> ContactImport:
    return NAMES.upload(by=world.alice, stream=io.BytesIO(text), name="n.txt", how=how)


def test_a_reader_and_a_writer_get_the_whole_lifecycle(world, media):
    people = Person.objects.count()
    job = _names(world, b"NAMES\nIda Lund\nOle Berg\n")
    assert (job.status, job.original_name, job.size) == ("checking", "n.txt", 24)

    checked = NAMES.work(job.pk)
    assert (checked.status, checked.cards, checked.worker) == ("checked", 2, "")
    assert Person.objects.count() == people

    NAMES.run(by=world.alice, job=checked, how="caller")
    seen: list[int] = []
    done = NAMES.work(job.pk, seen.append)

    assert (done.status, done.worker, done.file.name) == ("done", "", "")
    assert seen == [1, 2]
    assert Person.objects.filter(full_name__in=["Ida Lund", "Ole Berg"]).count() == 2
    assert _files(media) == []  # in the database now: the upload is not kept
    entries = AuditEntry.objects.filter(object_id=str(job.pk)).order_by("id")
    assert [(e.action, e.summary) for e in entries] == [
        ("upload", "Uploaded n.txt for import"),
        ("import", "Names from n.txt"),
    ]
    assert entries[1].changes == {"file": "n.txt", "sha256": job.sha256, "created": 2}
    assert NAMES.work(job.pk).status == "done"  # a second delivery of the task: nothing


def test_a_file_the_reader_refuses_keeps_no_job_and_no_file(world, media):
    with pytest.raises(Invalid, match=r"That is not a list of names\."):
        _names(world, b"Ida Lund\n")
    assert ContactImport.objects.count() == 0
    assert _files(media) == []


def test_a_failed_check_says_why_and_keeps_no_file(world, media):
    job = NAMES.work(_names(world, b"NAMES\nIda\n!\n").pk)
    assert (job.status, job.error, job.file.name) == ("failed", "A name is only “!”.", "")
    assert _files(media) == []


def test_a_failed_run_writes_nothing_and_says_why(world):
    people = Person.objects.count()
    job = _names(world, b"NAMES\nIda Lund\n?\n")
    NAMES.run(by=world.alice, job=job, how="caller", checked=False)  # as a command may
    job = NAMES.work(job.pk)
    assert (job.status, job.error) == ("failed", "Line 2 has no name.")
    assert Person.objects.count() == people  # Ida too: the run is one transaction
    assert not AuditEntry.objects.filter(action="import").exists()


def test_an_uploader_who_left_cannot_have_their_file_imported(world):
    job = _names(world, b"NAMES\nIda Lund\n")
    User.objects.filter(pk=world.alice.pk).update(is_active=False)
    job = NAMES.work(job.pk)
    assert (job.status, job.error) == (
        "failed",
        "The librarian who uploaded this file can no longer import it; upload it again.",
    )


# The one status page ----------------------------------------------------------------------


def test_every_kind_shows_the_same_status_page_with_its_own_details(client, world):
    client.force_login(world.alice)
    table = lifecycle.upload(
        "imports", by=world.alice, stream=io.BytesIO(DESK), name="desk.csv", how="caller"
    )
    cards = lifecycle.work(
        "vcards",
        lifecycle.upload(
            "vcards", by=world.alice, stream=io.BytesIO(CARD), name="a.vcf", how="caller"
        ).pk,
    )
    meetings = lifecycle.upload(
        "ics", by=world.alice, stream=io.BytesIO(ICS), name="g.ics", since=dt.date(2025, 1, 1)
    )
    pages = {
        job: client.get(job.get_absolute_url()).content.decode() for job in (table, cards, meetings)
    }
    for job, page in pages.items():
        assert f"<h1>Import of {job.original_name}</h1>" in page
        assert '<section class="card" id="job-status"' in page
    assert '<h2 id="preview-title">1. Preview</h2>' in pages[table]
    assert "Import 1 change</button>" in pages[cards]
    assert "Log 5 meetings</button>" in pages[meetings]
    assert f'action="{reverse("contacts:import_run", args=[cards.pk])}"' in pages[cards]
    assert f'action="{reverse("calendars:import_run", args=[meetings.pk])}"' in pages[meetings]
    assert '<a href="/contacts/import/">All vCard imports</a>' in pages[cards]


def test_the_status_polls_while_busy_and_reloads_the_page_once_the_step_changes(client, world):
    client.force_login(world.alice)
    job = lifecycle.upload(
        "vcards", by=world.alice, stream=io.BytesIO(CARD), name="a.vcf", how="caller"
    )
    url = job.get_absolute_url()
    page = client.get(url).content.decode()
    assert f'hx-get="{url}?was=checking"' in page

    still = client.get(f"{url}?was=checking", **HTMX)
    assert still.content.decode().lstrip().startswith('<section class="card" id="job-status"')
    assert "HX-Refresh" not in still

    lifecycle.work("vcards", job.pk)
    moved = client.get(f"{url}?was=checking", **HTMX)
    assert moved["HX-Refresh"] == "true"
    assert "hx-get" not in moved.content.decode()  # checked: nothing to follow


def test_the_buttons_answer_the_same_way_for_every_kind(client, world):
    client.force_login(world.alice)
    job = lifecycle.upload(
        "vcards", by=world.alice, stream=io.BytesIO(CARD), name="a.vcf", how="caller"
    )
    response = client.post(reverse("contacts:import_run", args=[job.pk]), follow=True)
    assert response.redirect_chain == [(job.get_absolute_url(), 302)]
    assert "This import has already been started, or is not checked yet." in response.text
    assert ContactImport.objects.get(pk=job.pk).status == "checking"  # nothing changed

    response = client.post(reverse("contacts:import_resume", args=[job.pk]), follow=True)
    assert "This import is being worked on; it can be resumed only if it stops." in (response.text)
