"""The endpoint form; the service validates (URL scheme, events), the form only collects."""

from typing import Any

from django import forms

from rapport.webhooks.events import EVENTS
from rapport.webhooks.models import Endpoint

EVENT_LABELS = {
    "touchpoint.created": "touchpoint.created: a touchpoint was logged (not confidential ones)",
    "request.delivered": "request.delivered: a request was marked delivered",
    "person.merged": "person.merged: two records of one person were merged",
}


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Address (URL)",
        max_length=500,
        help_text="Where Rapport POSTs the events, e.g. https://example.org/rapport-hook",
        widget=forms.TextInput(
            attrs={"autocomplete": "url", "inputmode": "url", "spellcheck": "false"}
        ),
    )
    description = forms.CharField(
        label="Description",
        max_length=200,
        required=False,
        help_text="What receives these events, so others know what turning it off would stop",
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=[(e, EVENT_LABELS[e]) for e in EVENTS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )
    active = forms.BooleanField(label="Active (send events to it)", required=False, initial=True)

    @staticmethod
    def initial_for(endpoint: Endpoint) -> dict[str, Any]:
        return {
            "url": endpoint.url,
            "description": endpoint.description,
            "events": list(endpoint.events),
            "active": endpoint.active,
        }
