"""The one way an uploaded file becomes a job: storing it within the limit, the facts every job
has, and the upload step of the three import pages (touchpoints and people, vCards, calendars).
"""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rapport.audit.models import AuditEntry
from rapport.calendars.models import CalendarImport
from rapport.contacts.models import ContactImport
from rapport.errors import Invalid
from rapport.imports.models import ImportJob
from rapport.uploads.models import too_large, upload_limit
from rapport.uploads.services import save_upload_job, store_upload

MB = 1024 * 1024
TESTS = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def kept(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


def test_a_file_is_kept_under_its_folder_with_its_size_and_hash(media):
    stored = store_upload(io.BytesIO(b"BEGIN:VCARD\r\n"), folder="contacts", name="Müller list.vcf")

    assert re.fullmatch(r"contacts/\d{4}/\d{2}/[0-9a-f]{12}-Müller_list\.vcf", stored.path)
    assert (stored.name, stored.size) == ("Müller list.vcf", 13)
    assert stored.sha256 == "6b3a49f6394f2622a30783c3bd238baaf402eb5ee2cd62eb4d3a2ea6a7bc6a94"
    assert kept(media) == [media / stored.path]


@pytest.mark.parametrize(
    ("name", "shown", "on_disk"),
    [
        ("../../etc/passwd", "passwd", "passwd"),
        ("C:\\Users\\ana\\contacts.vcf", "contacts.vcf", "contacts.vcf"),
        ("???", "???", "upload"),
        ("", "upload", "upload"),
    ],
)
def test_names_never_leave_the_folder(media, name, shown, on_disk):
    stored = store_upload(io.BytesIO(b"x"), folder="imports", name=name)
    assert stored.name == shown
    assert stored.path.split("/")[:1] == ["imports"]
    assert stored.path.endswith(f"-{on_disk}")
    assert kept(media)[0].is_relative_to(media / "imports")


def test_too_large_or_empty_is_refused_and_nothing_kept(settings, media):
    settings.RAPPORT_IMPORT_MAX_MB = 1
    with pytest.raises(Invalid) as err:
        store_upload(io.BytesIO(b"x" * (MB + 1)), folder="imports", name="big.csv")
    assert err.value.message == (
        "That file is larger than the 1 MB allowed for imports (RAPPORT_IMPORT_MAX_MB). "
        "Split it, or ask an administrator to raise the limit."
    )
    with pytest.raises(Invalid) as err:
        store_upload(io.BytesIO(b""), folder="imports", name="empty.csv")
    assert (err.value.message, err.value.fields) == ("That file is empty.", {"file": ["Empty."]})
    assert kept(media) == []


def test_an_imports_own_cap_applies_only_below_the_setting(settings):
    settings.RAPPORT_IMPORT_MAX_MB = 200
    assert (upload_limit(), upload_limit(20)) == (200 * MB, 20 * MB)
    assert (
        too_large(20 * MB, 20) == "That file is larger than the 20 MB this import reads; split it."
    )
    settings.RAPPORT_IMPORT_MAX_MB = 5
    assert upload_limit(20) == 5 * MB
    assert too_large(5 * MB, 20).startswith("That file is larger than the 5 MB allowed for imports")


def test_a_job_is_saved_with_its_file_and_one_audit_entry(world, media):
    stored = store_upload(io.BytesIO(b"data"), folder="contacts", name="a.vcf")
    job = save_upload_job(
        ContactImport(), by=world.alice, stored=stored, summary="Uploaded a.vcf", changes={"x": 1}
    )

    job.refresh_from_db()
    assert (job.file.name, job.original_name, job.size, job.created_by) == (
        stored.path,
        "a.vcf",
        4,
        world.alice,
    )
    entry = AuditEntry.objects.get(action="upload")
    assert (entry.actor, entry.object_type, entry.object_id, entry.summary) == (
        world.alice,
        "contactimport",
        str(job.pk),
        "Uploaded a.vcf",
    )
    assert entry.changes == {"file": "a.vcf", "size": 4, "sha256": stored.sha256, "x": 1}


def test_busy_finished_end_and_removing_the_file(world, media):
    stored = store_upload(io.BytesIO(b"data"), folder="calendars", name="a.ics")
    job = save_upload_job(
        CalendarImport(since="2025-01-01", status="queued"), by=world.alice, stored=stored,
        summary="Uploaded",
    )  # fmt: skip
    assert (job.busy, job.finished) == (True, False)

    job.end("failed", "Broken. " * 200)

    job.refresh_from_db()
    assert (job.busy, job.finished, len(job.error)) == (False, True, 1000)
    assert job.finished_at is not None
    job.remove_file()
    job.refresh_from_db()
    assert (job.file.name, job.original_name, kept(media)) == ("", "a.ics", [])


def test_the_job_models_share_the_uploaded_file_fields():
    shared = {"file", "original_name", "size", "sha256", "created_by", "error", "created_at"}
    shared |= {"started_at", "finished_at"}
    for model in (ImportJob, ContactImport, CalendarImport):
        assert shared <= {f.name for f in model._meta.get_fields()}, model


def _post(client, url: str, data: dict, size: int):
    """A POST whose Content-Length says `size`, though its body is small: the page must answer
    from the header alone."""
    upload = SimpleUploadedFile("big.bin", b"x")
    return client.post(url, {**data, "file": upload}, CONTENT_LENGTH=str(size))


@pytest.mark.parametrize(
    ("url", "data", "model", "message"),
    [
        (
            "imports:upload",
            {"target": "touchpoints"},
            ImportJob,
            "That file is larger than the 1 MB allowed for imports (RAPPORT_IMPORT_MAX_MB).",
        ),
        (
            "contacts:import",
            {},
            ContactImport,
            "That file is larger than the 1 MB allowed for imports (RAPPORT_IMPORT_MAX_MB).",
        ),
        (
            "calendars:import",
            {},
            CalendarImport,
            "That file is larger than the 1 MB allowed for imports (RAPPORT_IMPORT_MAX_MB).",
        ),
    ],
)
def test_every_import_page_refuses_a_file_over_the_limit_before_reading_it(
    client, world, settings, media, url, data, model, message
):
    settings.RAPPORT_IMPORT_MAX_MB = 1
    client.force_login(world.alice)

    response = _post(client, reverse(url), data, 2 * MB)

    assert response.status_code == 422
    assert message in response.text
    assert '<div class="form-errors" role="alert">' in response.text
    assert (model.objects.count(), kept(media)) == (0, [])


def test_the_calendar_page_says_its_own_cap(client, world, settings, media):
    settings.RAPPORT_IMPORT_MAX_MB = 200
    client.force_login(world.alice)

    response = _post(client, reverse("calendars:import"), {}, 21 * MB)

    assert response.status_code == 422
    assert "That file is larger than the 20 MB this import reads; split it." in response.text
    assert "Up to 20 MB." in response.text


@pytest.mark.parametrize(
    ("url", "model", "folder", "fixture", "data"),
    [
        ("contacts:import", ContactImport, "contacts", "contacts/fixtures/apple-3.0.vcf", {}),
        (
            "calendars:import",
            CalendarImport,
            "calendars",
            "calendars/fixtures/google.ics",
            {"since": "2025-01-01"},
        ),
    ],
)
def test_an_upload_is_kept_audited_and_shown(
    client, world, media, url, model, folder, fixture, data
):
    body = (TESTS / fixture).read_bytes()
    client.force_login(world.alice)

    response = client.post(reverse(url), {**data, "file": SimpleUploadedFile("Team list", body)})

    job = model.objects.get()
    assert (response.status_code, response.url) == (302, job.get_absolute_url())
    assert (job.original_name, job.size, job.created_by) == ("Team list", len(body), world.alice)
    assert job.file.name.startswith(f"{folder}/") and job.file.name.endswith("-Team_list")
    assert (media / job.file.name).read_bytes() == body
    assert AuditEntry.objects.get(action="upload").object_id == str(job.pk)
