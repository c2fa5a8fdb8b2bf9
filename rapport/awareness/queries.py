"""Access-scoped reads for current awareness. Items are public literature, seen by every
signed-in user; matches, profiles and publications are about people, so they follow the
people a user may see, and managers see none of them."""

from django.db.models import Q, QuerySet

from rapport.access import scoped_row
from rapport.accounts.models import User
from rapport.accounts.roles import require_detail, require_librarian
from rapport.awareness.models import Digest, Item, Match, MatchRun, MatchStatus, Subscription
from rapport.people.models import Person
from rapport.people.queries import people_for


def items_for(user: User, q: str = "") -> QuerySet[Item]:
    """Items, newest first, optionally narrowed by words in the title."""
    qs = Item.objects.all()
    for word in q.split()[:5]:
        qs = qs.filter(title__icontains=word)
    return qs


def access_item(user: User, pk: int | str, *, for_write: bool = False) -> Item:
    """An item (everyone who signs in sees them); for a write, a librarian's."""
    if for_write:
        require_librarian(user, to="change alerts")
    return scoped_row(items_for(user), pk, for_write=for_write, missing=f"There is no item {pk}.")


def item_matches(user: User, item: Item) -> QuerySet[Match]:
    """Who an item was matched to, among the people the user may see; best first."""
    return matches_for(user).filter(item=item).select_related("person").order_by("-score")


def matches_for(user: User) -> QuerySet[Match]:
    """Matches for the people this user may see."""
    require_detail(user, what="people")
    return Match.objects.filter(person__in=people_for(user).values("pk"))


def suggestions_for(
    user: User, person: Person | None = None, item_id: int | None = None
) -> QuerySet[Match]:
    """The review queue: suggestions waiting for a decision, best first; for one person or
    one item when asked."""
    qs = matches_for(user).filter(status=MatchStatus.SUGGESTED)
    if person is not None:
        qs = qs.filter(person=person)
    if item_id is not None:
        qs = qs.filter(item_id=item_id)
    return qs.select_related("person", "item").order_by("-score", "id")


def review_choices(user: User, limit: int = 300) -> tuple[list[tuple], list[tuple]]:
    """The people and the items that have suggestions waiting for the user, (id, name) each,
    by name: the review queue's filters."""
    waiting = matches_for(user).filter(status=MatchStatus.SUGGESTED)
    people = (
        waiting.values_list("person_id", "person__full_name")
        .distinct()
        .order_by("person__full_name", "person_id")[:limit]
    )
    items = (
        waiting.values_list("item_id", "item__title")
        .distinct()
        .order_by("item__title", "item_id")[:limit]
    )
    return list(people), list(items)


def access_match(user: User, pk: int | str, *, for_write: bool = False) -> Match:
    """A match for a person the user may see; for a write (a decision), a librarian's."""
    if for_write:
        require_librarian(user, to="change alerts")
    return scoped_row(
        matches_for(user),
        pk,
        for_write=for_write,
        missing=f"There is no match {pk} that you can see.",
        shown=lambda qs: qs.select_related("person", "item"),
    )


def matches_of(user: User, person: Person) -> QuerySet[Match]:
    """Everything matched to one person (the caller got `person` through access_person)."""
    require_detail(user, what="people")
    return Match.objects.filter(person=person).select_related("item", "decided_by")


def subscription_of(person: Person) -> Subscription | None:
    return Subscription.objects.filter(person=person).first()


def runs_for(user: User) -> QuerySet[MatchRun]:
    """Recent matching runs: those about people the user may see, and library-wide ones."""
    require_detail(user, what="people")
    visible = people_for(user).values("pk")
    return (
        MatchRun.objects.filter(person__isnull=True) | MatchRun.objects.filter(person__in=visible)
    ).select_related("person")


def access_run(user: User, pk: int | str, *, for_write: bool = False) -> MatchRun:
    """A matching run the user may follow; runs are started, never changed, by librarians."""
    if for_write:
        require_librarian(user, to="change alerts")
    return scoped_row(
        runs_for(user),
        pk,
        for_write=for_write,
        missing=f"There is no matching run {pk} that you can see.",
    )


def failed_digests(person: Person) -> QuerySet[Digest]:
    """Digests to this person the mail server has not accepted: waiting for the next run, or
    refused for good at the address the person still has."""
    refused = Q(status=Digest.Status.REFUSED, address=person.email)
    waiting_or_refused = Q(status=Digest.Status.FAILED) | refused
    return Digest.objects.filter(waiting_or_refused, person=person).order_by("-created_at")
