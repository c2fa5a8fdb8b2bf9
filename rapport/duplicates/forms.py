"""The merge form: which record stays, and per differing field whose value to keep."""

from typing import Any

from django import forms

from rapport.duplicates.merging import CHOICE_FIELDS
from rapport.people.models import Person

SIDE_LABELS = {"a": "left", "b": "right"}


def shown(person: Person, name: str) -> str:
    """A field's value as a librarian reads it."""
    if name == "status":
        return person.get_status_display()
    if name == "referred_by":
        return str(person.referred_by) if person.referred_by_id else ""
    if name == "other_emails":
        return ", ".join(person.other_emails)
    return str(getattr(person, name) or "")


def label_of(name: str) -> str:
    field: Any = Person._meta.get_field(name)
    return str(field.verbose_name).capitalize().replace("Orcid", "ORCID")


def default_side(a: Person, b: Person) -> str:
    """The record with more history stays unless the librarian says otherwise."""
    return "b" if b.touchpoint_count > a.touchpoint_count else "a"


class MergeForm(forms.Form):
    keep = forms.ChoiceField(label="Which record stays", widget=forms.RadioSelect)

    def __init__(self, a: Person, b: Person, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.a, self.b = a, b
        side = default_side(a, b)
        self.fields["keep"].choices = [  # type: ignore[attr-defined]
            ("a", f"{a.full_name} (#{a.pk}), left"),
            ("b", f"{b.full_name} (#{b.pk}), right"),
        ]
        self.fields["keep"].initial = side
        self.differing: list[str] = []
        for name in CHOICE_FIELDS:
            left, right = shown(a, name), shown(b, name)
            if left == right:
                continue
            self.differing.append(name)
            preferred = side if (left, right)[side == "b"] else ("a" if side == "b" else "b")
            self.fields[f"field_{name}"] = forms.ChoiceField(
                label=label_of(name),
                choices=[("a", left or "(empty)"), ("b", right or "(empty)")],
                widget=forms.RadioSelect,
                initial=preferred,
            )

    def merge_arguments(self) -> tuple[Person, Person, dict[str, str]]:
        """(keep, merge, choices) for `merge_people`, from the sides chosen."""
        side = self.cleaned_data["keep"]
        keep, merge = (self.a, self.b) if side == "a" else (self.b, self.a)
        choices = {
            name: "keep" if self.cleaned_data[f"field_{name}"] == side else "merge"
            for name in self.differing
        }
        return keep, merge, choices
