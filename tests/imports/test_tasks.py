"""Large files go to the queue: the worker does the dry run and the run."""

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from rapport.imports import services
from rapport.imports.models import ImportJob
from rapport.touchpoints.models import Touchpoint
from tests.imports.conftest import FIXTURES, upload


@pytest.mark.django_db(transaction=True)
def test_worker_works_a_queued_dry_run_and_run(staff):
    # Committed for real: the worker reads the queue as in production.
    job = upload(staff.alice, FIXTURES / "desk_log.csv")
    services.check(by=staff.alice, job=job, how="queue")
    assert ImportJob.objects.get(pk=job.pk).status == "checking"
    call_command("worker", "--batch", verbosity=0)
    assert ImportJob.objects.get(pk=job.pk).status == "checked"

    services.run(by=staff.alice, job=job, how="queue")
    assert ImportJob.objects.get(pk=job.pk).status == "queued"
    call_command("worker", "--batch", verbosity=0)

    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 5)
    assert Touchpoint.objects.filter(source_system="generic").count() == 5


def test_a_small_file_is_worked_in_the_request(staff, django_capture_on_commit_callbacks):
    job = upload(staff.alice, FIXTURES / "desk_log.csv")
    with django_capture_on_commit_callbacks(execute=True):
        services.check(by=staff.alice, job=job)

    assert ImportJob.objects.get(pk=job.pk).status == "checked"


@pytest.mark.django_db(transaction=True)
def test_the_worker_reads_an_uploaded_workbook(staff, tmp_path):
    book = Workbook()
    book.active.append(["Timestamp", "Staff", "Question"])
    book.active.append(["2025-02-03 10:00", "AL", "Where is the map room?"])
    book.save(tmp_path / "desk.xlsx")
    with (tmp_path / "desk.xlsx").open("rb") as stream:
        job = services.upload(by=staff.alice, stream=stream, name="desk.xlsx")
    assert ImportJob.objects.get(pk=job.pk).status == "reading"

    call_command("worker", "--batch", verbosity=0)

    job.refresh_from_db()
    assert (job.status, job.format, job.preview["headers"]) == (
        "uploaded", "generic", ["Timestamp", "Staff", "Question"]
    )  # fmt: skip
