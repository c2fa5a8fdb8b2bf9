"""The merge flow in Chromium on a phone: a pair, side by side, merged, then undone."""

import pytest
from playwright.sync_api import expect

from rapport.duplicates.services import run_scan, start_scan
from rapport.people.models import Person
from tests.factories import make_person

pytestmark = pytest.mark.browser


def test_merge_a_pair_on_a_phone_then_undo_it(phone, sign_in, world):
    ana2 = make_person(
        "Ruiz, Ana", email="ana.ruiz@uni.example", job_title="Lecturer", groups=[world.chem]
    )
    run_scan(start_scan(by=None, queue=False).pk)
    sign_in(phone, "alice")

    phone.goto("/duplicates/")
    phone.get_by_role("link", name="Ana Ruiz and Ruiz, Ana").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Ana Ruiz and Ruiz, Ana")
    phone.get_by_label(f"Ruiz, Ana (#{ana2.pk}), right").check()
    phone.get_by_label("Job title: Lecturer").check()
    phone.get_by_role("button", name="Merge these records").click()

    expect(phone.locator(".messages")).to_contain_text(
        f"Merged Ana Ruiz (#{world.ana.pk}) into Ana Ruiz (#{ana2.pk})."
    )
    kept = Person.objects.get(pk=ana2.pk)
    assert (kept.full_name, kept.job_title) == ("Ana Ruiz", "Lecturer")
    phone.get_by_role(
        "button", name=f"Undo the merge of Ana Ruiz (#{world.ana.pk}) into Ana Ruiz (#{ana2.pk})"
    ).click()

    expect(phone.locator(".messages")).to_contain_text("are apart again")
    assert Person.objects.get(pk=world.ana.pk).archived_at is None
    assert Person.objects.get(pk=ana2.pk).full_name == "Ruiz, Ana"


def test_not_a_duplicate_works_without_javascript(no_script, sign_in, world):
    make_person("Ruiz, Ana", email="ana.ruiz@uni.example", groups=[world.chem])
    run_scan(start_scan(by=None, queue=False).pk)
    sign_in(no_script, "alice")

    no_script.goto("/duplicates/")
    no_script.get_by_role("link", name="Ana Ruiz and Ruiz, Ana").click()
    no_script.get_by_role("button", name="Not a duplicate").click()

    expect(no_script.locator(".messages")).to_have_text(
        "Noted: Ana Ruiz and Ruiz, Ana are different people."
    )
    expect(no_script.locator("#candidates")).to_have_text(
        "No candidate pairs among the people you can see."
    )
