"""Personal digests: one email per subscribed person carrying the matches approved for them.

A run has two steps. First it composes: for every person whose alerts are on (consented, not
paused, not unsubscribed) and due at their frequency, one `Digest` row is created and their
approved matches (and, for people set to automatic sending, their suggestions) are linked to it,
in one transaction per person. Then it sends every digest not yet accepted by the mail server,
new ones and those left over from earlier runs alike, and marks one sent only once the server
has accepted it. A digest that could not be sent stays waiting (`failed`, with `attempts` and
`last_error`) and the next run tries it again; a person never gets a new digest while an older
one is still waiting, so nothing is sent twice and nothing is lost. A digest the server refuses
for good (a 5xx answer: no such mailbox, message rejected), or that failed `MAX_ATTEMPTS` times,
is `refused`: its items go back to the person's approved list, and no new digest is made for
them until their address changes, so one dead address never holds up or repeats anything.

`rapport send_digests` (cron) and the `send_digests_task` (the worker) both call `send_digests`.
"""

import calendar
import contextlib
import datetime as dt
import smtplib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import formataddr, make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import Role, User
from rapport.audit.services import record
from rapport.awareness.models import Digest, Frequency, Match, MatchStatus, Subscription
from rapport.people.models import Person

#: The most items one email carries; the rest wait for the next digest, best first.
MAX_ITEMS = 20
#: Reasons shown under an item: this many matched terms.
MAX_TERMS = 5
WAITING = [Digest.Status.PENDING, Digest.Status.FAILED]
#: A digest that failed this many runs (about a week of daily runs) is given up.
MAX_ATTEMPTS = 8


@dataclass
class Sent:
    """What one run did, in counts; `errors` says why each failed digest failed."""

    composed: int = 0
    sent: int = 0
    failed: int = 0
    released: int = 0  # waiting digests given back because the person turned alerts off
    errors: list[str] = field(default_factory=list)


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


def _candidates() -> "list[Subscription]":
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
    return settings.SITE_URL.rstrip("/") + path


def preferences_url(sub: Subscription) -> str:
    return _site(reverse("alerts:preferences", args=[sub.token]))


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


def subject(count: int) -> str:
    return f"Library alerts: {count} new {'item' if count == 1 else 'items'} for you"


def message(digest: Digest, sub: Subscription, matches: "list[Match]") -> EmailMultiAlternatives:
    """The email for one digest: text and HTML, one-click unsubscribe, the recorded Message-ID."""
    person = sub.person
    librarian = librarian_for(person, matches)
    lines = [
        Line(
            title=m.item.title,
            link=m.item.link or (f"https://doi.org/{m.item.doi}" if m.item.doi else ""),
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


def _release(digest: Digest) -> None:
    """Give a waiting digest's matches back (still approved) and drop it: the person turned
    alerts off before it could go, and gets the items later if they turn them on again."""
    Match.objects.filter(digest=digest).update(digest=None)
    digest.delete()


def _fail(digest: Digest, why: str, *, permanent: bool = False) -> None:
    """Keep the digest waiting for the next run, or give it up: refused for good, or tried too
    often. A given-up digest hands its items back, still approved, for when the address works."""
    refused = permanent or digest.attempts >= MAX_ATTEMPTS
    digest.status = Digest.Status.REFUSED if refused else Digest.Status.FAILED
    digest.last_error = why[:500]
    digest.save(update_fields=["status", "attempts", "last_error", "address"])
    if refused:
        Match.objects.filter(digest=digest).update(digest=None)


def is_permanent(err: Exception) -> bool:
    """The server refused this address or this message for good (a 5xx answer). A refused
    sender is not: that is the library's own configuration, and every digest would fail."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in err.recipients.values())
    return (
        isinstance(err, smtplib.SMTPResponseException)
        and not isinstance(err, smtplib.SMTPSenderRefused)
        and err.smtp_code >= 500
    )


def is_unreachable(err: Exception) -> bool:
    """The server cannot be reached at all (down, refusing connections, hanging up): trying the
    next digest would only wait for the same timeout, so the rest of the run fails untried.
    (smtplib's errors are OSErrors too; a refused address or message is not this.)"""
    return isinstance(err, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)) or (
        isinstance(err, OSError) and not isinstance(err, smtplib.SMTPException)
    )


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def describe(err: Exception) -> str:
    """Why a send failed, in words an administrator can act on."""
    if is_unreachable(err):
        return f"The mail server could not be reached: {err or type(err).__name__}"
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        why = "; ".join(f"{code} {_text(msg)}" for code, msg in err.recipients.values())
        return f"The mail server refused the address: {why}"
    if isinstance(err, smtplib.SMTPResponseException):
        return f"The mail server refused the message: {err.smtp_code} {_text(err.smtp_error)}"
    return f"{type(err).__name__}: {err}"


def send_digests(now: dt.datetime | None = None) -> Sent:
    """Compose the digests that are due, then send every digest not yet accepted."""
    now = now or timezone.now()
    result = Sent()
    for sub in _candidates():
        if is_due(sub, now) and compose(sub, now) is not None:
            result.composed += 1
    waiting = list(
        Digest.objects.filter(status__in=WAITING).order_by("pk").values_list("pk", flat=True)
    )
    if not waiting:
        return result
    connection = get_connection(fail_silently=False)
    down = ""
    try:
        for pk in waiting:
            down = _send_one(pk, connection, now, result, down)
    finally:
        with contextlib.suppress(OSError):  # a failed goodbye must not hide what was sent
            connection.close()
    return result


def _send_one(pk: int, connection, now: dt.datetime, result: Sent, down: str) -> str:
    """Send one waiting digest; returns why the server is unreachable, if it turned out to be.

    The row stays locked while the server is talking, so a second run (cron and the worker at
    once, on PostgreSQL) skips it instead of sending it again; SQLite serialises the runs."""
    with transaction.atomic():
        digest = (
            Digest.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=pk, status__in=WAITING)
            .select_related("person")
            .first()
        )
        if digest is None:
            return down  # sent or being sent by another run
        sub = Subscription.objects.filter(person_id=digest.person_id).first()
        if not receives_alerts(sub) or not digest.person.email:
            _release(digest)
            result.released += 1
            return down
        matches = list(
            digest.matches.filter(status=MatchStatus.APPROVED)
            .select_related("item", "decided_by")
            .order_by("-score", "pk")
        )
        if not matches:  # every item was withdrawn while it waited
            digest.delete()
            return down
        assert sub is not None
        sub.person = digest.person
        digest.attempts += 1
        digest.address = digest.person.email
        if down:
            _fail(digest, down)
            result.failed += 1
            result.errors.append(f"{digest.person.email}: {down}")
            return down
        try:
            accepted = connection.send_messages([message(digest, sub, matches)])
        except OSError as err:  # smtplib's errors included
            why = describe(err)
            _fail(digest, why, permanent=is_permanent(err))
            result.failed += 1
            result.errors.append(f"{digest.person.email}: {why}")
            if is_unreachable(err):
                connection.close()
                return why
            return down
        except Exception as err:  # one bad row (a name that breaks a header) must not stop
            # the run and hold up everyone else's digest on every run after it
            why = f"The message could not be made: {type(err).__name__}: {err}"
            _fail(digest, why)
            result.failed += 1
            result.errors.append(f"{digest.person.email}: {why}")
            return down
        if not accepted:
            why = "The mail server did not accept the message."
            _fail(digest, why)
            result.failed += 1
            result.errors.append(f"{digest.person.email}: {why}")
            return down
        digest.status = Digest.Status.SENT
        digest.sent_at = now
        digest.last_error = ""
        digest.save(update_fields=["status", "attempts", "sent_at", "last_error"])
        Match.objects.filter(pk__in=[m.pk for m in matches]).update(status=MatchStatus.SENT)
        Subscription.objects.filter(pk=sub.pk).update(last_sent_at=now)
        record(
            actor=None,
            action="digest.sent",
            obj=digest,
            summary=f"{len(matches)} item(s) to {digest.person.full_name}",
            changes={"matches": [m.pk for m in matches], "message_id": digest.message_id},
        )
        result.sent += 1
    return down
