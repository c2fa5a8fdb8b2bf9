"""Large files go to the queue: the worker does the dry run and the run."""

import pytest
from django.core.management import call_command

from rapport.imports import services
from rapport.imports.models import ImportJob
from rapport.touchpoints.models import Touchpoint
from tests.imports.conftest import FIXTURES, upload


@pytest.mark.django_db(transaction=True)
def test_worker_works_a_queued_dry_run_and_run(staff):
    # Committed for real: the worker reads the queue as in production.
    job = upload(staff.alice, FIXTURES / "desk_log.csv")
    services.start_dry_run(by=staff.alice, job=job, how="queue")
    assert ImportJob.objects.get(pk=job.pk).status == "checking"
    call_command("worker", "--batch", verbosity=0)
    assert ImportJob.objects.get(pk=job.pk).status == "checked"

    services.start_run(by=staff.alice, job=job, how="queue")
    assert ImportJob.objects.get(pk=job.pk).status == "queued"
    call_command("worker", "--batch", verbosity=0)

    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 5)
    assert Touchpoint.objects.filter(source_system="generic").count() == 5


def test_a_small_file_is_worked_in_the_request(staff, django_capture_on_commit_callbacks):
    job = upload(staff.alice, FIXTURES / "desk_log.csv")
    with django_capture_on_commit_callbacks(execute=True):
        services.start_dry_run(by=staff.alice, job=job)

    assert ImportJob.objects.get(pk=job.pk).status == "checked"
