"""Forms for vCard pages: they parse input; the services validate and import."""

from django import forms
from django.http import QueryDict

from rapport.accounts.models import User
from rapport.errors import Invalid
from rapport.people.forms import PeopleFilterForm

MAX_UPLOAD = 100 * 1024 * 1024


class VCardFileForm(forms.Form):
    file = forms.FileField(
        label="vCard file (.vcf)",
        help_text="Exported from Outlook, Apple Contacts, Google Contacts, Android or "
        "Thunderbird; vCard 2.1, 3.0 or 4.0; up to 100 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".vcf,.vcard,text/vcard,text/x-vcard"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("That file is over 100 MB; split it into smaller files.")
        return upload


def export_filters(user: User, query: QueryDict) -> dict:
    """Keyword arguments for `people_to_export`: the people list's filters, and `ids` (repeated
    or comma-separated) for an explicit selection."""
    filters = PeopleFilterForm(user, query).filters()
    filters.pop("sort")
    raw = [part.strip() for value in query.getlist("ids") for part in value.split(",")]
    raw = [part for part in raw if part]
    if "ids" in query:
        try:
            filters["ids"] = [int(part) for part in raw]
        except ValueError:
            raise Invalid(
                "ids must be person numbers separated by commas, e.g. ids=12,40."
            ) from None
    return filters
