"""A library worth backing up: the shared world plus a request with an uploaded deliverable,
awareness matches with JSON explanations, and text that tests the encoding."""

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from rapport.awareness.models import Match
from rapport.backup.tables import attnames, backed_up
from rapport.requests.models import Deliverable
from tests.awareness.conftest import make_item
from tests.requests.conftest import make_request


@pytest.fixture
def uploads(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


@pytest.fixture
def library(world, uploads):
    req = make_request(
        world.alice,
        [world.ana, world.ben],
        need="Ünïcode need — with “quotes”,\nnew lines and =formulas",
        due_on=dt.date(2026, 12, 24),
        story_tags=["grant", "impact"],
    )
    deliverable = Deliverable(
        request=req, title="Search report", delivered_at=timezone.now(), by=world.alice
    )
    deliverable.file.save("report.pdf", ContentFile(b"%PDF-1.4 not really\x00\xff"), save=True)
    item = make_item("Crystal structures", authors=["Ruiz, A."], published_on=dt.date(2025, 1, 2))
    Match.objects.create(
        person=world.ana,
        item=item,
        score=0.1 + 0.2,
        explanation={"terms": ["crystal"], "evidence": [{"label": "XRD", "ref": "t:1"}]},
    )
    return world


def every_row() -> dict[str, list[tuple]]:
    """Every row of every backed-up table, in primary-key order."""
    existing = set(connection.introspection.table_names())
    return {
        model._meta.db_table: list(model._base_manager.order_by("pk").values_list(*attnames(model)))
        for model in backed_up(apps.get_models(include_auto_created=True))
        if model._meta.db_table in existing
    }


def every_file(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def empty_everything(root: Path) -> None:
    """What a new installation has: migrated tables (with what migrate puts there), no files."""
    call_command("flush", interactive=False, verbosity=0)
    for path in sorted(root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def rewrite(source: Path, target: Path, change) -> Path:
    """A copy of an archive with `change(name, data) -> data | None` applied to each member
    (None leaves the member out)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)
    return target
