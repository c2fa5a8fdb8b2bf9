"""Access-scoped reads for current awareness. Items are public literature, seen by every
signed-in user; matches, profiles and publications are about people, so they follow the
people a user may see, and managers see none of them."""

from django.db.models import Q, QuerySet

from rapport.accounts.models import User
from rapport.accounts.pages import forbid_managers
from rapport.awareness.models import Digest, Item, Match, MatchRun, MatchStatus, Subscription
from rapport.errors import NotFound
from rapport.people.models import Person
from rapport.people.queries import people_for


def items_for(user: User, q: str = "") -> QuerySet[Item]:
    """Items, newest first, optionally narrowed by words in the title."""
    qs = Item.objects.all()
    for word in q.split()[:5]:
        qs = qs.filter(title__icontains=word)
    return qs


def get_item_for(user: User, pk: int | str) -> Item:
    try:
        return items_for(user).get(pk=int(pk))
    except (Item.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no item {pk}.") from None


def item_matches(user: User, item: Item) -> QuerySet[Match]:
    """Who an item was matched to, among the people the user may see; best first."""
    return matches_for(user).filter(item=item).select_related("person").order_by("-score")


def matches_for(user: User) -> QuerySet[Match]:
    """Matches for the people this user may see."""
    forbid_managers(user)
    return Match.objects.filter(person__in=people_for(user).values("pk"))


def suggestions_for(user: User, person: Person | None = None) -> QuerySet[Match]:
    """The review queue: suggestions waiting for a decision, best first."""
    qs = matches_for(user).filter(status=MatchStatus.SUGGESTED)
    if person is not None:
        qs = qs.filter(person=person)
    return qs.select_related("person", "item").order_by("-score", "id")


def get_match_for(user: User, pk: int | str) -> Match:
    try:
        return matches_for(user).select_related("person", "item").get(pk=int(pk))
    except (Match.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no match {pk} that you can see.") from None


def matches_of(user: User, person: Person) -> QuerySet[Match]:
    """Everything matched to one person (the caller got `person` through get_person_for)."""
    forbid_managers(user)
    return Match.objects.filter(person=person).select_related("item", "decided_by")


def subscription_of(person: Person) -> Subscription | None:
    return Subscription.objects.filter(person=person).first()


def runs_for(user: User) -> QuerySet[MatchRun]:
    """Recent matching runs: those about people the user may see, and library-wide ones."""
    forbid_managers(user)
    visible = people_for(user).values("pk")
    return (
        MatchRun.objects.filter(person__isnull=True) | MatchRun.objects.filter(person__in=visible)
    ).select_related("person")


def get_run_for(user: User, pk: int | str) -> MatchRun:
    try:
        return runs_for(user).get(pk=int(pk))
    except (MatchRun.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no matching run {pk} that you can see.") from None


def failed_digests(person: Person) -> QuerySet[Digest]:
    """Digests to this person the mail server has not accepted: waiting for the next run, or
    refused for good at the address the person still has."""
    refused = Q(status=Digest.Status.REFUSED, address=person.email)
    waiting_or_refused = Q(status=Digest.Status.FAILED) | refused
    return Digest.objects.filter(waiting_or_refused, person=person).order_by("-created_at")
