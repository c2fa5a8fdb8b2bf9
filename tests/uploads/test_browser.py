"""In Chromium: the one status page follows a job through its steps by itself (it polls while
a worker has the job and reloads whole once the step changes), here for a vCard import."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from rapport.contacts.models import ContactImport
from rapport.people.models import Person

pytestmark = pytest.mark.browser
CARDS = Path(__file__).parent.parent / "contacts/fixtures/apple-3.0.vcf"


def test_the_status_page_follows_the_check_and_the_run_without_a_reload(desktop, sign_in, world):
    sign_in(desktop, "alice")
    desktop.goto("/contacts/import/")
    desktop.set_input_files("#id_file", str(CARDS))
    desktop.get_by_role("button", name="Preview the import").click()

    status = desktop.locator("#job-status")
    expect(status.get_by_role("heading", name="Checking the file")).to_be_visible()
    expect(status).to_contain_text("nothing changes yet")

    call_command("worker", "--batch", verbosity=0)  # the check, while the page polls

    expect(status.get_by_role("heading", name="Checked: nothing has changed yet")).to_be_visible()
    expect(desktop.get_by_role("heading", name="What importing it would do")).to_be_visible()
    desktop.get_by_role("button", name="Import 1 change").click()
    expect(status).to_contain_text("Waiting for the worker")

    call_command("worker", "--batch", verbosity=0)  # the run

    expect(desktop.get_by_role("heading", name="What the import did")).to_be_visible()
    expect(status.get_by_role("heading", name="Imported")).to_be_visible()
    assert ContactImport.objects.get().status == "done"
    assert Person.objects.filter(full_name="Dr. Keiko Nakamura").count() == 1
