"""Subject access: everything Rapport holds about one person, as one JSON-ready document.

It is complete on purpose, the law asks for all of it: confidential touchpoints are included
(marked `"confidential": true`, with their author), which no page shows anyone but the author.
Only an administrator can make one, and each one is audited (`services.open_subject_access`)
with the ids of the confidential touchpoints it disclosed, so their authors can be told.

Other people are named only where the record is about this person's own relationships
(who referred them); on shared touchpoints and requests the others are a count.
"""

import datetime as dt
from typing import Any

from django.db.models import Count, Q

from rapport.accounts.models import User
from rapport.audit.models import AuditEntry
from rapport.awareness.models import Digest, Interest, Match, Publication, Subscription
from rapport.contacts.models import CardKey
from rapport.duplicates.models import Candidate, Merge, NotDuplicate
from rapport.people.models import Membership, Person
from rapport.privacy.models import Tally
from rapport.relationships.models import PersonCadence, Relationship, Snooze
from rapport.requests.models import Request
from rapport.touchpoints.models import Participation, Touchpoint


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _user(user: User | None) -> str | None:
    return None if user is None else user.display_name


PERSON_FIELDS = (
    "full_name",
    "email",
    "other_emails",
    "orcid",
    "directory_id",
    "job_title",
    "status",
    "department",
    "building",
    "room",
    "desk",
    "notes",
    "first_contact_at",
    "last_contact_at",
    "touchpoint_count",
    "created_at",
    "updated_at",
    "archived_at",
)


def document(person: Person, *, by: User | None, now: dt.datetime) -> dict[str, Any]:
    """The whole record. A fixed number of queries per kind of data, however much there is."""
    touchpoints = _touchpoints(person)
    return {
        "about": (
            "Everything Rapport holds about this person, including confidential entries, "
            "made for a subject access request."
        ),
        "person_id": person.pk,
        "generated_at": _iso(now),
        "generated_by": by.display_name if by else "the command line",
        "person": {
            **{name: _iso(getattr(person, name)) for name in PERSON_FIELDS},
            "referred_by": person.referred_by.full_name if person.referred_by else None,
            "created_by": _user(person.created_by),
            "librarians_who_worked_with_them": sorted(
                u.display_name for u in person.contacts.all()
            ),
        },
        "memberships": [
            {
                "group": m.group.name,
                "role": m.role,
                "started_on": _iso(m.started_on),
                "ended_on": _iso(m.ended_on),
            }
            for m in Membership.objects.filter(person=person).select_related("group")
        ],
        "relationship": _relationship(person),
        "touchpoints": touchpoints,
        "older_touchpoints_no_longer_itemised": _tally(person),
        "requests": _requests(person),
        "interests": [
            {
                "term": i.term,
                "state": i.state,
                "stated_by_them": i.by_person,
                "at": _iso(i.created_at),
            }
            for i in Interest.objects.filter(person=person)
        ],
        "publications": [
            {
                "title": p.title,
                "authors": p.authors,
                "venue": p.venue,
                "published_on": _iso(p.published_on),
                "doi": p.doi,
                "link": p.link,
                "keywords": p.keywords,
                "source": p.source_kind,
            }
            for p in Publication.objects.filter(person=person)
        ],
        "alerts": _alerts(person),
        "address_book_ids": list(
            CardKey.objects.filter(person=person).values_list("key", flat=True)
        ),
        "duplicate_checks": _duplicates(person),
        "audit_trail": [
            {
                "at": _iso(e.at),
                "by": _user(e.actor),
                "action": e.action,
                "summary": e.summary,
                "changes": e.changes,
            }
            for e in AuditEntry.objects.filter(object_type="person", object_id=str(person.pk))
            .select_related("actor")
            .order_by("at", "id")
        ],
    }


def facts(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """The person's own fields as (label, text) for the readable page, empty ones left out."""
    rows = []
    for name, value in doc["person"].items():
        if value in (None, "", []):
            continue
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        rows.append((name.replace("_", " ").capitalize(), text))
    return rows


def confidential_ids(doc: dict[str, Any]) -> list[int]:
    return [t["id"] for t in doc["touchpoints"] if t["confidential"]]


def _touchpoints(person: Person) -> list[dict[str, Any]]:
    ids = Participation.objects.filter(person=person).values("touchpoint_id")
    rows = (
        Touchpoint.objects.filter(pk__in=ids)
        .select_related("author", "group")
        .order_by("occurred_at", "id")
    )
    shared = dict(
        Participation.objects.filter(touchpoint_id__in=ids)
        .values_list("touchpoint_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        {
            "id": t.pk,
            "occurred_at": _iso(t.occurred_at),
            "kind": t.kind,
            "channel": t.channel,
            "origin": t.origin,
            "initiated_by": t.initiated_by,
            "read_level": t.read_level,
            "minutes": t.minutes,
            "topic": t.topic,
            "question": t.question,
            "answer": t.answer,
            "outcome": t.outcome,
            "tags": t.tags,
            "confidential": t.confidential,
            "librarian": _user(t.author),
            "group": t.group.name if t.group else None,
            "other_people": shared.get(t.pk, 1) - 1,
            "source_system": t.source_system,
            "details": t.details,
        }
        for t in rows
    ]


def _tally(person: Person) -> dict[str, Any] | None:
    tally = Tally.objects.filter(person=person).first()
    if tally is None:
        return None
    return {
        "touchpoints": tally.touchpoint_count,
        "first": _iso(tally.first_contact_at),
        "last": _iso(tally.last_contact_at),
        "minutes": tally.minutes,
        "kinds": tally.kinds,
        "note": "Their text was removed and their link to this person cut under the retention "
        "schedule; only these totals are kept.",
    }


def _relationship(person: Person) -> dict[str, Any]:
    rel = Relationship.objects.filter(person=person).first()
    cadence = PersonCadence.objects.filter(person=person).select_related("set_by").first()
    return {
        "stage": rel.get_stage_display() if rel else "Prospect",
        "stage_reason": rel.stage_reason if rel else "",
        "cadence": None
        if cadence is None
        else {
            "ideal_days": cadence.ideal_days,
            "max_days": cadence.max_days,
            "reason": cadence.reason,
            "set_by": _user(cadence.set_by),
        },
        "snoozes": [
            {"librarian": _user(s.user), "until": _iso(s.until), "reason": s.reason}
            for s in Snooze.objects.filter(person=person).select_related("user")
        ],
    }


def _requests(person: Person) -> list[dict[str, Any]]:
    rows = (
        Request.objects.filter(people=person)
        .select_related("owner", "group")
        .prefetch_related("status_changes", "deliverables")
        .annotate(people_count=Count("people", distinct=True))
        .order_by("created_at", "id")
    )
    return [
        {
            "id": r.pk,
            "title": r.title,
            "need": r.need,
            "purpose": r.purpose,
            "project": r.project,
            "grant": r.grant,
            "course": r.course,
            "scope": r.scope,
            "preferred_format": r.preferred_format,
            "deadline": _iso(r.deadline),
            "due_on": _iso(r.due_on),
            "status": r.status,
            "librarian": _user(r.owner),
            "group": r.group.name if r.group else None,
            "follow_up_on": _iso(r.follow_up_on),
            "followed_up_at": _iso(r.followed_up_at),
            "outcome": r.outcome,
            "story": r.story,
            "created_at": _iso(r.created_at),
            "other_people": r.people_count - 1,
            "status_changes": [
                {"at": _iso(c.at), "from": c.from_status, "to": c.to_status, "note": c.note}
                for c in r.status_changes.all()
            ],
            "deliverables": [
                {
                    "title": d.title,
                    "url": d.url,
                    "file": d.file_name,
                    "description": d.description,
                    "delivered_at": _iso(d.delivered_at),
                }
                for d in r.deliverables.all()
            ],
        }
        for r in rows
    ]


def _alerts(person: Person) -> dict[str, Any]:
    sub = Subscription.objects.filter(person=person).first()
    return {
        "subscription": None
        if sub is None
        else {
            "consented_at": _iso(sub.consented_at),
            "frequency": sub.frequency,
            "paused": sub.paused,
            "unsubscribed_at": _iso(sub.unsubscribed_at),
            "sent_without_review": sub.auto_send,
            "last_sent_at": _iso(sub.last_sent_at),
        },
        "matches": [
            {
                "item": m.item.title,
                "score": round(m.score, 3),
                "why": m.explanation,
                "status": m.status,
                "note": m.note,
                "feedback": m.feedback,
                "at": _iso(m.created_at),
            }
            for m in Match.objects.filter(person=person).select_related("item")
        ],
        "digests": [
            {"address": d.address, "status": d.status, "sent_at": _iso(d.sent_at)}
            for d in Digest.objects.filter(person=person)
        ],
    }


def _duplicates(person: Person) -> dict[str, Any]:
    pair = Q(person_a=person) | Q(person_b=person)
    return {
        "possible_duplicates": [
            {"score": c.score, "evidence": c.evidence} for c in Candidate.objects.filter(pair)
        ],
        "marked_not_duplicates": NotDuplicate.objects.filter(pair).count(),
        "merges": [
            {"at": _iso(m.at), "kept": m.keep_id == person.pk, "undone": not m.is_active}
            for m in Merge.objects.filter(Q(keep=person) | Q(merged=person))
        ],
    }
