"""People, groups and group members, as on the people list and the group pages."""

from collections.abc import Iterator

from django.http import QueryDict

from rapport.accounts.models import User
from rapport.exports.registry import Column, Selection, exportable, in_chunks
from rapport.people.forms import PeopleFilterForm
from rapport.people.models import Group
from rapport.people.queries import access_group, groups_for, members_of, search_people
from rapport.touchpoints.stats import group_counts

PERSON_COLUMNS = (
    Column("Id", lambda p: p.pk),
    Column("Name", lambda p: p.full_name),
    Column("E-mail", lambda p: p.email),
    Column("Other e-mails", lambda p: p.other_emails),
    Column("ORCID iD", lambda p: p.orcid),
    Column("Directory id", lambda p: p.directory_id),
    Column("Status", lambda p: p.get_status_display()),
    Column("Job title", lambda p: p.job_title),
    Column("Department", lambda p: p.department),
    Column("Building", lambda p: p.building),
    Column("Room", lambda p: p.room),
    Column("Desk", lambda p: p.desk),
    Column("First contact", lambda p: p.first_contact_at),
    Column("Last contact", lambda p: p.last_contact_at),
    Column("Touchpoints", lambda p: p.touchpoint_count),
)


@exportable("people", "People", PERSON_COLUMNS)
def people(user: User, params: QueryDict) -> Selection:
    """The people list with its search, group, status and sort."""
    form = PeopleFilterForm(user, params)
    return Selection(in_chunks(search_people(user, **form.filters())))


GroupRow = tuple[Group, object]


@exportable(
    "groups",
    "Groups",
    (
        Column("Id", lambda r: r[0].pk),
        Column("Group", lambda r: r[0].name),
        Column("Kind", lambda r: r[0].get_kind_display()),
        Column("Members", lambda r: r[1].members),
        Column("Never contacted", lambda r: r[1].never_contacted),
        Column("Touchpoints", lambda r: r[1].touchpoints),
        Column("Last touchpoint", lambda r: r[1].last_at),
    ),
    managers=True,
)
def groups(user: User, params: QueryDict) -> Selection:
    """The group list with its counts (figures only, so managers may export it too)."""

    def rows() -> Iterator[GroupRow]:
        chunk: list[Group] = []
        for group in groups_for(user).iterator(chunk_size=500):
            chunk.append(group)
            if len(chunk) == 500:
                yield from _with_counts(user, chunk)
                chunk = []
        yield from _with_counts(user, chunk)

    return Selection(rows())


def _with_counts(user: User, chunk: list[Group]) -> list[GroupRow]:
    counts = group_counts(user, chunk)
    return [(g, counts[g.pk]) for g in chunk]


@exportable(
    "group-members",
    "Members",
    (
        Column("Person id", lambda m: m.person_id),
        Column("Name", lambda m: m.person.full_name),
        Column("E-mail", lambda m: m.person.email),
        Column("Status", lambda m: m.person.get_status_display()),
        Column("Role", lambda m: m.role),
        Column("Started", lambda m: m.started_on),
        Column("Ended", lambda m: m.ended_on),
        Column("Last contact", lambda m: m.person.last_contact_at),
        Column("Touchpoints", lambda m: m.person.touchpoint_count),
    ),
)
def group_members(user: User, params: QueryDict) -> Selection:
    """A group's members (?group=<id>), as on the group page."""
    group = access_group(user, params.get("group", ""))
    rows = members_of(user, group).order_by("person__full_name", "pk")
    return Selection(in_chunks(rows), group.name)
