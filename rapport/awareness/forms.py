"""Forms for current awareness pages; they validate input, the services do the work."""

from typing import Any

from django import forms

from rapport.awareness.models import InterestState, ItemKind

MAX_UPLOAD = 20 * 1024 * 1024


class ItemFileForm(forms.Form):
    file = forms.FileField(
        label="A file of items",
        help_text="RSS/Atom feed, Crossref JSON, BibTeX or RIS; up to 20 MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("That file is over 20 MB; split it.")
        return upload


class FeedForm(forms.Form):
    url = forms.URLField(label="Feed address", assume_scheme="https", max_length=1000)


class ItemForm(forms.Form):
    title = forms.CharField(max_length=500)
    kind = forms.ChoiceField(choices=ItemKind.choices, initial=ItemKind.ARTICLE)
    link = forms.URLField(required=False, assume_scheme="https", max_length=1000)
    doi = forms.CharField(required=False, max_length=200, label="DOI")
    venue = forms.CharField(required=False, max_length=300)
    published_on = forms.DateField(
        required=False, label="Published", widget=forms.DateInput(attrs={"type": "date"})
    )
    abstract = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))


class InterestForm(forms.Form):
    term = forms.CharField(max_length=100, label="Topic")
    state = forms.ChoiceField(choices=InterestState.choices, initial=InterestState.STATED)


class PublicationFileForm(ItemFileForm):
    file = forms.FileField(
        label="Publications file",
        help_text="ORCID record (JSON or XML), BibTeX, RIS or Crossref JSON.",
    )


class OrcidForm(forms.Form):
    orcid = forms.CharField(max_length=40, required=False, label="ORCID iD")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewFilterForm(forms.Form):
    """The review queue's filters (GET): one person, one item. Bad values mean no filter."""

    person = forms.TypedChoiceField(label="Person", required=False, coerce=int, empty_value=None)
    item = forms.TypedChoiceField(label="Item", required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any, people: list[tuple], items: list[tuple]) -> None:
        super().__init__(data)
        self.fields["person"].choices = [("", "Everyone"), *people]  # type: ignore[attr-defined]
        self.fields["item"].choices = [  # type: ignore[attr-defined]
            ("", "Every item"),
            *((pk, title if len(title) <= 80 else title[:79] + "…") for pk, title in items),
        ]


class BulkDecideForm(forms.Form):
    """Approve or reject the ticked suggestions at once."""

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    match = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        ids = data.getlist("match") if hasattr(data, "getlist") else data.get("match", [])
        self.fields["match"].choices = [  # type: ignore[attr-defined]
            (v, v) for v in ids if str(v).isdecimal()
        ]
