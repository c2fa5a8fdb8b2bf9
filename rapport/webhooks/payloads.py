"""The `data` of each event, built by the service that emits it from rows it already holds.

A webhook leaves Rapport's access rules behind, so payloads carry what identifies and counts,
with links back, never the text of a question, answer, need or note: that stays behind sign-in.
Confidential touchpoints are not announced at all (the services do not emit for them).
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse

from rapport.accounts.models import User
from rapport.people.models import Group, Person
from rapport.requests.models import Request
from rapport.touchpoints.models import Touchpoint


def _link(name: str, pk: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[pk])


def _user(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.display_name}


def _group(group: Group | None) -> dict[str, Any] | None:
    return None if group is None else {"id": group.pk, "name": group.name, "kind": group.kind}


def _people(people: Iterable[Person]) -> list[dict[str, Any]]:
    return [
        {"id": p.pk, "full_name": p.full_name, "email": p.email, "orcid": p.orcid}
        for p in sorted(people, key=lambda p: p.pk)
    ]


def touchpoint_created(tp: Touchpoint, people: Iterable[Person]) -> dict[str, Any]:
    """A new (not confidential) touchpoint: who, when, how; the topic line but no text."""
    return {
        "touchpoint": {
            "id": tp.pk,
            "url": _link("touchpoints:detail", tp.pk),
            "occurred_at": tp.occurred_at,
            "kind": tp.kind,
            "channel": tp.channel,
            "origin": tp.origin,
            "initiated_by": tp.initiated_by,
            "read_level": tp.read_level,
            "minutes": tp.minutes,
            "topic": tp.topic,
            "tags": list(tp.tags),
            "author": _user(tp.author),
            "group": _group(tp.group),
            "people": _people(people),
        }
    }


def request_delivered(req: Request) -> dict[str, Any]:
    """A request marked delivered: who asked, who owns it, what was handed over (titles and
    links), when the follow-up is due; not the need or the notes."""
    return {
        "request": {
            "id": req.pk,
            "url": _link("requests:detail", req.pk),
            "title": req.title,
            "status": req.status,
            "delivered_at": req.status_changed_at,
            "due_on": req.due_on,
            "follow_up_on": req.follow_up_on,
            "owner": _user(req.owner),
            "group": _group(req.group),
            "people": _people(req.people.all()),
            "deliverables": [
                {"title": d.title, "url": d.url, "has_file": bool(d.file)}
                for d in req.deliverables.all()
            ],
        }
    }
