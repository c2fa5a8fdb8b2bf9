"""Privacy reads, for administrators only: the schedule, runs, erasures, the person to act on,
and the audit log (changes and views) with its filters."""

import datetime as dt
from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_admin
from rapport.audit.models import AuditEntry
from rapport.errors import NotFound
from rapport.people.models import Person
from rapport.people.queries import search_people
from rapport.privacy.models import RECORDS, Erasure, RetentionRule, RetentionRun
from rapport.touchpoints.models import Participation, Touchpoint


def schedule(user: User) -> list[tuple[str, str, int | None]]:
    """Every kind of record with its label and period (None: kept forever)."""
    require_admin(user, to="see the privacy pages")
    months = dict(RetentionRule.objects.values_list("record", "months"))
    return [(name, label, months.get(name)) for name, label in RECORDS]


def runs_for(user: User) -> QuerySet[RetentionRun]:
    require_admin(user, to="see the privacy pages")
    return RetentionRun.objects.select_related("by").order_by("-started_at", "-pk")


def erasures_for(user: User) -> QuerySet[Erasure]:
    require_admin(user, to="see the privacy pages")
    return Erasure.objects.select_related("by").order_by("-erased_at", "-pk")


def find_people(user: User, q: str) -> QuerySet[Person]:
    """People by name or e-mail, archived ones too (an erasure request may be about anyone)."""
    require_admin(user, to="see the privacy pages")
    return search_people(user, q=q, include_archived=True)


def get_person_for_admin(user: User, pk: int | str) -> Person:
    """Any person, for an administrator (who sees everyone, whatever the sharing setting)."""
    require_admin(user, to="see the privacy pages")
    try:
        return Person.objects.select_related("referred_by", "created_by").get(pk=int(pk))
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no person {pk}.") from None


AUDIT_ACTIONS = [
    ("view", "Viewed"),
    ("create", "Created"),
    ("update", "Changed"),
    ("delete", "Deleted"),
    ("archive", "Archived"),
    ("subject_access", "Subject access"),
    ("erase", "Erased"),
    ("retention", "Retention run"),
]


def audit_log(
    user: User,
    *,
    person: int | None = None,
    actor: int | None = None,
    action: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    confidential: bool = False,
) -> QuerySet[AuditEntry]:
    """Audit entries, newest first. `person`: entries about the person and about the
    touchpoints they took part in; `confidential`: entries about confidential touchpoints
    only."""
    require_admin(user, to="see the privacy pages")
    qs = AuditEntry.objects.select_related("actor").order_by("-at", "-pk")
    if person is not None:
        touchpoints = _as_text(
            Participation.objects.filter(person_id=person).values("touchpoint_id"),
            "touchpoint_id",
        )
        qs = qs.filter(
            Q(object_type="person", object_id=str(person))
            | Q(object_type="touchpoint", object_id__in=touchpoints)
        )
    if confidential:
        secret = _as_text(Touchpoint.objects.filter(confidential=True).values("pk"), "pk")
        qs = qs.filter(object_type="touchpoint", object_id__in=secret)
    if actor is not None:
        qs = qs.filter(actor_id=actor)
    if action:
        qs = qs.filter(action=action)
    if since is not None:
        qs = qs.filter(at__gte=_start_of(since))
    if until is not None:
        qs = qs.filter(at__lt=_start_of(until + dt.timedelta(days=1)))
    return qs


def _as_text(qs: QuerySet[Any], name: str) -> QuerySet[Any]:
    """Ids as text, to compare with `AuditEntry.object_id` (a string for every kind)."""
    return qs.annotate(as_text=Cast(name, CharField())).values("as_text")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_actors(user: User) -> QuerySet[User]:
    """The accounts offered in the log's "who" filter."""
    require_admin(user, to="see the privacy pages")
    return User.objects.order_by("username")
