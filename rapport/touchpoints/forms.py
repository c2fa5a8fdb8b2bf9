"""The full touchpoint form. It parses input; the touchpoint services validate and save."""

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from rapport.accounts.models import User
from rapport.concurrency import add_version_field
from rapport.people.forms import mention_widget
from rapport.people.models import Group, Person
from rapport.people.names import mention_for, people_from_mentions
from rapport.people.queries import groups_for
from rapport.touchpoints.capture import parse_capture
from rapport.touchpoints.models import READ_LEVELS, Channel, Initiator, Kind, Origin, Touchpoint

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class TouchpointForm(forms.Form):
    people = forms.CharField(
        label="People",
        required=False,
        help_text='Each as @Name, e.g. @Sam Lee @"sam de la cruz". Leave empty for no one.',
    )
    occurred_at = forms.DateTimeField(
        label="When",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    kind = forms.ChoiceField(choices=Kind.choices)
    channel = forms.ChoiceField(choices=Channel.choices)
    origin = forms.ChoiceField(label="How it came about", choices=Origin.choices)
    initiated_by = forms.ChoiceField(label="Who reached out", choices=Initiator.choices)
    read_level = forms.TypedChoiceField(
        label="Effort (READ scale)",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *READ_LEVELS],
    )
    minutes = forms.IntegerField(required=False, min_value=0)
    topic = forms.CharField(required=False, max_length=300)
    question = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    answer = forms.CharField(
        label="Answer or notes", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    outcome = forms.CharField(required=False, max_length=300)
    confidential = forms.BooleanField(
        required=False, help_text="Only you will ever see it; others' figures still count it."
    )
    tags = forms.CharField(required=False, help_text="Words separated by spaces, e.g. #prisma")
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(), required=False, empty_label="No group"
    )

    def __init__(
        self,
        user: User,
        *args: Any,
        autocomplete_url: str = "",
        editing: Touchpoint | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.editing = editing is not None
        cast(forms.ModelChoiceField, self.fields["group"]).queryset = groups_for(user)
        self.fields["people"].widget = mention_widget(autocomplete_url, "@Sam Lee")
        if editing is not None:
            add_version_field(self, editing)

    @staticmethod
    def initial_from_line(line: str, now: dt.datetime) -> dict[str, Any]:
        """Pre-fill the form from a capture line, so "Full form" loses nothing typed."""
        cap = parse_capture(line, now=now)
        initial: dict[str, Any] = {
            "people": " ".join(mention_for(name) for name in cap.mentions),
            "occurred_at": timezone.localtime(cap.occurred_at or now),
            "kind": cap.kind,
            "question": cap.text,
            "tags": " ".join(f"#{t}" for t in cap.tags),
        }
        for name in ("channel", "origin", "initiated_by", "read_level", "minutes"):
            if getattr(cap, name) is not None:
                initial[name] = getattr(cap, name)
        if cap.request:  # the full form opens no request: keep the markers in the text
            due = f" due:{cap.due_on.isoformat()}" if cap.due_on else ""
            initial["question"] = f"{cap.text} +request{due}".strip()
        return initial

    @staticmethod
    def initial_for(tp: Touchpoint, people: list[Person]) -> dict[str, Any]:
        initial = {
            name: getattr(tp, name)
            for name in ("kind", "channel", "origin", "initiated_by", "read_level", "minutes")
        }
        for name in ("topic", "question", "answer", "outcome", "confidential", "group"):
            initial[name] = getattr(tp, name)
        initial["occurred_at"] = timezone.localtime(tp.occurred_at)
        initial["people"] = " ".join(mention_for(p.full_name) for p in people)
        initial["tags"] = " ".join(f"#{t}" for t in tp.tags)
        return initial

    def clean_people(self) -> list[Person] | None:
        """The people named, or None when an edit left the field as it was: an archived
        participant can no longer be named, and must not be dropped for it."""
        text = self.cleaned_data["people"].strip()
        if self.editing and text == self.initial.get("people", "").strip():
            return None
        return people_from_mentions(self.user, text) if text else []

    def clean_tags(self) -> list[str]:
        return [t.lstrip("#") for t in self.cleaned_data["tags"].replace(",", " ").split()]

    def service_fields(self) -> dict[str, Any]:
        """Everything but the people (and the version), as the touchpoint services take it."""
        data = dict(self.cleaned_data)
        data.pop("people")
        data.pop("version", None)
        return data
