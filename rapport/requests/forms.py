"""Forms for requests. They parse input; the request services validate and save.

People are named as in the capture box (``@Ana Ruiz @Ben Okafor``) with the same autocomplete,
so nobody picks from a list of thousands.
"""

from typing import Any, cast

from django import forms

from rapport.accounts.models import User
from rapport.concurrency import add_version_field, version_field
from rapport.people.forms import mention_for, mention_widget, people_from_mentions
from rapport.people.models import Group, Person
from rapport.people.queries import groups_for
from rapport.requests.models import DEFAULT_FOLLOW_UP_DAYS, Request, Status
from rapport.requests.queries import request_owners
from rapport.requests.services import FOLLOW_UP_KINDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PEOPLE_HELP = 'Who asked, each as @Name, e.g. @Sam Lee @"sam de la cruz".'


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


def words(text: str) -> list[str]:
    """Tags typed as words: "#data, impact" -> ["data", "impact"]."""
    return [w.lstrip("#") for w in text.replace(",", " ").split() if w.lstrip("#")]


class RequestForm(forms.Form):
    people = forms.CharField(label="Who asked", help_text=PEOPLE_HELP)
    need = forms.CharField(
        label="What they need",
        help_text="In their words.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    title = forms.CharField(
        label="Short title", required=False, max_length=200, help_text="From the need if empty."
    )
    purpose = forms.CharField(
        label="What it is for", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    project = forms.CharField(required=False, max_length=200)
    grant = forms.CharField(required=False, max_length=200)
    course = forms.CharField(required=False, max_length=200)
    deadline = forms.DateField(
        label="Their deadline", required=False, widget=DATE, help_text="Their own, if any."
    )
    scope = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    preferred_format = forms.CharField(label="Preferred format", required=False, max_length=200)
    due_on = forms.DateField(label="Due", required=False, widget=DATE, help_text="When we owe it.")
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(), required=False, empty_label="No group"
    )
    follow_up_days = forms.IntegerField(
        label="Follow up after (days)",
        initial=DEFAULT_FOLLOW_UP_DAYS,
        help_text="How long after delivery to check in: 1 to 365 days.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    owner = OwnerChoiceField(queryset=User.objects.none(), empty_label=None)
    touchpoint = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        user: User,
        *args: Any,
        autocomplete_url: str = "",
        editing: Request | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["people"].widget = mention_widget(autocomplete_url, "@Sam Lee")
        groups = groups_for(user)
        if editing is not None and editing.group_id:
            # Keep the current group choosable even when the editor does not serve it.
            groups = groups | Group.objects.filter(pk=editing.group_id)
        cast(forms.ModelChoiceField, self.fields["group"]).queryset = groups.distinct()
        if editing is None:
            cast(forms.ModelChoiceField, self.fields["owner"]).queryset = request_owners()
            self.fields["owner"].initial = user.pk
        else:
            del self.fields["owner"], self.fields["touchpoint"]
            add_version_field(self, editing)

    @staticmethod
    def initial_for(req: Request, people: list[Person]) -> dict[str, Any]:
        names = ["need", "title", "purpose", "project", "grant", "course", "deadline", "scope"]
        names += ["preferred_format", "due_on", "group", "follow_up_days"]
        initial = {name: getattr(req, name) for name in names}
        initial["people"] = " ".join(mention_for(p.full_name) for p in people)
        return initial

    def clean_people(self) -> list[Person]:
        return people_from_mentions(self.user, self.cleaned_data["people"])

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as open_request/update_request take it (touchpoint aside)."""
        data = dict(self.cleaned_data)
        data.pop("touchpoint", None)
        data.pop("version", None)
        return data


class FilterForm(forms.Form):
    """The list's filters (GET). Bad values fall back to no filter."""

    status = forms.ChoiceField(
        required=False,
        choices=[("open", "Open"), ("", "Any status"), *Status.choices],
    )
    owner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    group = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    person = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, user: User, data: Any = None) -> None:
        # A filter missing from the query string is the default (mine, open), and the boxes
        # show that default: never "Any status" or "Anyone" over a list that is not.
        if data is not None:
            data = data.copy()
            data.setdefault("status", "open")
            data.setdefault("owner", str(user.pk))
        super().__init__(data)
        cast(forms.TypedChoiceField, self.fields["owner"]).choices = [
            ("", "Anyone"),
            *((u.pk, u.display_name) for u in request_owners()),
        ]
        cast(forms.TypedChoiceField, self.fields["group"]).choices = [
            ("", "Any group"),
            *groups_for(user).values_list("pk", "name"),
        ]
        self.user = user

    def filters(self) -> dict[str, Any]:
        """Mine and open unless the query string says otherwise."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        chosen = "owner" in self.data and "owner" not in self.errors
        owner = data.get("owner") if chosen else self.user.pk
        return {
            "status": data.get("status", "open") if "status" in self.data else "open",
            "owner": owner,
            "group": data.get("group"),
            "person": data.get("person"),
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    note = forms.CharField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=20_000
    )


class DeliverableForm(forms.Form):
    title = forms.CharField(required=False, max_length=200, help_text="From the file or link.")
    url = forms.CharField(label="Link", required=False, max_length=1000)
    file = forms.FileField(required=False)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(forms.Form):
    """Shown beside the outcome form on a delivered request, so its fields' ids carry their own
    prefix: two fields with one id leave one without a label (the names stay the same)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_follow_up_%s")
        super().__init__(*args, **kwargs)

    note = forms.CharField(
        label="How did it go?",
        required=False,
        help_text="Was it useful, what came of it, what next?",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    log_as = forms.ChoiceField(
        label="Also log it as a touchpoint",
        required=False,
        choices=[("", "No"), *((k, k.capitalize()) for k in FOLLOW_UP_KINDS)],
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    story = forms.CharField(
        label="Impact story",
        required=False,
        help_text="What the work made possible.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    story_tags = forms.CharField(
        label="Story tags", required=False, help_text="Words, e.g. #grant #publication"
    )
    version = version_field()

    def clean_story_tags(self) -> list[str]:
        return words(self.cleaned_data["story_tags"])

    @staticmethod
    def initial_for(req: Request) -> dict[str, Any]:
        return {
            "outcome": req.outcome,
            "story": req.story,
            "story_tags": " ".join(f"#{t}" for t in req.story_tags),
            "version": req.version,
        }


class ReassignForm(forms.Form):
    owner = OwnerChoiceField(label="New owner", queryset=User.objects.none(), empty_label=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = request_owners()


class AttachForm(forms.Form):
    touchpoint = forms.IntegerField(
        label="Touchpoint number", min_value=1, help_text="From the touchpoint's address."
    )


class StoryFilterForm(forms.Form):
    tag = forms.CharField(required=False, max_length=50)
