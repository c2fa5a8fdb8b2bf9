"""The import pages: list and upload, a job's steps, the report download, access."""

import csv
import io
import re

import pytest
from django.urls import reverse

from rapport.imports.models import ImportJob, SavedMapping
from rapport.touchpoints.models import Touchpoint
from rapport.uploads.models import this_worker
from tests.imports.conftest import FIXTURES, upload

DESK = FIXTURES / "desk_log.csv"


@pytest.fixture
def alice(client, staff):
    client.force_login(staff.alice)
    return client


def _post_file(client, path, **data):
    with path.open("rb") as f:
        return client.post(reverse("imports:upload"), {"file": f, "target": "touchpoints", **data})


def test_list_page_shows_the_upload_form_and_saved_mappings(alice, staff):
    SavedMapping.objects.create(name="Desk form", target="touchpoints", mapping={})
    response = alice.get(reverse("imports:list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "Desk form" in html
    assert "Nothing imported yet." in html


def test_managers_get_403_everywhere(client, staff):
    client.force_login(staff.mia)
    job = upload(staff.alice, DESK)

    assert client.get(reverse("imports:list")).status_code == 403
    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 403
    assert _post_file(client, DESK).status_code == 403
    assert ImportJob.objects.count() == 1


def test_other_librarians_do_not_see_a_job(client, staff):
    job = upload(staff.alice, DESK)
    client.force_login(staff.bob)

    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 404


def test_upload_then_dry_run_then_run_on_the_pages(
    alice, staff, django_capture_on_commit_callbacks
):
    response = _post_file(alice, DESK)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("imports:job", args=[job.pk])

    page = alice.get(response.url).content.decode()
    assert "Where are the chemistry handbooks?" in page  # the preview
    assert '<option value="How asked" selected>How asked</option>' in page

    with django_capture_on_commit_callbacks(execute=True):
        alice.post(reverse("imports:dry_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "checked"
    assert Touchpoint.objects.filter(source_system="generic").count() == 0
    page = alice.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Touchpoints: 5 would be created" in page
    assert "Import 5 rows" in page

    with django_capture_on_commit_callbacks(execute=True):
        alice.post(reverse("imports:run", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 5)
    page = alice.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Touchpoints: 5 created" in page
    assert "Unknown staff: ZZ (1); logged as Alice Liddell." in page


def test_the_mapping_screen_maps_values_and_saves_by_name(alice, staff):
    path = FIXTURES / "desk_log.csv"
    job = upload(staff.alice, path)
    data = {f"col-{k}": v[0] for k, v in job.mapping["columns"].items()}
    data["date_format"] = "auto"
    # The distinct values of the mapped channel column are offered one by one.
    page = alice.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "“Walk-in” means" in page
    values = sorted(["Walk-in", "Phone", "Email", "Chat"])
    for i, raw in enumerate(values):
        data[f"val-channel-{i}-raw"] = raw
    data["val-channel-3"] = "video"  # "Walk-in" sorted last: call it video, to see it used

    response = alice.post(reverse("imports:mapping", args=[job.pk]), data)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.mapping["values"] == {"channel": {"Walk-in": "video"}}
    assert job.mapping["columns"]["occurred_at"] == ["Timestamp"]

    alice.post(reverse("imports:save_mapping", args=[job.pk]), {"name": "Desk log"})
    saved = SavedMapping.objects.get(name="Desk log")
    assert saved.mapping == {k: v for k, v in job.mapping.items() if k != "guesses"}


def test_a_mapping_without_a_date_is_refused(alice, staff):
    job = upload(staff.alice, DESK)
    response = alice.post(reverse("imports:mapping", args=[job.pk]), {"col-question": "Question"})

    assert response.status_code == 422
    assert "Choose the column that says when each touchpoint happened." in response.content.decode()
    job.refresh_from_db()
    assert job.mapping["columns"]["occurred_at"] == ["Timestamp"]


def test_report_csv_lists_each_row_problem(alice, staff, tmp_path):
    from tests.imports.conftest import dry_run

    bad = tmp_path / "bad.csv"
    bad.write_text("Timestamp,Question\n2025-01-01 10:00,Fine\nsoon,Broken\n")
    job = dry_run(staff.alice, upload(staff.alice, bad))
    response = alice.get(reverse("imports:report", args=[job.pk]) + "?phase=check")

    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["row", "level", "message"]
    assert [r[:2] for r in rows[1:]] == [["2", "error"]]


def test_progress_partial_polls_while_busy(alice, staff):
    job = upload(staff.alice, DESK)
    with job.hold():  # a worker works it
        ImportJob.objects.filter(pk=job.pk).update(
            status="running", total_rows=10, done_rows=4, worker=this_worker()
        )
        response = alice.get(
            reverse("imports:job", args=[job.pk]) + "?was=running", HTTP_HX_REQUEST="true"
        )

    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="job-status"')
    assert 'hx-trigger="every 1s"' in html
    assert "4 of 10 rows imported" in html
    assert "HX-Refresh" not in response  # still running: only the status is swapped


def test_a_file_over_the_limit_is_refused_and_nothing_kept(alice, settings, media):
    settings.RAPPORT_IMPORT_MAX_MB = 0
    response = _post_file(alice, DESK)

    assert response.status_code == 422
    assert "That file is larger than the 0 KB allowed for imports" in response.content.decode()
    assert ImportJob.objects.count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_an_html_page_saved_as_csv_is_refused_with_a_clear_message(alice, tmp_path):
    page = tmp_path / "export.csv"
    page.write_text("<!DOCTYPE html><html><body><form>Sign in</form></body></html>")
    response = _post_file(alice, page)

    assert response.status_code == 422
    assert "This file is a web page (HTML), not a CSV export." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_a_people_job_page_offers_the_people_fields(alice, staff):
    job = upload(staff.alice, FIXTURES / "directory.csv", target="people")
    page = alice.get(reverse("imports:job", args=[job.pk])).content.decode()

    assert job.format == "people"
    assert '<option value="Directory ID" selected>Directory ID</option>' in page
    assert "Log rows by unknown staff as" not in page
    assert "“Faculty” means" in page  # the status column's values


def test_a_saved_mapping_can_be_applied_on_the_job_page(alice, staff):
    saved = SavedMapping.objects.create(
        name="Only dates",
        target="touchpoints",
        mapping={"target": "touchpoints", "columns": {"occurred_at": ["Timestamp"]}},
    )
    job = upload(staff.alice, DESK)
    page = alice.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert f'<option value="{saved.pk}">Only dates</option>' in page

    alice.post(reverse("imports:use_mapping", args=[job.pk]), {"saved": saved.pk})
    job.refresh_from_db()
    assert (job.saved_mapping, job.mapping["columns"]) == (saved, {"occurred_at": ["Timestamp"]})


def test_unknown_staff_can_be_logged_as_any_active_librarian_only(alice, staff):
    job = upload(staff.alice, DESK)
    page = alice.get(reverse("imports:job", args=[job.pk])).content.decode()
    select = re.search(r'<select name="staff_fallback".*?</select>', page, re.S)
    assert select is not None
    names = re.findall(r"<option[^>]*>([^<]*)</option>", select.group())
    assert names == ["Me", "ada", "Alice Liddell", "Bob Bibby"]  # no manager, no one inactive
    data = {f"col-{k}": v[0] for k, v in job.mapping["columns"].items()}

    response = alice.post(
        reverse("imports:mapping", args=[job.pk]), {**data, "staff_fallback": staff.bob.pk}
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.staff_fallback == staff.bob

    refused = alice.post(
        reverse("imports:mapping", args=[job.pk]), {**data, "staff_fallback": staff.mia.pk}
    )
    assert refused.status_code == 422
    job.refresh_from_db()
    assert job.staff_fallback == staff.bob
