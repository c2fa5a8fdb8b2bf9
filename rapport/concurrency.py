"""Edits that never lose one another: the one way a service changes a person, a touchpoint or
a request.

Two librarians (or two API clients, or a page and an import) may edit the same row at once.
A service that saved the object its caller fetched before the transaction began would write
that stale copy back over whatever was committed in between, and audit stale "before" values.
So every edit of a versioned row (`version` column) goes like this, inside the service's
transaction:

1. ``row = locked_fresh(Model, pk)``: the row as committed now, locked until the transaction
   ends (PostgreSQL: ``SELECT … FOR UPDATE``; SQLite: the IMMEDIATE transaction already holds
   the database's write lock, so the read inside it is the latest and nobody writes until it
   ends). The caller's object only says which row and that the caller may see it.
2. ``check_version(row, expected)`` when the caller says which version its edit was made on
   (the API's If-Match, the edit form's hidden version): ``Changed`` if another edit came
   first, so an edit of the same field is never silently lost.
3. ``before = values_of(row, FIELDS)``, apply and validate the input on ``row``.
4. ``changes = save_changes(row, before)``: writes only the columns whose value differs (plus
   ``updated_at`` and ``version = version + 1``) and returns them as the audit entry's
   ``{field: [before, after]}``, with ``"version": [n, n + 1]``.

What counts as a version: see "No edit is lost" in docs/architecture.md. In short, every
write of a field a librarian edits adds one (services here; importers and merges with
`next_version()` in their UPDATE); derived columns (contact figures, search text) never do,
so logging a touchpoint does not invalidate a form open on the person.
"""

import copy
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F
from django.db.models.expressions import CombinedExpression
from django.http import QueryDict
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.errors import Invalid, NotFound

M = TypeVar("M", bound=models.Model)
#: The version(s) an edit was made on: one (a form), several (If-Match may list them), or
#: None to edit whatever is there now.
Expected = int | AbstractSet[int] | None
#: How far back the audit trail is read to say what changed since a version.
MAX_EDITS_SHOWN = 20
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def next_version() -> CombinedExpression:
    """``version + 1``, for any UPDATE that writes a field a librarian edits."""
    return F("version") + 1


def locked_fresh(model: type[M], pk: Any) -> M:
    """The row as committed now, locked until the transaction ends. Call inside one."""
    try:
        return model._default_manager.select_for_update().get(pk=pk)
    except model.DoesNotExist:  # type: ignore[attr-defined]
        raise NotFound(f"There is no {model._meta.verbose_name} {pk}.") from None


def brought_up_to_date(target: M, row: M) -> M:
    """The caller's object (with whatever it prefetched) given the row's values after the
    edit, so the caller sees what was saved. A changed foreign key drops its cached object."""
    for field in row._meta.concrete_fields:
        setattr(target, field.attname, getattr(row, field.attname))
    return target


@dataclass(frozen=True)
class Edit:
    """One audited change made after the version an editor started from."""

    who: str
    at: dt.datetime
    action: str
    changes: dict[str, list[Any]]


class Changed(Invalid):
    """The row was changed by someone else after the version the edit was made on.

    412 in the API (If-Match); an edit form shows it as 422 with `edits`, what changed."""

    status = 412

    def __init__(self, row: models.Model, expected: AbstractSet[int]) -> None:
        self.noun = str(row._meta.verbose_name)
        self.current: int = row.version  # type: ignore[attr-defined]
        since = min(expected, default=None)
        self.edits, self.complete = _edits_since(row, since)
        if since is None:  # an If-Match with no ETag of ours in it
            message = (
                f"If-Match names no version of this {self.noun}: send back the ETag a GET answered "
                f'(it is now "{self.current}").'
            )
        else:
            message = (
                f"This {self.noun} was changed by someone else since you read it (version "
                f"{since}; it is now version {self.current}): read it again and make your "
                "change on what it is now."
            )
        super().__init__(message)


def check_version(row: models.Model, expected: Expected) -> None:
    """Refuse the edit (`Changed`) unless `row` is at the version the edit was made on."""
    if expected is None:
        return
    wanted = {expected} if isinstance(expected, int) else set(expected)
    if row.version not in wanted:  # type: ignore[attr-defined]
        raise Changed(row, wanted)


def _edits_since(row: models.Model, version: int | None) -> tuple[list[Edit], bool]:
    """The audited changes that took `row` past `version`, oldest first, and whether they
    account for every version since (imports count versions without an entry per row)."""
    if version is None:
        return [], False
    entries = (
        AuditEntry.objects.filter(object_type=row._meta.model_name, object_id=str(row.pk))
        .select_related("actor")
        .order_by("-id")[:MAX_EDITS_SHOWN]
    )
    edits: list[Edit] = []
    counted = 0
    for entry in entries:
        span = entry.changes.get("version") if isinstance(entry.changes, dict) else None
        if not span:
            continue
        if span[1] <= version:
            break
        changes = {k: v for k, v in entry.changes.items() if k != "version"}
        who = entry.actor.display_name if entry.actor else "Rapport"
        edits.append(Edit(who=who, at=entry.at, action=entry.action, changes=changes))
        counted += span[1] - span[0]
    return edits[::-1], counted == row.version - version  # type: ignore[attr-defined]


def values_of(row: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The fields' values (a foreign key as its id), copied, to compare with after an edit."""
    values = {}
    for name in names:
        field = row._meta.get_field(name)
        values[name] = copy.deepcopy(getattr(row, field.attname))  # type: ignore[union-attr]
    return values


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.time) else value


def save_changes(
    row: models.Model,
    before: Mapping[str, Any],
    *,
    also: Iterable[str] = (),
    linked: Mapping[str, list[Any]] | None = None,
) -> dict[str, list[Any]]:
    """Write the fields of `before` whose value on `row` changed (with the columns in `also`
    that follow them, such as search text), `updated_at` and the next version; returns the
    audit's changes, {} when nothing changed. `linked` are changes already made to the row's
    links (its people): they count as an edit too. `row` came from `locked_fresh` in this
    transaction, so the version it had is the one the database has."""
    after = values_of(row, before)
    changed = [name for name in before if after[name] != before[name]]
    if not changed and not linked:
        return {}
    columns = {f.name for f in row._meta.concrete_fields}
    update = [*changed, *also, *({"updated_at"} & columns)]
    changes = {name: [_json(before[name]), _json(after[name])] for name in changed}
    changes.update(linked or {})
    if "version" not in columns:  # groups and memberships: fresh and changed-only, no count
        row.save(update_fields=update)
        return changes
    version: int = row.version  # type: ignore[attr-defined]
    row.version = next_version()  # type: ignore[attr-defined]
    row.save(update_fields=[*update, "version"])
    row.version = version + 1  # type: ignore[attr-defined]
    changes["version"] = [version, version + 1]
    return changes


# The edit forms' side: a hidden version, and the conflict shown with the user's input kept.


OUT_OF_DATE = "This form is out of date: open the page again and redo your change."


def version_field() -> forms.IntegerField:
    """An edit form's hidden version: the version of the row the form was opened on.
    Required: a form posts every field, so without it a page left open would write its old
    values back over newer ones."""
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE, "min_value": OUT_OF_DATE},
    )


def add_version_field(form: forms.Form, row: models.Model) -> None:
    """Give a form that both adds and edits the hidden version, when it edits `row`."""
    form.fields["version"] = version_field()
    form.initial["version"] = row.version  # type: ignore[attr-defined]


def _shown(value: Any) -> str:
    if value in (None, "", []):
        return "empty"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = str(value)
    if _ISO_DATE.match(text):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        if len(text) <= 10:
            return f"{moment:%-d %b %Y}"
        return f"{timezone.localtime(moment):%-d %b %Y %H:%M}"
    text = " ".join(text.split())
    return f"“{text[:80]}…”" if len(text) > 80 else f"“{text}”"


def _describe(edit: Edit, form: forms.Form, model: type[models.Model]) -> str:
    """One edit as a line, fields in the form's order (PostgreSQL's jsonb keeps none), e.g.
    “Bob Bibby, 7 Dec 14:02: Room: “2.14” → “3.01”; People changed.” Links (the people, a
    group, a referrer) are said to have changed, without naming whom."""
    parts = []
    position = {name: i for i, name in enumerate(form.fields)}
    for name in sorted(edit.changes, key=lambda n: (position.get(n, len(position)), n)):
        values = edit.changes[name]
        label = str(form.fields[name].label or "") if name in form.fields else ""
        label = label or name.replace("_", " ").capitalize()
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a merge's notes on what it moved
            continue
        if field.is_relation or not isinstance(values, list) or len(values) != 2:
            parts.append(f"{label} changed")
            continue
        names = dict(field.flatchoices) if field.choices else {}  # type: ignore[union-attr]
        old, new = (names.get(v, v) for v in values)
        parts.append(f"{label}: {_shown(old)} → {_shown(new)}")
    when = f"{timezone.localtime(edit.at):%-d %b %H:%M}"
    return f"{edit.who}, {when}: {'; '.join(parts) or edit.action}."


def show_conflict(form: forms.Form, err: Changed, model: type[models.Model]) -> None:
    """Show on a bound edit form what changed since it was opened, keeping what the user typed,
    and move its hidden version on: saving again (after checking) writes over those changes."""
    data = QueryDict(mutable=True)
    data.update(form.data)
    data["version"] = str(err.current)
    form.data = data
    form.add_error(
        None,
        f"This {err.noun} was changed by someone else since you opened the form: here is what "
        "changed; check and save again.",
    )
    for edit in err.edits:
        form.add_error(None, _describe(edit, form, model))
    if not err.complete:
        form.add_error(
            None, "Not every change can be listed here (an import is audited once for a file)."
        )
