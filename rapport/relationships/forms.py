"""Forms of the relationship panel and the cadence rules. They parse; the services validate."""

from typing import Any, cast

from django import forms

from rapport.accounts.models import User
from rapport.people.models import Group, Status
from rapport.people.queries import groups_for
from rapport.relationships.models import CadenceRule, Stage
from rapport.relationships.queries import RelationshipView
from rapport.relationships.services import MAX_CADENCE_DAYS

REASON_HELP = "Kept with the change in the audit log."


def _days_field(label: str) -> forms.IntegerField:
    # No min/max here: the service says what is wrong in words, the same for page and API.
    return forms.IntegerField(
        label=label,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StageForm(forms.Form):
    """Set the ladder stage by hand (with a reason), or "rules" to clear the override."""

    action = forms.ChoiceField(choices=[("set", "Set"), ("rules", "Back to the rules")])
    stage = forms.TypedChoiceField(
        label="Stage", choices=Stage.choices, coerce=int, required=False, empty_value=None
    )
    reason = forms.CharField(label="Reason", required=False, max_length=300, help_text=REASON_HELP)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Three panel forms share a page: their ids must not collide.
        kwargs.setdefault("auto_id", "stage_%s")
        super().__init__(*args, **kwargs)

    def stage_to_set(self) -> int | None:
        return None if self.cleaned_data["action"] == "rules" else self.cleaned_data["stage"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "set" and data.get("stage") is None and "stage" not in self.errors:
            self.add_error("stage", "Choose a stage.")
        return data


class CadenceForm(forms.Form):
    """ "set" saves both intervals, "none" keeps no cadence for this person whatever the rules
    say, "rules" goes back to the cadence the rules give."""

    action = forms.ChoiceField(
        choices=[("set", "Save"), ("none", "No cadence"), ("rules", "Back to the rules")]
    )
    ideal_days = _days_field("Ideal, in days")
    max_days = _days_field("At most, in days")
    reason = forms.CharField(label="Reason", required=False, max_length=300, help_text=REASON_HELP)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Three panel forms share a page: their ids must not collide.
        kwargs.setdefault("auto_id", "cadence_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("action") == "set"
            and data.get("ideal_days") is None
            and data.get("max_days") is None
            and not self.errors
        ):
            # Saving two empty boxes would silently mean "no cadence"; say so instead.
            raise forms.ValidationError(
                "Give an ideal and a maximum interval; to keep no cadence for this person, "
                "use “No cadence”."
            )
        return data


class SnoozeForm(forms.Form):
    """ "snooze" until a date, or "end" the snooze."""

    action = forms.ChoiceField(choices=[("snooze", "Snooze"), ("end", "End snooze")])
    until = forms.DateField(label="Until", required=False, widget=_date_widget())
    reason = forms.CharField(label="Reason", required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Three panel forms share a page: their ids must not collide.
        kwargs.setdefault("auto_id", "snooze_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("action") == "snooze"
            and data.get("until") is None
            and "until" not in self.errors
        ):
            self.add_error("until", "Choose the day they come back to your Today page.")
        return data


def panel_forms(view: RelationshipView, bound: dict[str, forms.Form]) -> dict[str, forms.Form]:
    """The relationship panel's three forms, filled in from the current state; `bound` holds
    the one that was just posted with its errors."""
    cadence = view.cadence
    initial = {
        "stage_form": StageForm(initial={"stage": view.stage, "reason": view.override_reason}),
        "cadence_form": CadenceForm(
            initial={
                "ideal_days": cadence.ideal_days if cadence else None,
                "max_days": cadence.max_days if cadence else None,
                "reason": view.person_cadence.reason if view.person_cadence else "",
            }
        ),
        "snooze_form": SnoozeForm(
            initial={
                "until": view.snooze.until if view.snooze else None,
                "reason": view.snooze.reason if view.snooze else "",
            }
        ),
    }
    return {**initial, **bound}


class RuleForm(forms.Form):
    name = forms.CharField(max_length=100)
    position = forms.IntegerField(
        help_text="Rules are tried from the lowest position up; the first that matches wins."
    )
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(),
        required=False,
        empty_label="Any group",
        help_text="Matches current members of this group.",
    )
    role = forms.CharField(
        max_length=100,
        required=False,
        help_text="Matches a current membership role containing this word, e.g. PI.",
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    min_stage = forms.TypedChoiceField(
        label="Stage at least",
        choices=[("", "Any stage"), *Stage.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    ideal_days = _days_field("Ideal interval, in days")
    max_days = _days_field("Maximum interval, in days")
    active = forms.BooleanField(
        required=False, initial=True, help_text="Inactive rules are kept but not tried."
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["group"]).queryset = groups_for(
            user, include_archived=True
        ).order_by("name")
        for name in ("ideal_days", "max_days"):
            self.fields[name].help_text = f"From 1 to {MAX_CADENCE_DAYS}."

    @staticmethod
    def initial_for(rule: CadenceRule) -> dict[str, Any]:
        names = ["name", "position", "group", "role", "status", "min_stage"]
        return {name: getattr(rule, name) for name in [*names, "ideal_days", "max_days", "active"]}
