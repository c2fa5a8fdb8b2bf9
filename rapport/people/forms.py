"""Forms for people, groups and memberships. They parse input; the services validate and save.

People are named in forms the way the capture box names them (``@Sam Lee``), so the same
autocomplete works everywhere and nobody has to pick from a list of thousands.
"""

from typing import Any, cast

from django import forms
from django.utils import timezone

from rapport.accounts.models import Role, User
from rapport.accounts.queries import librarians_for
from rapport.concurrency import add_version_field
from rapport.people.models import Group, GroupKind, Person, Status
from rapport.people.names import mention_for, one_person
from rapport.people.names import people_from_mentions as people_from_mentions  # re-exported
from rapport.people.queries import PEOPLE_SORTS, groups_for, groups_to_add_to, usual_of


def mention_widget(url: str = "", placeholder: str = "@Name") -> forms.TextInput:
    attrs = {"autocomplete": "off", "placeholder": placeholder, "data-autocomplete": ""}
    if url:
        attrs["data-autocomplete-url"] = url
    return forms.TextInput(attrs=attrs)


class PeopleFilterForm(forms.Form):
    """The people list's search box and filters (GET). Bad values fall back to no filter."""

    q = forms.CharField(label="Name or e-mail", required=False, max_length=200)
    group = forms.TypedChoiceField(label="Group", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Status.choices]
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("name", "Name"),
            ("-last_contact", "Most recent contact"),
            ("last_contact", "Longest without contact"),
            ("-touchpoints", "Most touchpoints"),
        ],
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["group"]).choices = [
            ("", "Any group"),
            *groups_for(user).values_list("pk", "name"),
        ]

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for search_people, from whatever in the query string is valid."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # keeps the valid fields in cleaned_data, drops the others
            data = self.cleaned_data
        sort = data.get("sort") or "name"
        return {
            "q": data.get("q", ""),
            "group": data.get("group"),
            "status": data.get("status", ""),
            "sort": sort if sort in PEOPLE_SORTS else "name",
        }


class PersonForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="E-mail", required=False)
    other_emails = forms.CharField(
        label="Other e-mail addresses",
        required=False,
        help_text="One per line.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    orcid = forms.CharField(label="ORCID iD", required=False, max_length=40)
    directory_id = forms.CharField(
        label="Directory id", required=False, max_length=100, help_text="Id in the campus directory"
    )
    job_title = forms.CharField(label="Job title", required=False, max_length=200)
    status = forms.ChoiceField(choices=Status.choices, initial=Status.OTHER)
    department = forms.CharField(required=False, max_length=200)
    building = forms.CharField(required=False, max_length=100)
    room = forms.CharField(required=False, max_length=50)
    desk = forms.CharField(required=False, max_length=50)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    referred_by = forms.CharField(
        label="Referred by", required=False, help_text="Who sent them to you, as @Name."
    )

    def __init__(
        self,
        user: User,
        *args: Any,
        autocomplete_url: str = "",
        editing: Person | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["referred_by"].widget = mention_widget(autocomplete_url)
        if editing is not None:
            add_version_field(self, editing)
        else:
            # A new person joins a group, so the group's cadence rules remind you of them.
            self.fields["group"] = group_field(
                user,
                help_text="Their group’s contact rhythm reminds you when they are due; "
                "in no group, nothing will.",
            )

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as create_person/update_person take it (the version aside)."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data

    @staticmethod
    def initial_for(person: Person) -> dict[str, Any]:
        simple = [
            "full_name",
            "email",
            "orcid",
            "directory_id",
            "job_title",
            "status",
            "department",
        ]
        simple += ["building", "room", "desk", "notes"]
        initial = {name: getattr(person, name) for name in simple}
        initial["other_emails"] = "\n".join(person.other_emails)
        if person.referred_by:
            initial["referred_by"] = mention_for(person.referred_by.full_name)
        return initial

    def clean_other_emails(self) -> list[str]:
        return self.cleaned_data["other_emails"].replace(",", " ").split()

    def clean_referred_by(self) -> Person | None:
        text = self.cleaned_data["referred_by"].strip()
        return one_person(self.user, text) if text else None


class GroupChoiceField(forms.ModelChoiceField):
    """A choice among groups already read (`groups_to_add_to`), so the page reads them once."""

    def __init__(self, groups: list[Group], **kwargs: Any) -> None:
        super().__init__(queryset=Group.objects.filter(pk__in=[g.pk for g in groups]), **kwargs)
        self.groups = groups
        self.choices = [
            *([("", self.empty_label)] if self.empty_label is not None else []),
            *((g.pk, g.name) for g in groups),
        ]


def group_field(user: User, *, help_text: str, exclude: Any = ()) -> GroupChoiceField:
    """A choice of the groups the librarian may add people to, their usual one chosen."""
    groups = groups_to_add_to(user, exclude=exclude)
    return GroupChoiceField(
        groups,
        label="Group",
        required=False,
        empty_label="No group",
        initial=usual_of(groups),
        help_text=help_text,
    )


class AddToGroupForm(forms.Form):
    """Add the person whose page this is to one more group (the person page's Groups card)."""

    prefix = "add"
    role = forms.CharField(required=False, max_length=100, help_text="e.g. PI, member, student")

    def __init__(self, user: User, person: Person, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        current = person.memberships.exclude(ended_on__lt=today).values("group_id")
        groups = groups_to_add_to(user, exclude=current)
        field = GroupChoiceField(
            groups, label="Group", required=True, empty_label=None, initial=usual_of(groups)
        )
        self.fields = {"group": field, "role": self.fields["role"]}


class GroupForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=GroupKind.choices)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    librarians = forms.ModelMultipleChoiceField(
        label="Librarians serving it",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.is_admin:
            # Only administrators assign librarians; a librarian's new group is served by them.
            cast(
                forms.ModelMultipleChoiceField, self.fields["librarians"]
            ).queryset = User.objects.filter(
                is_active=True, role__in=[Role.ADMIN, Role.LIBRARIAN]
            ).order_by("username")
        else:
            del self.fields["librarians"]

    @staticmethod
    def initial_for(group: Group) -> dict[str, Any]:
        return {
            "name": group.name,
            "kind": group.kind,
            "description": group.description,
            "librarians": list(group.librarians.all()),
        }

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if "librarians" in data:
            data["librarians"] = list(data["librarians"])
        return data


class MembershipForm(forms.Form):
    person = forms.CharField(label="Person", help_text="As @Name or @e-mail.")
    role = forms.CharField(required=False, max_length=100, help_text="e.g. PI, member, student")
    started_on = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ended_on = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, user: User, *args: Any, autocomplete_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["person"].widget = mention_widget(autocomplete_url, "@Sam Lee")

    def clean_person(self) -> Person:
        return one_person(self.user, self.cleaned_data["person"])


class ShareForm(forms.Form):
    """Whom to share a person with: an active librarian other than oneself."""

    librarian = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Share with",
        empty_label="Choose a colleague",
        help_text="They will see this person's page and the history logged about them.",
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["librarian"])
        field.queryset = librarians_for(user).exclude(pk=user.pk)
