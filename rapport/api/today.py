"""/today: the librarian's Today list, the same as the page and `rapport today`."""

import datetime as dt

from ninja import Field, Router, Schema

from rapport.api.auth import ApiRequest
from rapport.api.schemas import problems
from rapport.relationships.models import Stage
from rapport.today.today import PersonRow, Section, build

router = Router(tags=["today"])


class PersonRef(Schema):
    id: int
    full_name: str


class PersonDue(Schema):
    person: PersonRef
    stage: str = Field(description="The ladder stage: prospect, first_contact, client, ...")
    health: int = Field(description="0–100; see the person's relationship for its parts.")
    health_30_days_ago: int | None = Field(description="Only in the 'dropped' section.")
    last_real_contact: dt.date | None
    ideal_days: int | None
    max_days: int | None
    cadence_source: str | None = Field(description="What set the cadence, in words.")
    days_past_ideal: int | None
    rank: float = Field(description="Value × overdueness; the rows are in this order.")


class RequestDue(Schema):
    id: int
    title: str
    people: list[PersonRef]
    due_on: dt.date | None
    follow_up_on: dt.date | None


class TouchpointBrief(Schema):
    id: int
    occurred_at: dt.datetime
    kind: str
    topic: str
    people: list[PersonRef] = Field(description="The participants you may see.")


class SectionOut(Schema):
    key: str = Field(
        description="follow_ups, requests, past_max, past_ideal, dropped, never or week."
    )
    title: str
    total: int = Field(description="All rows; `items` holds the first 15 (10 for the week).")
    items: list[RequestDue | PersonDue | TouchpointBrief]


class TodayOut(Schema):
    date: dt.date
    sections: list[SectionOut]


def _person(row: PersonRow) -> PersonDue:
    due = row.due
    return PersonDue(
        person=PersonRef(id=row.person.pk, full_name=row.person.full_name),
        stage=Stage(row.stage).name.lower(),
        health=row.health,
        health_30_days_ago=row.health_before,
        last_real_contact=due.last_real if due else None,
        ideal_days=due.cadence.ideal_days if due else None,
        max_days=due.cadence.max_days if due else None,
        cadence_source=due.cadence.source if due else None,
        days_past_ideal=due.days_over if due else None,
        rank=round(row.rank, 4),
    )


def _items(section: Section) -> list[RequestDue | PersonDue | TouchpointBrief]:
    if section.key in ("follow_ups", "requests"):
        return [
            RequestDue(
                id=r.pk,
                title=r.title,
                people=[PersonRef(id=p.pk, full_name=p.full_name) for p in r.people.all()],
                due_on=r.due_on,
                follow_up_on=r.follow_up_on,
            )
            for r in section.rows
        ]
    if section.key == "week":
        return [
            TouchpointBrief(
                id=tp.pk,
                occurred_at=tp.occurred_at,
                kind=tp.kind,
                topic=tp.topic,
                people=[PersonRef(id=p.pk, full_name=p.full_name) for p in tp.shown_people],
            )
            for tp in section.rows
        ]
    return [_person(row) for row in section.rows]


@router.get(
    "",
    response={200: TodayOut, **problems(401, 403)},
    summary="My Today list",
    operation_id="getToday",
)
def today(request: ApiRequest) -> TodayOut:
    """Follow-ups due, requests due this week, people past their maximum and ideal intervals
    (ranked by value × overdueness), sharp health drops, new people never contacted, and this
    week's touchpoints in your groups. Managers get 403: the list names people."""
    result = build(request.auth)
    return TodayOut(
        date=result.date,
        sections=[
            SectionOut(key=s.key, title=s.title, total=s.total, items=_items(s))
            for s in result.sections
        ],
    )
