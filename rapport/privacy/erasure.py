"""Erasing a person: their identity and every text about them go, the work done stays counted.

The caller (`services.erase_person`) checks the role and writes the audit entry; this module
does the work inside its transaction.

What goes: the person's row and everything that hangs on it (memberships, relationship,
cadence, snoozes, interests, publications, alert subscription with its consent, matches,
digests, address-book ids, duplicate marks and merges), the text of every touchpoint and
request they took part in (a meeting's notes too, even with others present: they may speak
of the person), their place on those records, their name and address in stored webhook
bodies, and the text of audit entries about them.

What stays: every touchpoint, with its kind, channel, origin, effort, minutes, group, author
and an anonymous participation standing for the person (so the figures count it as before);
requests, without the person and their text; audit entries saying who did what, when; the
`Erasure` row (the id, who erased, at whose request, the counts).
"""

import datetime as dt
from typing import Any

from django.db.models import F, Q

from rapport.audit.models import AuditEntry
from rapport.awareness.models import Digest, Interest, Match, Publication, Subscription
from rapport.contacts.models import CardKey
from rapport.duplicates.models import Candidate, Merge, NotDuplicate
from rapport.people.models import Membership, Person
from rapport.privacy import anonymise
from rapport.privacy.models import Stripped, Tally
from rapport.relationships.services import refresh
from rapport.requests.models import Request
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.webhooks.models import Delivery

WHY = "on request"
ERASURE = Stripped.Reason.ERASURE


def counts(person: Person) -> dict[str, int]:
    """What an erasure of this person would remove or strip (shown before, kept after)."""
    tp_ids = Participation.objects.filter(person=person).values("touchpoint_id")
    pair = Q(person_a=person) | Q(person_b=person)
    return {
        "touchpoints": Participation.objects.filter(person=person).count(),
        "touchpoints_shared": Participation.objects.filter(touchpoint_id__in=tp_ids)
        .exclude(person=person)
        .values("touchpoint_id")
        .distinct()
        .count(),
        "requests": Request.people.through.objects.filter(person=person).count(),
        "memberships": Membership.objects.filter(person=person).count(),
        "interests": Interest.objects.filter(person=person).count(),
        "publications": Publication.objects.filter(person=person).count(),
        "matches": Match.objects.filter(person=person).count(),
        "digests": Digest.objects.filter(person=person).count(),
        "subscription": Subscription.objects.filter(person=person).count(),
        "card_keys": CardKey.objects.filter(person=person).count(),
        "duplicate_marks": Candidate.objects.filter(pair).count()
        + NotDuplicate.objects.filter(pair).count()
        + Merge.objects.filter(Q(keep=person) | Q(merged=person)).count(),
    }


def erase(person: Person, *, now: dt.datetime) -> tuple[dict[str, Any], list[str]]:
    """Do the erasure (see the module docstring). Returns the counts and the names of the
    deliverables' files to delete once the transaction has committed."""
    found: dict[str, Any] = dict(counts(person))
    pk = person.pk
    first_contact_at = person.first_contact_at

    # Touchpoints: text stripped, then the person's place taken by an anonymous participation.
    touchpoints = list(
        Touchpoint.objects.filter(
            pk__in=Participation.objects.filter(person=person).values("touchpoint_id")
        ).values_list("pk", "kind")
    )
    for start in range(0, len(touchpoints), 500):
        anonymise.strip_touchpoints(
            touchpoints[start : start + 500], why=WHY, reason=ERASURE, now=now
        )
    mine = anonymise.parts(Participation.objects.filter(person=person))
    anonymise.detach(mine, keep_tally=False)

    # Requests: text stripped, the person taken off.
    request_ids = list(
        Request.people.through.objects.filter(person=person).values_list("request_id", flat=True)
    )
    files = anonymise.strip_requests(request_ids, why=WHY, reason=ERASURE, now=now)

    # Stored webhook bodies naming them, or carrying the stripped touchpoints and requests.
    labels = dict(
        Touchpoint.objects.filter(pk__in=[t for t, _ in touchpoints]).values_list("pk", "topic")
    )
    request_labels = dict(Request.objects.filter(pk__in=request_ids).values_list("pk", "title"))
    found["webhook_bodies"] = anonymise.scrub_deliveries(
        person_id=pk,
        touchpoint_ids=set(labels),
        touchpoint_labels=labels,
        request_ids=set(request_labels),
        request_labels=request_labels,
        deliveries=Delivery.objects.filter(body__contains=f'"id": {pk}, "full_name"'),
    )

    # Audit entries about them and their memberships: the text goes, who did what stays.
    found["audit_entries"] = _scrub_person_audit(person)

    # Someone who referred them keeps the referral in their tally (their stage stays).
    referrer = person.referred_by_id
    if referrer is not None:
        Tally.objects.get_or_create(person_id=referrer)
        Tally.objects.filter(person_id=referrer).update(referrals=F("referrals") + 1)

    person.delete()
    refresh([referrer])
    found["first_contact_at"] = first_contact_at.isoformat() if first_contact_at else None
    return found, files


def _scrub_person_audit(person: Person) -> int:
    """Entries about the person (changes and views), their memberships, and any other entry
    whose summary names them: summary and copied values replaced, actor, action and time
    kept."""
    memberships = [
        str(pk) for pk in Membership.objects.filter(person=person).values_list("pk", flat=True)
    ]
    about = Q(object_type="person", object_id=str(person.pk)) | Q(
        object_type="membership", object_id__in=memberships
    )
    if len(person.full_name) >= 4:
        about |= Q(summary__icontains=person.full_name)
    changed = []
    for entry in AuditEntry.objects.filter(about).only("pk", "changes", "summary", "object_type"):
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        entry.changes = dict.fromkeys(changes, anonymise.REMOVED)
        entry.summary = f"{entry.object_type} of an erased person"[:200]
        changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["changes", "summary"], batch_size=500)
    return len(changed)
