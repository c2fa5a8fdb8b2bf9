"""Personal digests: one email per subscribed person carrying the matches approved for them.

This module decides who is due and composes: for every person whose alerts are on (consented,
not paused, not unsubscribed) and due at their frequency, one `Digest` row is created and their
approved matches (and, for people set to automatic sending, their suggestions) are linked to it,
in one transaction per person; a person never gets a new digest while an older one is still
waiting, nor while their address is one the mail server refused for good. It also writes the
message. Sending, retries and giving up are in `sending.py`.
"""

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formataddr, make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import Role, User
from rapport.awareness import links
from rapport.awareness.models import (
    Digest,
    Frequency,
    Item,
    Match,
    MatchStatus,
    Subscription,
)
from rapport.people.models import Person
from rapport.weblinks import absolute_url, web_address

#: The most items one email carries; the rest wait for the next digest, best first.
MAX_ITEMS = 20
#: Reasons shown under an item: this many matched terms.
MAX_TERMS = 5
WAITING = [Digest.Status.PENDING, Digest.Status.FAILED]


@dataclass(frozen=True)
class Line:
    """One item as the email shows it."""

    title: str
    link: str
    venue: str
    published_on: dt.date | None
    terms: list[str]
    because: list[str]
    note: str
    note_by: str  # who wrote the note: the librarian who approved the item
    useful_url: str
    not_useful_url: str


def receives_alerts(sub: Subscription | None) -> bool:
    """Consented, not paused, not unsubscribed: the only people a digest may go to."""
    return bool(
        sub is not None
        and sub.consented_at is not None
        and sub.unsubscribed_at is None
        and not sub.paused
    )


def _add_month(day: dt.date) -> dt.date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def next_due(sub: Subscription) -> dt.date | None:
    """The first local day a new digest may go out; None when none has been sent yet.

    Counted in calendar days, not hours, so a scheduler that runs at the same time each week
    never finds a person a few seconds short of due."""
    if sub.last_sent_at is None:
        return None
    last = timezone.localdate(sub.last_sent_at)
    if sub.frequency == Frequency.MONTHLY:
        return _add_month(last)
    return last + dt.timedelta(days=7)


def is_due(sub: Subscription, now: dt.datetime) -> bool:
    due = next_due(sub)
    return due is None or timezone.localdate(now) >= due


def _statuses(sub: Subscription) -> list[str]:
    # People set to automatic sending get their suggestions without the librarian's review.
    if sub.auto_send:
        return [MatchStatus.APPROVED, MatchStatus.SUGGESTED]
    return [MatchStatus.APPROVED]


def candidates() -> "list[Subscription]":
    """Subscriptions with alerts on and something to send, before the frequency check."""
    unlinked = Match.objects.filter(person=OuterRef("person_id"), digest=None)
    refused = Digest.objects.filter(
        person=OuterRef("person_id"),
        status=Digest.Status.REFUSED,
        address=OuterRef("person__email"),
    )
    return list(
        Subscription.objects.filter(
            consented_at__isnull=False,
            unsubscribed_at=None,
            paused=False,
            person__archived_at=None,
        )
        .exclude(person__email="")
        .exclude(Exists(refused))
        .annotate(
            has_approved=Exists(unlinked.filter(status=MatchStatus.APPROVED)),
            has_suggested=Exists(unlinked.filter(status=MatchStatus.SUGGESTED)),
        )
        .filter(Q(has_approved=True) | Q(auto_send=True, has_suggested=True))
        .order_by("pk")
    )


def compose(sub: Subscription, now: dt.datetime) -> Digest | None:
    """Make this person's next digest and link its matches to it, in one transaction; None when
    they are not due, have nothing new, or still have a digest waiting to be sent."""
    with transaction.atomic():
        # The lock makes a concurrent run wait here, then see the digest this one made.
        sub = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("person")
            .get(pk=sub.pk)
        )
        if not receives_alerts(sub) or not sub.person.email or not is_due(sub, now):
            return None
        if Digest.objects.filter(person_id=sub.person_id, status__in=WAITING).exists():
            return None  # the waiting one goes first, on its own
        statuses = _statuses(sub)
        pool = Match.objects.filter(person_id=sub.person_id, digest=None, status__in=statuses)
        ids = list(pool.order_by("-score", "id").values_list("pk", flat=True)[:MAX_ITEMS])
        if not ids:
            return None
        digest = Digest.objects.create(person_id=sub.person_id, message_id=_message_id())
        Match.objects.filter(pk__in=ids, digest=None, status__in=statuses).update(digest=digest)
        # A suggestion on its way to the person is approved by automatic sending: it must not
        # be pruned as a stale suggestion, and the review queue must not offer it again.
        Match.objects.filter(digest=digest, status=MatchStatus.SUGGESTED).update(
            status=MatchStatus.APPROVED, decided_at=now
        )
    return digest


def _message_id() -> str:
    """Chosen when the digest is made and reused on every attempt, so in the rare case of a
    server that accepted a message whose success we could not record, the copy sent on the
    retry carries the same Message-ID and mail programs show it once."""
    host = urlsplit(settings.SITE_URL).hostname or "rapport.invalid"
    return make_msgid(idstring="digest", domain=host)


def _site(path: str) -> str:
    return absolute_url(path)


def preferences_url(sub: Subscription, request: HttpRequest | None = None) -> str:
    """The address of the person's page, with the token of the link in hand (`sub.token`):
    on a page, at the address the page was reached by; in an e-mail, at the site address."""
    return absolute_url(reverse("alerts:preferences", args=[sub.token]), request)


def unsubscribe_url(sub: Subscription) -> str:
    return _site(reverse("alerts:unsubscribe", args=[sub.token]))


def feedback_url(sub: Subscription, match: Match, answer: str) -> str:
    return _site(reverse("alerts:feedback", args=[sub.token, match.pk, answer]))


def _librarians(qs) -> "list[User]":
    return list(qs.filter(is_active=True).exclude(role=Role.MANAGER).exclude(email=""))


def librarian_for(person: Person, matches: Sequence[Match] = ()) -> User | None:
    """The librarian this person knows: the one who approved most of these matches, else a
    librarian of a group they belong to now, else one who has worked with them."""
    approvers = Counter(
        m.decided_by
        for m in matches
        if m.decided_by is not None
        and m.decided_by.is_active
        and m.decided_by.email
        and m.decided_by.role != Role.MANAGER
    )
    if approvers:
        return sorted(approvers.items(), key=lambda kv: (-kv[1], kv[0].pk))[0][0]
    today = timezone.localdate()
    current = Q(served_groups__memberships__ended_on=None) | Q(
        served_groups__memberships__ended_on__gte=today
    )
    in_groups = _librarians(
        User.objects.filter(
            current,
            served_groups__memberships__person=person,
            served_groups__archived_at=None,
        ).order_by("served_groups__name", "pk")
    )
    if in_groups:
        return in_groups[0]
    contacts = _librarians(person.contacts.order_by("pk"))
    return contacts[0] if contacts else None


def _because(match: Match) -> list[str]:
    """Evidence worth naming in an email: the person's own papers and stated topics. Questions
    are left to the preferences page, behind the secret link, since mail gets forwarded."""
    explanation = match.explanation if isinstance(match.explanation, dict) else {}
    out = []
    for e in explanation.get("evidence", []):
        if not isinstance(e, dict) or not e.get("label"):
            continue
        if e.get("source") == "publication":
            out.append(f"your paper “{e['label']}”")
        elif e.get("source") == "stated":
            out.append(f"the topic “{e['label']}” you chose")
    return list(dict.fromkeys(out))[:3]


def terms_of(match: Match) -> list[str]:
    """The matched terms from the matcher's explanation, however few it recorded."""
    explanation = match.explanation if isinstance(match.explanation, dict) else {}
    terms = []
    for t in explanation.get("terms", []):
        if isinstance(t, dict):
            t = t.get("term", "")
        if isinstance(t, str) and t.strip():
            terms.append(t.strip())
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def link_of(item: Item) -> str:
    """Where an email sends the reader for an item: its link, else its DOI at doi.org; only
    ever a web address, whatever an old row holds (rapport/weblinks.py)."""
    return web_address(item.link) or (
        web_address(f"https://doi.org/{item.doi}") if item.doi else ""
    )


def subject(count: int) -> str:
    return f"Library alerts: {count} new {'item' if count == 1 else 'items'} for you"


def message(digest: Digest, sub: Subscription, matches: "list[Match]") -> EmailMultiAlternatives:
    """The email for one digest: text and HTML, one-click unsubscribe, the recorded Message-ID.
    Its links carry a token made for it (`links.issue`: only the hash is saved), so call it
    inside the transaction that sends it."""
    person = sub.person
    links.issue(sub)
    librarian = librarian_for(person, matches)
    lines = [
        Line(
            title=m.item.title,
            link=link_of(m.item),
            venue=m.item.venue,
            published_on=m.item.published_on,
            terms=terms_of(m),
            because=_because(m),
            note=m.note,
            note_by=m.decided_by.display_name if m.note and m.decided_by else "",
            useful_url=feedback_url(sub, m, "useful"),
            not_useful_url=feedback_url(sub, m, "not_useful"),
        )
        for m in matches
    ]
    context = {
        "person": person,
        "lines": lines,
        "librarian": librarian,
        "preferences_url": preferences_url(sub),
        "unsubscribe_url": unsubscribe_url(sub),
        "frequency": sub.get_frequency_display().lower(),
    }
    headers = {
        "Message-ID": digest.message_id,
        "List-Unsubscribe": f"<{unsubscribe_url(sub)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    mail = EmailMultiAlternatives(
        subject=subject(len(lines)),
        body=render_to_string("awareness/email/digest.txt", context),
        to=[formataddr((person.full_name, person.email))],
        reply_to=[formataddr((librarian.display_name, librarian.email))] if librarian else [],
        headers=headers,
    )
    mail.attach_alternative(render_to_string("awareness/email/digest.html", context), "text/html")
    return mail
