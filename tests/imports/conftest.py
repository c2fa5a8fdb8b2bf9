"""Import tests: uploads land in a temporary MEDIA_ROOT; alice and bob have initials."""

from pathlib import Path

import pytest

from rapport.imports import engine, services
from rapport.imports.models import ImportJob

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff(world):
    world.alice.initials = "AL"
    world.alice.save()
    world.bob.initials = "BB"
    world.bob.save()
    return world


def upload(by, path: Path, **options) -> ImportJob:
    """Upload as the page does; a workbook is then read as the worker would."""
    with path.open("rb") as stream:
        job = services.upload(by=by, stream=stream, name=path.name, how="caller", **options)
    if job.status == ImportJob.Status.READING:
        job = engine.read_job(job.pk)
    return job


def dry_run(by, job: ImportJob, **kw) -> ImportJob:
    services.check(by=by, job=job, how="caller")
    return engine.check_job(job.pk, **kw)


def run(by, job: ImportJob, **kw) -> ImportJob:
    services.run(by=by, job=job, how="caller")
    return engine.run_job(job.pk, **kw)


def import_file(by, path: Path, **options) -> ImportJob:
    """Upload, dry run and run, as `rapport import` does."""
    job = upload(by, path, **options)
    dry_run(by, job)
    return run(by, job)
