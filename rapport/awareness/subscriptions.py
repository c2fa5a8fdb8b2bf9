"""A person's alerts, changed by the person through their secret link (or by a librarian on their
behalf): consent, frequency, pause, unsubscribe, topics, and answers to the items sent.

The link's token is the only key: whoever holds it acts as the person, so these services take
the subscription the token found, and `by` is None when the person acts on their own page. Each
write runs in one transaction and leaves an audit entry on the person. Tokens are made, found
and revoked in `links.py` (only their hashes are stored); they never go into an audit entry.

Consent is a double opt-in: a librarian (or the person) asks for an invitation, `invite` emails
the secret link to the person's own address, and only a press of the button on the page it
opens records consent.
"""

import datetime as dt

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from rapport.accounts.models import Role, User
from rapport.accounts.roles import require_librarian
from rapport.audit.services import record
from rapport.awareness import digests, links, sending
from rapport.awareness.models import (
    Frequency,
    Interest,
    InterestState,
    Match,
    MatchStatus,
    Subscription,
)
from rapport.awareness.services import set_interest
from rapport.errors import Invalid, NotFound
from rapport.people.models import Group, Person
from rapport.people.queries import access_person
from rapport.touchpoints.models import Channel, Initiator, Kind, Origin
from rapport.touchpoints.services import create_touchpoint

ANSWERS = {"useful": "useful", "not_useful": "not useful"}
BAD_LINK = links.BAD_LINK


def get_subscription(token: str) -> Subscription:
    """The subscription a secret link names. Unknown and revoked links get the same answer."""
    return links.find(token)


def get_sent_match(subscription: Subscription, match_id: int | str, *, lock: bool = False) -> Match:
    """An item that was sent to this person; nobody else's, and nothing still under review."""
    qs = Match.objects.select_related("item", "decided_by")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=int(match_id), person_id=subscription.person_id, status=MatchStatus.SENT)
    except (Match.DoesNotExist, ValueError, TypeError):
        raise NotFound("That item was not sent to you.") from None


def _audit(by: User | None, sub: Subscription, action: str, summary: str, changes: dict) -> None:
    who = "by the person" if by is None else f"by {by.display_name}"
    record(
        actor=by,
        action=f"subscription.{action}",
        obj=sub.person,
        summary=f"{summary} ({who})",
        changes=changes,
    )


def _locked(sub: Subscription) -> Subscription:
    """The row again, locked, so two quick presses do not both read the old state; it keeps
    the token of the link in hand, for the page the person is sent back to."""
    fresh = Subscription.objects.select_for_update(of=("self",)).select_related("person")
    locked = fresh.get(pk=sub.pk)
    locked.token = sub.token
    return locked


@transaction.atomic
def give_consent(*, subscription: Subscription, now: dt.datetime | None = None) -> Subscription:
    """The person says yes on their page: the second half of the double opt-in."""
    sub = _locked(subscription)
    if sub.consented_at is not None and sub.unsubscribed_at is None:
        return sub
    before = {"consented_at": _iso(sub.consented_at), "unsubscribed_at": _iso(sub.unsubscribed_at)}
    sub.consented_at = now or timezone.now()
    sub.unsubscribed_at = None
    sub.paused = False
    sub.save(update_fields=["consented_at", "unsubscribed_at", "paused"])
    _audit(
        None,
        sub,
        "consented",
        "Opted in to alerts on their preferences page",
        {"consented_at": [before["consented_at"], _iso(sub.consented_at)]},
    )
    return sub


@transaction.atomic
def set_frequency(
    *, by: User | None = None, subscription: Subscription, frequency: str
) -> Subscription:
    """Weekly or monthly."""
    require_librarian(by, to="change alerts")
    if frequency not in Frequency.values:
        raise Invalid("Choose weekly or monthly.", {"frequency": ["Choose weekly or monthly."]})
    sub = _locked(subscription)
    if sub.frequency != frequency:
        before, sub.frequency = sub.frequency, frequency
        sub.save(update_fields=["frequency"])
        _audit(by, sub, "frequency", f"Alerts {frequency}", {"frequency": [before, frequency]})
    return sub


@transaction.atomic
def set_paused(*, by: User | None = None, subscription: Subscription, paused: bool) -> Subscription:
    """Pause alerts (nothing is sent, matches wait) or resume them."""
    require_librarian(by, to="change alerts")
    sub = _locked(subscription)
    if sub.paused != paused:
        sub.paused = paused
        sub.save(update_fields=["paused"])
        what = "Paused alerts" if paused else "Resumed alerts"
        _audit(by, sub, "paused" if paused else "resumed", what, {"paused": [not paused, paused]})
    return sub


@transaction.atomic
def unsubscribe(
    *,
    by: User | None = None,
    subscription: Subscription,
    how: str = "preferences page",
    now: dt.datetime | None = None,
) -> Subscription:
    """Stop every alert at once. The consent given earlier stays on record; only the person can
    subscribe again, from their page."""
    require_librarian(by, to="change alerts")
    sub = _locked(subscription)
    if sub.unsubscribed_at is not None:
        return sub
    sub.unsubscribed_at = now or timezone.now()
    sub.save(update_fields=["unsubscribed_at"])
    _audit(
        by,
        sub,
        "unsubscribed",
        f"Unsubscribed ({how})",
        {"unsubscribed_at": [None, _iso(sub.unsubscribed_at)]},
    )
    return sub


@transaction.atomic
def new_link(*, by: User | None, subscription: Subscription) -> Subscription:
    """Revoke every link sent so far and make a new one (a forwarded email, a lost phone); the
    new token is on the returned subscription, to show once."""
    require_librarian(by, to="change alerts")
    sub = _locked(subscription)
    revoked = links.revoke_all(sub)
    links.issue(sub)
    _audit(
        by,
        sub,
        "new_link",
        "Revoked the preferences links sent so far and made a new one",
        {"links_revoked": revoked},
    )
    return sub


def add_topic(*, subscription: Subscription, term: str) -> Interest:
    """The person states a topic on their page."""
    return set_interest(
        by=None,
        person=subscription.person,
        term=term,
        state=InterestState.STATED,
        by_person=True,
    )


def remove_topic(*, subscription: Subscription, term: str) -> Interest:
    """The person takes a topic out of their profile; learned evidence no longer brings it back."""
    return set_interest(
        by=None,
        person=subscription.person,
        term=term,
        state=InterestState.REMOVED,
        by_person=True,
    )


def _author_for(match: Match, person: Person) -> User | None:
    """Who the answer is logged for: the librarian who approved the item, else the person's
    librarian. With neither (an automatic send to someone no librarian has met yet) there is
    nobody whose history the answer belongs to, and a touchpoint needs an author, so none is
    logged; the answer itself is still stored on the match and teaches the profile."""
    approver = match.decided_by
    if approver is not None and approver.is_active and approver.role != Role.MANAGER:
        return approver
    return digests.librarian_for(person)


def _group_for(author: User, person: Person) -> Group | None:
    """The one group the person belongs to now that the author serves, if there is just one."""
    today = timezone.localdate()
    # One filter() call, so the person and the end date are read from the same membership.
    current = Q(memberships__ended_on=None) | Q(memberships__ended_on__gte=today)
    groups = list(
        Group.objects.filter(
            current, librarians=author, archived_at=None, memberships__person=person
        ).distinct()[:2]
    )
    return groups[0] if len(groups) == 1 else None


@transaction.atomic
def record_feedback(
    *, subscription: Subscription, match: Match, answer: str, now: dt.datetime | None = None
) -> Match:
    """The person says an item sent to them was useful or not. Stored on the match (the profile
    learns from it) and logged as a touchpoint with origin alert: they wrote back to us."""
    if answer not in ANSWERS:
        raise Invalid("Answer useful or not useful.", {"answer": ["Unknown answer."]})
    match = get_sent_match(subscription, match.pk, lock=True)
    if match.feedback == answer:
        return match  # a second press, or a mail scanner after the person: nothing new
    before, match.feedback = match.feedback, answer
    match.save(update_fields=["feedback"])
    person = subscription.person
    record(
        actor=None,
        action="match.feedback",
        obj=match,
        summary=f"{person.full_name}: {ANSWERS[answer]} (by the person)",
        changes={"feedback": [before, answer]},
    )
    author = _author_for(match, person)
    if author is not None:
        create_touchpoint(
            by=author,
            people=[person],
            now=now,
            occurred_at=now or timezone.now(),
            kind=Kind.EMAIL,
            channel=Channel.EMAIL,
            origin=Origin.ALERT,
            # We started the exchange by sending the alert; a click on an answer link must not
            # count as the person reaching out (the ladder's "started by the person").
            initiated_by=Initiator.US,
            group=_group_for(author, person),
            topic=f"Alert {ANSWERS[answer]}: {match.item.title}"[:300],
            question=f"Marked “{match.item.title}” {ANSWERS[answer]} in a library alert.",
        )
    return match


def invite(*, by: User, person: Person) -> Subscription:
    """Email the person their secret link, to say yes to alerts (or, if they already have,
    to reach their preferences again). Nothing is sent to them before they press yes."""
    require_librarian(by, to="change alerts")
    person = access_person(by, person.pk, for_write=True)
    if not person.email:
        raise Invalid(f"{person.full_name} has no email address.", {"email": ["Required."]})
    with transaction.atomic():
        sub, _ = Subscription.objects.get_or_create(person=person)
        if sub.unsubscribed_at is not None:
            day = timezone.localdate(sub.unsubscribed_at)
            raise Invalid(
                f"{person.full_name} unsubscribed on {day:%-d %B %Y}; only they can subscribe"
                " again, from the link in any alert."
            )
        links.issue(sub)
        _audit(by, sub, "invited", f"Invitation sent to {person.email}", {})
    context = {
        "person": person,
        "librarian": by,
        "consented": sub.consented_at is not None,
        "preferences_url": digests.preferences_url(sub),
    }
    mail = EmailMultiAlternatives(
        subject="Library alerts: your link"
        if context["consented"]
        else "Would you like library alerts?",
        body=render_to_string("awareness/email/invitation.txt", context),
        to=[person.email],
        reply_to=[by.email] if by.email else [],
        headers={"Auto-Submitted": "auto-generated"},
    )
    mail.attach_alternative(
        render_to_string("awareness/email/invitation.html", context), "text/html"
    )
    try:
        mail.send()
    except OSError as err:  # smtplib's errors included
        raise Invalid(sending.for_librarian(err, "The invitation")) from None
    return sub


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def settings_summary(sub: Subscription) -> str:
    """One line for the person's page and for librarians: where their alerts stand."""
    if sub.unsubscribed_at is not None:
        return f"Unsubscribed on {timezone.localdate(sub.unsubscribed_at):%-d %B %Y}."
    if sub.consented_at is None:
        return "Not subscribed yet."
    if sub.paused:
        return "Paused: nothing is sent until you resume."
    due = digests.next_due(sub)
    when = (
        f"next on or after {due:%-d %B %Y}"
        if due
        else "the first one as soon as there is something for you"
    )
    return f"On, {sub.get_frequency_display().lower()}: {when}."
