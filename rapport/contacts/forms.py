"""Forms for vCard pages: they parse input; the services validate and import."""

from django import forms
from django.http import QueryDict

from rapport.accounts.models import User
from rapport.errors import Invalid
from rapport.people.forms import PeopleFilterForm


class VCardFileForm(forms.Form):
    file = forms.FileField(
        label="vCard file (.vcf)",
        help_text="Exported from Outlook, Apple Contacts, Google Contacts, Android or "
        "Thunderbird; vCard 2.1, 3.0 or 4.0.",
        widget=forms.ClearableFileInput(attrs={"accept": ".vcf,.vcard,text/vcard,text/x-vcard"}),
    )


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
