"""What a librarian reads before meeting a person or a group, from the access-scoped queries.

The caller fetched the person or group through `access_person` / `access_group` (which is
where the permission check lives) and refused managers: a brief is names and text. Every list
here is bounded, and confidential touchpoints reach their author only (`timeline_for_*`).
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from rapport.accounts.models import User
from rapport.people.models import Group, Membership, Person
from rapport.people.queries import members_of, memberships_for
from rapport.relationships.models import Stage
from rapport.relationships.queries import RelationshipView, relationship_view
from rapport.requests.models import Deliverable, Request
from rapport.requests.queries import (
    open_requests_for_group,
    open_requests_for_person,
    requests_for,
    stories_for,
)
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.touchpoints.queries import (
    mark_visible_people,
    timeline_for_group,
    timeline_for_person,
)

RECENT = 5
NOTABLE = 3
REQUESTS = 8
DELIVERABLES = 5
STORIES = 3
TAGS = 10
TAGGED_TOUCHPOINTS = 200  # the newest touchpoints whose tags make the interests
MEMBERS_PER_STAGE = 12
ACTIVE_MEMBERS = 5
ACTIVE_DAYS = 365


@dataclass
class PersonBrief:
    person: Person
    memberships: list[Membership]
    relationship: RelationshipView
    recent: list[Touchpoint]
    notable: list[Touchpoint]
    open_requests: list[Request]
    deliverables: list[Deliverable]
    stories: list[Request]
    tags: list[tuple[str, int]]


@dataclass
class StageMembers:
    stage: Stage
    count: int = 0
    people: list[Person] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.people)


@dataclass
class GroupBrief:
    group: Group
    librarians: list[User]
    member_count: int
    stages: list[StageMembers]
    active: list[tuple[Person, int]]
    recent: list[Touchpoint]
    notable: list[Touchpoint]
    open_requests: list[Request]
    tags: list[tuple[str, int]]


def _notable(timeline: QuerySet[Touchpoint], recent: list[Touchpoint]) -> list[Touchpoint]:
    """The highest-READ, then longest, touchpoints not already among the recent ones."""
    shown = [tp.pk for tp in recent]
    return list(
        timeline.exclude(pk__in=shown)
        .filter(Q(read_level__isnull=False) | Q(minutes__isnull=False))
        .order_by(
            F("read_level").desc(nulls_last=True),
            F("minutes").desc(nulls_last=True),
            "-occurred_at",
            "-id",
        )[:NOTABLE]
    )


def _tags(timeline: QuerySet[Touchpoint]) -> list[tuple[str, int]]:
    """The most used tags on the newest touchpoints, most used first, then by name."""
    counts: Counter[str] = Counter()
    for tags in timeline.values_list("tags", flat=True)[:TAGGED_TOUCHPOINTS]:
        counts.update(str(tag).lower() for tag in tags or [] if str(tag).strip())
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TAGS]


def _touchpoints(user: User, timeline: QuerySet[Touchpoint]) -> tuple[list, list]:
    recent = list(timeline[:RECENT])
    notable = _notable(timeline, recent)
    mark_visible_people(user, [*recent, *notable])
    return recent, notable


def person_brief(user: User, person: Person, *, now: dt.datetime | None = None) -> PersonBrief:
    """Who they are, where the relationship stands and why, and what is open or was done."""
    timeline = timeline_for_person(user, person)
    recent, notable = _touchpoints(user, timeline)
    theirs = Request.people.through.objects.filter(person=person).values("request_id")
    return PersonBrief(
        person=person,
        memberships=list(memberships_for(user).filter(person=person).order_by("group__name")),
        relationship=relationship_view(user, person, now),
        recent=recent,
        notable=notable,
        open_requests=list(
            open_requests_for_person(user, person).prefetch_related(None)[:REQUESTS]
        ),
        deliverables=list(
            Deliverable.objects.filter(
                request__in=requests_for(user).filter(pk__in=theirs).values("pk")
            )
            .select_related("request")
            .order_by("-delivered_at", "-id")[:DELIVERABLES]
        ),
        stories=list(stories_for(user).filter(pk__in=theirs).prefetch_related(None)[:STORIES]),
        tags=_tags(timeline),
    )


def group_brief(user: User, group: Group, *, now: dt.datetime | None = None) -> GroupBrief:
    """Members by stage, the most active ones, open requests, recent work and interests."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    current = (
        members_of(user, group)
        .exclude(ended_on__lt=today)
        .select_related("person__relationship")
        .order_by("person__full_name", "person_id")
    )
    by_stage = {stage: StageMembers(stage) for stage in Stage}
    seen: set[int] = set()
    for membership in current:
        person = membership.person
        if person.pk in seen:
            continue
        seen.add(person.pk)
        rel = person.relationship if _has_relationship(person) else None
        row = by_stage[Stage(rel.stage) if rel else Stage.PROSPECT]
        row.count += 1
        if len(row.people) < MEMBERS_PER_STAGE:
            row.people.append(person)

    counts: dict[int, int] = {}
    for pid, n in (
        Participation.objects.filter(
            person_id__in=list(seen),
            occurred_at__gte=now - dt.timedelta(days=ACTIVE_DAYS),
        )
        .filter(Q(touchpoint__confidential=False) | Q(touchpoint__author=user))
        .values_list("person_id")
        .annotate(n=Count("id"))
        .order_by("-n", "person_id")[:ACTIVE_MEMBERS]
    ):
        counts[pid] = n
    people = Person.objects.in_bulk(list(counts))
    active = [(people[pid], n) for pid, n in counts.items()]

    timeline = timeline_for_group(user, group)
    recent, notable = _touchpoints(user, timeline)
    return GroupBrief(
        group=group,
        librarians=sorted(group.librarians.all(), key=lambda u: u.display_name.casefold()),
        member_count=len(seen),
        stages=list(by_stage.values()),
        active=active,
        recent=recent,
        notable=notable,
        open_requests=list(open_requests_for_group(user, group)[:REQUESTS]),
        tags=_tags(timeline),
    )


def _has_relationship(person: Any) -> bool:
    try:
        person.relationship  # noqa: B018 - a missing reverse one-to-one raises
    except ObjectDoesNotExist:
        return False
    return True
