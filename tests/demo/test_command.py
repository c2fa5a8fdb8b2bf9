"""`rapport demo`: what it prints and what it leaves in the database."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from rapport.audit.models import AuditEntry
from rapport.people.models import Person
from rapport.touchpoints.models import Touchpoint


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_demo_loads_the_demo_library_and_prints_the_accounts(db):
    lines = run().splitlines()

    assert lines[0].startswith("Loaded the demo library (seed 1) in ")
    assert lines[1].startswith("  5 accounts · 11 groups · 150 people · ")
    assert " · 3,000 touchpoints · " in lines[1]
    # The suggestions depend on how recent the evidence is on the day the demo is loaded.
    assert re.fullmatch(
        r"  111 items · 90 publications · 17 subscriptions · \d{3} suggestions", lines[2]
    ), lines[2]
    assert lines[3:] == [
        "Sign in with one of these accounts; each has the password “rapport-demo”:",
        "  librarian  Maya Lindqvist      librarian",
        "  tomas      Tomás Reyes         librarian",
        "  priya      Priya Natarajan     librarian",
        "  manager    Helen Ward          manager (aggregates only)",
        "  admin      Olu Adeyemi         administrator",
        "The load is not audited: it is a loader, not a librarian's change.",
    ]
    assert Person.objects.count() == 150
    assert AuditEntry.objects.count() == 0


def test_demo_onto_existing_data_refuses_and_changes_nothing(world):
    before = sorted(Touchpoint.objects.values_list("pk", flat=True))

    with pytest.raises(CommandError) as err:
        run("--seed", "3")

    assert str(err.value) == (
        "The database already holds data (4 accounts, 4 people, 2 groups, 3 touchpoints); the "
        "demo library loads only into an empty one. Use --force to erase everything in it first."
    )
    assert sorted(Touchpoint.objects.values_list("pk", flat=True)) == before
    assert Person.objects.count() == 4


def test_demo_force_erases_the_existing_data_first(world):
    lines = run("--force").splitlines()

    assert lines[0] == (
        "Erasing the existing data (4 accounts, 4 people, 2 groups, 3 touchpoints)."
    )
    assert lines[1].startswith("Loaded the demo library (seed 1) in ")
    assert not Person.objects.filter(email="ana.ruiz@uni.example").exists()
    assert Person.objects.count() == 150


def test_demo_unknown_tier_is_refused(db):
    with pytest.raises(CommandError) as err:
        run("--tier", "XL")

    assert "invalid choice: 'XL'" in str(err.value)
    assert Person.objects.count() == 0
