"""The worker's lock on a job, for every kind of import (`UploadJob.hold`, `worker_gone`):
a vCard or calendar import whose worker died is started again at once; one whose worker is
alive is left alone. (Touchpoint and people imports: tests/imports/test_resume.py.)"""

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest

from rapport.audit.models import AuditEntry
from rapport.calendars.models import CalendarImport
from rapport.contacts.models import ContactImport
from rapport.errors import Invalid
from rapport.people.models import Person
from rapport.touchpoints.models import Touchpoint
from rapport.uploads import lifecycle
from rapport.uploads.models import _process_gone, this_worker
from rapport.uploads.services import STILL_WORKING

HERE = Path(__file__).parent.parent
CARD = (HERE / "contacts/fixtures/apple-3.0.vcf").read_bytes()
ICS = (HERE / "calendars/fixtures/google.ics").read_bytes()
DEAD = "worker-host:4242"  # a worker that named itself, then died: nobody holds the lock


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _vcards(world) -> ContactImport:
    return lifecycle.upload(
        "vcards", by=world.alice, stream=io.BytesIO(CARD), name="a.vcf", how="caller"
    )


def _ics(world) -> CalendarImport:
    return lifecycle.upload(
        "ics", by=world.alice, stream=io.BytesIO(ICS), name="g.ics", since=dt.date(2025, 1, 1)
    )


def _stopped(job, status: str, worker: str = DEAD):
    type(job).objects.filter(pk=job.pk).update(status=status, worker=worker)
    job.refresh_from_db()
    return job


def test_the_worker_is_named_while_it_works_and_forgotten_after(world):
    job = _vcards(world)
    seen = []
    lifecycle.work(
        "vcards",
        job.pk,
        progress=lambda n: seen.append(
            ContactImport.objects.values_list("worker", flat=True).get(pk=job.pk)
        ),
    )

    job.refresh_from_db()
    assert seen and set(seen) == {this_worker()}
    assert (job.status, job.worker) == ("checked", "")


def test_a_vcard_run_whose_worker_died_is_started_again_at_once(
    world, django_capture_on_commit_callbacks
):
    job = _stopped(lifecycle.work("vcards", _vcards(world).pk), "running")
    assert job.worker_gone

    with django_capture_on_commit_callbacks() as queued:
        resumed = lifecycle.resume(by=world.alice, job=job)
    done = lifecycle.work("vcards", job.pk)  # what the queued task does

    assert (resumed.status, resumed.worker, len(queued)) == ("queued", "", 1)
    assert (done.status, done.created, done.worker) == ("done", 1, "")
    assert Person.objects.filter(full_name="Dr. Keiko Nakamura").count() == 1
    entry = AuditEntry.objects.get(action="resume")
    assert (entry.actor, entry.changes) == (world.alice, {"status": ["running", "queued"]})


def test_a_vcard_check_whose_worker_died_is_checked_again(world):
    job = _stopped(_vcards(world), "checking")

    lifecycle.resume(by=world.alice, job=job)

    assert lifecycle.work("vcards", job.pk).status == "checked"


def test_a_vcard_import_whose_worker_is_alive_is_left_alone(world):
    job = lifecycle.work("vcards", _vcards(world).pk)
    with job.hold():
        job = _stopped(job, "running", this_worker())
        with pytest.raises(Invalid) as err:
            lifecycle.resume(by=world.alice, job=job)
        assert lifecycle.work("vcards", job.pk).status == "running"  # a second task: no

    assert err.value.message == STILL_WORKING
    job.refresh_from_db()
    assert (job.status, job.worker) == ("running", this_worker())
    assert not AuditEntry.objects.filter(action="resume").exists()


def test_a_calendar_run_whose_worker_died_is_started_again_at_once(world):
    job = _stopped(_ics(world), "running")

    lifecycle.resume(by=world.alice, job=job)
    done = lifecycle.work("ics", job.pk)

    assert (done.status, done.meetings, done.worker) == ("done", 5, "")
    assert Touchpoint.objects.filter(source_system="ics").count() == 5


def test_a_calendar_run_whose_worker_is_alive_is_left_alone(world):
    job = _ics(world)
    with job.hold():
        job = _stopped(job, "running", this_worker())
        with pytest.raises(Invalid):
            lifecycle.resume(by=world.alice, job=job)

    job.refresh_from_db()
    assert job.status == "running"
    assert not Touchpoint.objects.filter(source_system="ics").exists()


def test_a_finished_or_waiting_import_is_not_resumed(world):
    waiting = _stopped(_ics(world), "queued", "")
    finished = _stopped(_ics(world), "done", "")

    for job in (waiting, finished):
        with pytest.raises(Invalid):
            lifecycle.resume(by=world.alice, job=job)


def test_the_page_says_the_worker_stopped_and_offers_to_resume(client, world):
    job = _stopped(lifecycle.work("vcards", _vcards(world).pk), "running")
    client.force_login(world.alice)

    page = client.get(job.get_absolute_url()).content.decode()
    response = client.post(f"/contacts/import/{job.pk}/resume/")

    assert "The worker stopped before it finished" in page
    assert 'hx-trigger="every 1s"' not in page
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.worker) == ("queued", "")


def test_a_calendar_preview_whose_worker_died_is_read_again(world):
    job = _stopped(_ics(world), "checking")

    resumed = lifecycle.resume(by=world.alice, job=job)
    done = lifecycle.work("ics", job.pk)

    assert (resumed.status, done.status, done.events, done.worker) == (
        "checking", "checked", 8, ""
    )  # fmt: skip


def test_where_files_cannot_be_locked_a_worker_on_this_host_is_gone_with_its_process():
    host = this_worker().rpartition(":")[0]
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()

    assert _process_gone(f"{host}:{ended.pid}")
    assert not _process_gone(this_worker())  # this process: alive
    assert not _process_gone(f"another-host:{ended.pid}")  # another host's: cannot tell
