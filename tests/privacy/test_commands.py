"""`rapport retention` and `rapport subject-access`: their output and what they change."""

import datetime as dt
import io
import json

from django.core.management import call_command
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.privacy.models import RetentionRun
from rapport.touchpoints.models import Participation, Touchpoint
from tests.factories import make_touchpoint
from tests.privacy.conftest import set_rules


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def old_question(world) -> Touchpoint:
    when = timezone.now() - dt.timedelta(days=800)
    return make_touchpoint(world.alice, [world.hugo], occurred_at=when, question="Old archive")


def test_retention_command_without_periods_says_so(world):
    assert run("retention") == (
        "No retention period is set: every record is kept. Set periods on the Privacy page "
        "(/privacy/).\n"
    )
    assert not RetentionRun.objects.exists()


def test_retention_dry_run_says_what_would_go_and_changes_nothing(world):
    tp = old_question(world)
    set_rules(question=24)
    day = timezone.localtime(tp.occurred_at).date().isoformat()

    out = run("retention", "--dry-run")

    assert out == (
        "Touchpoints: question: would remove the text of 1, detached people from 1 "
        f"participation; oldest {day}\n"
    )
    assert Touchpoint.objects.get(pk=tp.pk).question == "Old archive"
    assert Participation.objects.filter(touchpoint=tp).count() == 1
    assert not RetentionRun.objects.exists()


def test_retention_command_runs_and_audits_as_the_system(world):
    tp = old_question(world)
    set_rules(question=24)

    first = run("retention")
    second = run("retention")

    assert first.startswith("Touchpoints: question: removed the text of 1, detached people")
    assert second == "Nothing is past its retention period.\n"
    assert Touchpoint.objects.get(pk=tp.pk).question == ""
    entries = AuditEntry.objects.filter(action="retention").order_by("pk")
    assert [(e.actor, e.summary) for e in entries] == [
        (None, "Retention run: 2 changes"),
        (None, "Retention run: 0 changes"),
    ]


def test_subject_access_command_prints_the_record_and_audits_it(world):
    out = run("subject-access", str(world.ana.pk), "--by", "ada")

    doc = json.loads(out)
    assert doc["person"]["full_name"] == "Ana Ruiz"
    assert doc["generated_by"] == "ada"
    assert [t["confidential"] for t in doc["touchpoints"]] == [False, True]
    entry = AuditEntry.objects.get(action="subject_access")
    assert (entry.actor, entry.summary) == (world.ada, "Subject access (command line)")
