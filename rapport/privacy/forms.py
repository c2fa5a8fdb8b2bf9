"""Forms of the privacy pages: the retention schedule, the audit log's filters, erasure."""

import datetime as dt
from typing import Any

from django import forms

from rapport.accounts.models import User
from rapport.privacy.queries import AUDIT_ACTIONS


class ScheduleForm(forms.Form):
    """One field per kind of record: months, or empty for "keep forever"."""

    def __init__(self, rows: list[tuple[str, str, int | None]], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, label, months in rows:
            self.fields[name] = forms.IntegerField(
                label=label,
                required=False,
                min_value=1,
                max_value=1200,
                initial=months,
                widget=forms.NumberInput(attrs={"placeholder": "forever", "inputmode": "numeric"}),
            )


class AuditFilterForm(forms.Form):
    person = forms.IntegerField(required=False, min_value=1, label="Person id")
    actor = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Who", empty_label="Anyone"
    )
    action = forms.ChoiceField(choices=[("", "Any action"), *AUDIT_ACTIONS], required=False)
    since = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))
    confidential = forms.BooleanField(required=False, label="Confidential touchpoints only")

    def __init__(self, actors: Any, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = actors  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one is left out, and the form shows why)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        since: dt.date | None = data.get("since")
        until: dt.date | None = data.get("until")
        actor = data.get("actor")
        return {
            "person": data.get("person"),
            "actor": actor.pk if actor else None,
            "action": data.get("action") or "",
            "since": since,
            "until": until,
            "confidential": bool(data.get("confidential")),
        }


class EraseForm(forms.Form):
    reference = forms.CharField(
        max_length=200,
        required=False,
        label="At whose request, and how",
        help_text="E.g. “e-mail from the person, 3 March, ticket 1234”. Kept with the erasure.",
    )
    confirm = forms.CharField(label="Type ERASE to confirm", max_length=10)

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value != "ERASE":
            raise forms.ValidationError("Type ERASE in capitals to confirm the erasure.")
        return value
