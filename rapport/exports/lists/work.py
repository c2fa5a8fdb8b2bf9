"""The work: touchpoints (a person's or a group's timeline), requests, stories, the
awareness items and review queue, and search results. Never for managers except items and
search, whose pages they have too (items are public literature; their search finds only
items)."""

from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils.html import strip_tags

from rapport.accounts.models import User
from rapport.awareness.queries import items_for, suggestions_for
from rapport.errors import Invalid
from rapport.exports.registry import Column, Selection, exportable, in_chunks
from rapport.people.queries import access_group, access_person
from rapport.requests.forms import FilterForm, StoryFilterForm
from rapport.requests.queries import search_requests, stories_for
from rapport.search.forms import SearchForm
from rapport.search.queries import MAX_LIMIT, search
from rapport.touchpoints.queries import (
    mark_visible_people,
    timeline_for_group,
    timeline_for_person,
)


def shown_people(obj: Any) -> str:
    """The participants this reader may see; others are counted, never named."""
    names = "; ".join(p.full_name for p in obj.shown_people)
    if obj.hidden_count:
        others = f"{obj.hidden_count} other{'s' if obj.hidden_count > 1 else ''}"
        return f"{names} and {others}" if names else others
    return names


def _name(user: Any) -> str:
    return user.display_name if user is not None else ""


@exportable(
    "touchpoints",
    "Touchpoints",
    (
        Column("Id", lambda t: t.pk),
        Column("When", lambda t: t.occurred_at),
        Column("Kind", lambda t: t.get_kind_display()),
        Column("Channel", lambda t: t.get_channel_display()),
        Column("Origin", lambda t: t.get_origin_display()),
        Column("Initiated by", lambda t: t.get_initiated_by_display()),
        Column("READ", lambda t: t.read_level),
        Column("Minutes", lambda t: t.minutes),
        Column("Topic", lambda t: t.topic),
        Column("Question", lambda t: t.question),
        Column("Answer or notes", lambda t: t.answer),
        Column("Outcome", lambda t: t.outcome),
        Column("Tags", lambda t: t.tags),
        Column("People", shown_people),
        Column("Group", lambda t: t.group.name if t.group else ""),
        Column("Logged by", lambda t: _name(t.author)),
        Column("Confidential", lambda t: t.confidential),
    ),
)
def touchpoints(user: User, params: QueryDict) -> Selection:
    """A person's timeline (?person=<id>) or a group's (?group=<id>); confidential touchpoints
    only for their author, as on the page."""
    if params.get("person"):
        person = access_person(user, params.get("person", ""))
        rows, label = timeline_for_person(user, person), person.full_name
    elif params.get("group"):
        group = access_group(user, params.get("group", ""))
        rows, label = timeline_for_group(user, group), group.name
    else:
        raise Invalid("Say whose touchpoints to export: ?person=<id> or ?group=<id>.")
    return Selection(in_chunks(rows, lambda batch: mark_visible_people(user, batch)), label)


REQUEST_COLUMNS = (
    Column("Id", lambda r: r.pk),
    Column("Title", lambda r: r.title),
    Column("Status", lambda r: r.get_status_display()),
    Column("Need", lambda r: r.need),
    Column("Who asked", shown_people),
    Column("Group", lambda r: r.group.name if r.group else ""),
    Column("Owner", lambda r: _name(r.owner)),
    Column("Due", lambda r: r.due_on),
    Column("Their deadline", lambda r: r.deadline),
    Column("Opened", lambda r: r.created_at),
    Column("Follow up on", lambda r: r.follow_up_on),
    Column("Outcome", lambda r: r.outcome),
)


@exportable("requests", "Requests", REQUEST_COLUMNS)
def requests(user: User, params: QueryDict) -> Selection:
    """The requests list with its status, owner, group and person filters."""
    rows = search_requests(user, **FilterForm(user, params).filters())
    return Selection(in_chunks(rows, lambda batch: mark_visible_people(user, batch)))


@exportable(
    "stories",
    "Stories",
    (
        Column("Request id", lambda r: r.pk),
        Column("Title", lambda r: r.title),
        Column("Story", lambda r: r.story),
        Column("Tags", lambda r: r.story_tags),
        Column("Story date", lambda r: r.story_at),
        Column("Outcome", lambda r: r.outcome),
        Column("Who asked", shown_people),
        Column("Group", lambda r: r.group.name if r.group else ""),
        Column("Owner", lambda r: _name(r.owner)),
    ),
)
def stories(user: User, params: QueryDict) -> Selection:
    """Impact stories, newest first, with the page's tag filter."""
    form = StoryFilterForm(params)
    tag = form.cleaned_data.get("tag", "") if form.is_valid() else ""
    rows = stories_for(user, tag=tag)
    return Selection(in_chunks(rows, lambda batch: mark_visible_people(user, batch)), tag)


@exportable(
    "items",
    "Items",
    (
        Column("Id", lambda i: i.pk),
        Column("Title", lambda i: i.title),
        Column("Kind", lambda i: i.get_kind_display()),
        Column("Authors", lambda i: i.authors),
        Column("Venue", lambda i: i.venue),
        Column("Published", lambda i: i.published_on),
        Column("DOI", lambda i: i.doi),
        Column("arXiv id", lambda i: i.arxiv_id),
        Column("Link", lambda i: i.link),
        Column("Source", lambda i: i.source),
        Column("Added", lambda i: i.added_at),
    ),
    managers=True,
)
def items(user: User, params: QueryDict) -> Selection:
    """Awareness items (public literature), with the page's title search."""
    return Selection(in_chunks(items_for(user, params.get("q", "").strip())))


def why(match: Any) -> str:
    explanation = match.explanation or {}
    parts = list(explanation.get("terms") or [])
    parts += [e.get("label", "") for e in explanation.get("evidence") or []]
    return "; ".join(str(p) for p in parts if p)


@exportable(
    "review",
    "Suggestions",
    (
        Column("Match id", lambda m: m.pk),
        Column("Person", lambda m: m.person.full_name),
        Column("E-mail", lambda m: m.person.email),
        Column("Item", lambda m: m.item.title),
        Column("Link", lambda m: m.item.link),
        Column("Score", lambda m: round(m.score, 4)),
        Column("Why", why),
        Column("Suggested", lambda m: m.created_at),
    ),
)
def review(user: User, params: QueryDict) -> Selection:
    """The review queue (?person=<id> for one person's), best first."""
    person = access_person(user, params.get("person", "")) if params.get("person") else None
    return Selection(in_chunks(suggestions_for(user, person)), person.full_name if person else "")


def _hit_date(hit: Any) -> Any:
    obj = hit.object
    for name in ("occurred_at", "created_at", "published_on"):
        if hasattr(obj, name):
            return getattr(obj, name)
    return None


def _absolute(url: str) -> str:
    return url if "://" in url or not url else settings.SITE_URL.rstrip("/") + url


@exportable(
    "search",
    "Search results",
    (
        Column("Kind", lambda h: h.label),
        Column("Title", lambda h: h.title),
        Column("Date", _hit_date),
        Column("Excerpt", lambda h: strip_tags(h.snippet)),
        Column("Link", lambda h: _absolute(h.url)),
    ),
    managers=True,
)
def search_results(user: User, params: QueryDict) -> Selection:
    """The search page's hits for the same words and filters, up to the most it can show.
    A manager's search finds items only."""
    args = SearchForm(user, params).search_args()
    args["limit"] = MAX_LIMIT
    return Selection(search(user, **args), args["q"])
