"""Forms for the import pages: the upload, and the column mapping built from a file's headers.

The mapping form has, for each field Rapport knows, a select of the file's columns (with how
sure the guess was, when the column is the guessed one); for the date, a time column and a
column to use when the date is empty; for fields with a fixed set of values (channel, origin,
status…) a select per distinct value found in the first rows, set to what Rapport reads it as;
a date format; and a default for fields the file lacks.
"""

from typing import Any

from django import forms

from rapport.imports.models import SavedMapping, Target
from rapport.imports.sources import Mapping
from rapport.imports.sources.choices import ChoiceLookup
from rapport.imports.sources.fields import FIELDS_FOR
from rapport.imports.sources.guess import REASONS, confidence

DATE_FORMATS = [
    ("auto", "Recognise it (ISO, named months…)"),
    ("dmy", "Day first: 31/03/2024"),
    ("mdy", "Month first: 03/31/2024"),
    ("%Y-%m-%d %H:%M:%S", "2024-03-31 14:05:00"),
    ("%Y-%m-%d %H:%M", "2024-03-31 14:05"),
    ("%Y-%m-%d", "2024-03-31"),
    ("%d/%m/%Y %H:%M", "31/03/2024 14:05 (day first)"),
    ("%d/%m/%Y", "31/03/2024 (day first)"),
    ("%m/%d/%Y %H:%M", "03/31/2024 14:05 (month first)"),
    ("%m/%d/%Y %I:%M %p", "03/31/2024 2:05 PM (month first)"),
    ("%m/%d/%Y", "03/31/2024 (month first)"),
    ("%d.%m.%Y %H:%M", "31.03.2024 14:05"),
    ("%d.%m.%Y", "31.03.2024"),
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File", help_text="CSV, TSV or XLSX: an export from LibAnswers, Gimlet, LibStats, "
        "LibInsight or Desk Tracker, a Google Form's responses, any spreadsheet, or a directory."
    )  # fmt: skip
    target = forms.ChoiceField(
        label="What it holds", choices=Target.choices, initial=Target.TOUCHPOINTS
    )
    format = forms.ChoiceField(label="Format", required=False)
    mapping = forms.ModelChoiceField(
        label="Saved mapping",
        queryset=SavedMapping.objects.none(),
        required=False,
        empty_label="None: detect and suggest",
        to_field_name="name",
    )
    sheet = forms.CharField(
        label="Sheet (XLSX)", required=False, max_length=100,
        help_text="Leave empty for the first sheet with data.",
    )  # fmt: skip

    def __init__(self, *args: Any, formats: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fmt = self.fields["format"]
        mapping = self.fields["mapping"]
        assert isinstance(fmt, forms.ChoiceField) and isinstance(mapping, forms.ModelChoiceField)
        fmt.choices = [("", "Detect it"), *formats]
        mapping.queryset = SavedMapping.objects.order_by("name")


class SaveMappingForm(forms.Form):
    name = forms.CharField(
        label="Save this mapping as", max_length=100,
        help_text="Reuse it for the next file, here or with rapport import --mapping NAME.",
    )  # fmt: skip


class MappingForm(forms.Form):
    """Built from the job: `fields` are (name, label), `choices` the fields with fixed values,
    `distinct` the values found per column in the sample."""

    def __init__(
        self,
        *args: Any,
        headers: list[str],
        fields: list[tuple[str, str]],
        choices: dict[str, list[tuple[str, str]]],
        distinct: dict[str, list[str]],
        mapping: dict[str, Any],
        people: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        columns = mapping.get("columns", {})
        values = mapping.get("values", {})
        defaults = mapping.get("defaults", {})
        fallbacks = mapping.get("fallbacks", {})
        self.guesses: dict[str, Any] = dict(mapping.get("guesses", {}))
        target = mapping.get("target") or Target.TOUCHPOINTS
        specs = FIELDS_FOR.get(target, FIELDS_FOR[Target.TOUCHPOINTS])
        plain = Mapping(target=target)
        column_choices = [("", "(not in this file)"), *[(h, h) for h in headers]]
        self.value_fields: list[tuple[str, str, list[str]]] = []
        self.tag_separator = mapping.get("tag_separator") or " "
        for name, label in fields:
            chosen = columns.get(name) or [""]
            self.fields[f"col-{name}"] = forms.ChoiceField(
                label=label,
                choices=column_choices,
                required=False,
                initial=chosen[0],
                help_text=self._guess_note(name, chosen[0]),
            )
            if name == "occurred_at":
                self.fields["col-occurred_at-time"] = forms.ChoiceField(
                    label=f"{label}: time of day from, if apart from the date",
                    choices=column_choices,
                    required=False,
                    initial=chosen[1] if len(chosen) > 1 else "",
                    help_text="A time column, or a date-and-time column such as a form's "
                    "Timestamp, whose time of day is taken.",
                )
                other = (fallbacks.get(name) or [""])[0]
                self.fields["col-occurred_at-else"] = forms.ChoiceField(
                    label=f"{label}: if that column is empty, from",
                    choices=column_choices,
                    required=False,
                    initial=other,
                    help_text=self._guess_note(f"{name}-else", other)
                    or "For a form's “date, if not today”: its Timestamp when it is empty.",
                )
            if name in choices:
                options = [("", "(keep / default)"), *choices[name]]
                self.fields[f"default-{name}"] = forms.ChoiceField(
                    label=f"{label}: when empty",
                    choices=options,
                    required=False,
                    initial=defaults.get(name, ""),
                )
                names = []
                lookup = ChoiceLookup(name, specs[name], plain) if name in specs else None
                for i, raw in enumerate(distinct.get(chosen[0], [])):
                    key = f"val-{name}-{i}"
                    read_as = lookup.recognised(raw) if lookup else None
                    self.fields[key] = forms.ChoiceField(
                        label=f"“{raw}” means",
                        choices=options,
                        required=False,
                        initial=values.get(name, {}).get(raw) or read_as or "",
                    )
                    self.fields[f"{key}-raw"] = forms.CharField(
                        widget=forms.HiddenInput, initial=raw, required=False
                    )
                    names.append(key)
                if names:
                    self.value_fields.append((name, label, names))
        self.fields["date_format"] = forms.ChoiceField(
            label="Date format", choices=DATE_FORMATS, required=False,
            initial=mapping.get("date_format") or "auto",
        )  # fmt: skip
        if people:
            self.fields["staff_fallback"] = forms.TypedChoiceField(
                label="Log rows by unknown staff as",
                choices=[("", "Me"), *[(str(pk), name) for pk, name in people]],
                coerce=int,
                required=False,
                empty_value=None,
            )

    def _guess_note(self, name: str, column: str) -> str:
        """How sure the guess of this field's column was, while it is still the guessed one."""
        guess = self.guesses.get(name)
        if not column or not guess or guess.get("column") != column:
            return ""
        score = float(guess.get("score") or 0)
        why = REASONS.get(str(guess.get("why")), "")
        return f"Guessed {why}: {confidence(score)} ({score:.0%})."

    def column_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(("col-", "default-"))]

    def value_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(label, [self[n] for n in names]) for _, label, names in self.value_fields]

    def mapping(self, target: str) -> dict[str, Any]:
        """The mapping as JSON, from the cleaned data."""
        data = self.cleaned_data
        columns: dict[str, list[str]] = {}
        values: dict[str, dict[str, str]] = {}
        defaults: dict[str, str] = {}
        for key, value in data.items():
            if key.startswith("col-") and value and not key.endswith(("-time", "-else")):
                columns[key[4:]] = [value]
            elif key.startswith("default-") and value:
                defaults[key[8:]] = value
        if data.get("col-occurred_at-time") and "occurred_at" in columns:
            columns["occurred_at"].append(data["col-occurred_at-time"])
        fallbacks = {}
        if data.get("col-occurred_at-else"):
            fallbacks["occurred_at"] = [data["col-occurred_at-else"]]
        # Guesses are kept while their column is still the one chosen.
        chosen = {
            **{n: c[0] for n, c in columns.items()},
            **{f"{n}-else": c[0] for n, c in fallbacks.items()},
        }
        guesses = {n: g for n, g in self.guesses.items() if chosen.get(n) == g.get("column")}
        for name, _, names in self.value_fields:
            for key in names:
                raw = data.get(f"{key}-raw") or ""
                if data.get(key):
                    values.setdefault(name, {})[raw] = data[key]
        return {
            "target": target,
            "columns": columns,
            "values": values,
            "date_format": data.get("date_format") or "auto",
            "defaults": defaults,
            "tag_separator": self.tag_separator,
            "fallbacks": fallbacks,
            "guesses": guesses,
        }
