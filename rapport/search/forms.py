"""The search page's form (GET). Bad values fall back to no filter, as on the other lists."""

from typing import Any, cast

from django import forms

from rapport.accounts.models import User
from rapport.people.queries import groups_for
from rapport.search.documents import LABELS
from rapport.search.queries import MAX_LIMIT, allowed_kinds
from rapport.touchpoints.models import Kind

PLURALS = {"person": "People", "touchpoint": "Touchpoints", "request": "Requests", "item": "Items"}


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", required=False, max_length=200)
    kind = forms.MultipleChoiceField(
        label="Find", required=False, widget=forms.CheckboxSelectMultiple
    )
    group = forms.TypedChoiceField(label="Group", required=False, coerce=int, empty_value=None)
    touchpoint_kind = forms.ChoiceField(
        label="Touchpoint kind", required=False, choices=[("", "Any kind"), *Kind.choices]
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tag = forms.CharField(label="Tag", required=False, max_length=100)
    limit = forms.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = allowed_kinds(user)
        cast(forms.MultipleChoiceField, self.fields["kind"]).choices = [
            (k, PLURALS.get(k, LABELS[k])) for k in kinds
        ]
        if user.is_manager:  # people and items only: no groups, kinds, dates of touchpoints
            for name in ("group", "touchpoint_kind", "date_from", "date_to", "tag"):
                del self.fields[name]
        else:
            cast(forms.TypedChoiceField, self.fields["group"]).choices = [
                ("", "Any group"),
                *groups_for(user).values_list("pk", "name"),
            ]

    def search_args(self) -> dict[str, Any]:
        """Keyword arguments for queries.search, from whatever in the query string is valid."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # keeps the valid fields in cleaned_data, drops the others
            data = self.cleaned_data
        return {
            "q": data.get("q", ""),
            "kinds": data.get("kind") or None,
            "group": data.get("group"),
            "touchpoint_kind": data.get("touchpoint_kind", ""),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "tag": data.get("tag", ""),
            "limit": data.get("limit") or 20,
        }
