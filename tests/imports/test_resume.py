"""A job whose worker died can be resumed at once; one whose worker is alive cannot. The
worker holds a lock on the job for as long as it works it (rapport/uploads/models.py)."""

import os
import signal
import subprocess
import sys

import pytest

from rapport.errors import Invalid
from rapport.imports import engine
from rapport.imports.models import ImportJob
from rapport.imports.services import resume
from rapport.touchpoints.models import Touchpoint
from rapport.uploads.models import this_worker
from tests.imports.conftest import FIXTURES, upload

DESK = FIXTURES / "desk_log.csv"


def _running(job: ImportJob, worker: str) -> ImportJob:
    """The job as a worker leaves it mid-run: claimed, started, nothing committed yet."""
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", worker=worker, started_at=job.created_at
    )
    job.refresh_from_db()
    return job


def test_a_run_whose_worker_died_resumes_at_once(staff):
    # The worker named itself and then died: nobody holds the job's lock.
    job = _running(upload(staff.alice, DESK), "worker-host:4242")
    assert job.worker_gone

    resume(by=staff.alice, job=job, how="caller")
    job = engine.run_job(job.pk)

    assert (job.status, job.created, job.worker) == ("done", 5, "")
    assert Touchpoint.objects.filter(source_system="generic").count() == 5


def test_a_run_whose_worker_is_alive_cannot_be_resumed(staff):
    job = upload(staff.alice, DESK)
    with job.hold() as held:  # as the worker does, for as long as it works the job
        assert held
        job = _running(job, this_worker())
        assert not job.worker_gone

        with pytest.raises(Invalid) as err:
            resume(by=staff.alice, job=job, how="caller")

    assert err.value.message == (
        "This import is being worked on; it can be resumed only if it stops."
    )
    job.refresh_from_db()
    assert (job.status, job.worker) == ("running", this_worker())
    assert Touchpoint.objects.filter(source_system="generic").count() == 0
    assert job.worker_gone  # the lock was let go: now it may be resumed


def test_a_second_worker_leaves_a_job_another_holds(staff):
    job = upload(staff.alice, DESK)
    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    with job.hold():
        again = engine.run_job(job.pk)  # a duplicate task, in another process

    assert (again.status, again.worker) == ("queued", "")
    assert Touchpoint.objects.filter(source_system="generic").count() == 0


def test_a_job_waiting_in_the_queue_has_lost_no_worker(staff):
    job = upload(staff.alice, DESK)
    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    job.refresh_from_db()

    assert not job.worker_gone
    with pytest.raises(Invalid):
        resume(by=staff.alice, job=job, how="caller")


def test_a_dry_run_whose_worker_died_is_checked_again(staff):
    job = upload(staff.alice, DESK)
    ImportJob.objects.filter(pk=job.pk).update(status="checking", worker="worker-host:4242")
    job.refresh_from_db()

    resume(by=staff.alice, job=job, how="caller")
    job = engine.check_job(job.pk)

    assert (job.status, job.dry_run["created"]) == ("checked", 5)


def test_a_worker_killed_with_sigkill_is_seen_gone_at_once(staff, media):
    """A real process holds the job's lock, as a worker does, and is killed with SIGKILL."""
    job = upload(staff.alice, DESK)
    holder = (
        "import os, sys, time, django\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'rapport.settings'\n"
        "django.setup()\n"
        "from rapport.imports.models import ImportJob\n"
        "with ImportJob(pk=int(sys.argv[1])).hold() as held:\n"
        "    print('held' if held else 'not held', flush=True)\n"
        "    time.sleep(120)\n"
    )
    env = {**os.environ, "RAPPORT_MEDIA_ROOT": str(media), "RAPPORT_SECRET_KEY": "x"}
    worker = subprocess.Popen(
        [sys.executable, "-c", holder, str(job.pk)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline() == "held\n"
        job = _running(job, f"{this_worker().rpartition(':')[0]}:{worker.pid}")
        with pytest.raises(Invalid):
            resume(by=staff.alice, job=job, how="caller")

        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

        job.refresh_from_db()
        resume(by=staff.alice, job=job, how="caller")  # at once: no waiting
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
    assert engine.run_job(job.pk).created == 5


def test_a_job_running_from_before_workers_were_named_can_be_resumed(staff):
    job = _running(upload(staff.alice, DESK), "")

    assert job.worker_gone
    resume(by=staff.alice, job=job, how="caller")
    assert engine.run_job(job.pk).created == 5
