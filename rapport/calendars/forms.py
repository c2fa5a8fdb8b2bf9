"""Forms for the calendar pages: they parse input; the services validate and import."""

from django import forms


class IcsFileForm(forms.Form):
    file = forms.FileField(
        label="Calendar file (.ics)",
        help_text="Exported from Google Calendar, Outlook, Apple Calendar or Thunderbird.",
        widget=forms.ClearableFileInput(attrs={"accept": ".ics,.ical,.ifb,text/calendar"}),
    )
    since = forms.DateField(
        label="Meetings since",
        required=False,
        help_text="Meetings from this day up to now are logged. Empty: the last 90 days.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class AddPeopleForm(forms.Form):
    emails = forms.MultipleChoiceField(
        label="People to add", widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, unmatched: list[list], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["emails"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (email, f"{name} <{email}>" if name else email) for email, name, _count in unmatched
        ]
