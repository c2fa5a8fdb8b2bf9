"""/people/{id}/relationship: a person's ladder stage, health with its parts, contact figures,
cadence and what is due; set the stage by hand, the cadence and your snooze.

Mounted beside the people router under /people, so the relationship reads as part of the
person it belongs to. Every route fetches the person through `access_person` first.
"""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Router, Schema

from rapport.api.auth import ApiRequest
from rapport.api.schemas import InputSchema, PathId, PersonRef, problems
from rapport.people.queries import access_person
from rapport.relationships import services
from rapport.relationships.models import Stage
from rapport.relationships.queries import RelationshipView, relationship_view

router = Router(tags=["relationships"])

StageName = Literal["prospect", "first_contact", "client", "supporter", "advocate", "partner"]
STAGE_BY_NAME = {stage.name.lower(): stage for stage in Stage}


def stage_name(stage: int) -> str:
    return Stage(stage).name.lower()


class StageRuleOut(Schema):
    stage: StageName
    label: str
    rule: str = Field(description="The rule in words.")
    holds: bool


class PartOut(Schema):
    name: Literal["recency", "frequency", "depth", "breadth", "initiative"]
    score: int = Field(description="0–100.")
    weight: int = Field(description="Percent of the health score.")
    why: str


class HealthOut(Schema):
    score: int = Field(description="0–100: the weighted mean of the parts.")
    parts: list[PartOut]
    formula: str
    score_30_days_ago: int = Field(
        description="The same person scored as of 30 days ago (recency and frequency then)."
    )


class CountsOut(Schema):
    last_30_days: int
    last_90_days: int
    last_365_days: int
    total: int


class CadenceOut(Schema):
    ideal_days: int
    max_days: int
    source: str = Field(description="What set it: “set for this person” or “rule: <name>”.")


class DueOut(Schema):
    state: Literal["never", "ok", "due", "overdue"] = Field(
        description="never: no real contact yet; due: past the ideal; overdue: past the maximum."
    )
    last_real_contact: dt.date | None
    next_due: dt.date | None
    days_past_ideal: int


class PersonCadenceOut(Schema):
    ideal_days: int | None = Field(description="null with max_days null: no cadence.")
    max_days: int | None
    reason: str


class SnoozeOut(Schema):
    until: dt.date
    reason: str


class RelationshipOut(Schema):
    person: PersonRef
    stage: StageName = Field(description="The override if there is one, else the rules' stage.")
    stage_label: str
    computed_stage: StageName = Field(description="The stage the rules give.")
    overridden: bool
    override_reason: str
    rules: list[StageRuleOut] = Field(description="The ladder, lowest first.")
    health: HealthOut
    counts: CountsOut
    first_contact_at: dt.datetime | None
    last_contact_at: dt.datetime | None
    last_real_contact_at: dt.datetime | None = Field(
        description="The last contact that was not an alert or a campaign; cadences count from it."
    )
    tenure_days: int = Field(description="Days from the first to the last contact.")
    referrals: int
    initiative_share: float | None = Field(
        description="Share of contacts the person started (0–1); null before any contact."
    )
    minutes: int
    cadence: CadenceOut | None = Field(description="null: no cadence.")
    person_cadence: PersonCadenceOut | None = Field(
        description="The cadence set for this person, overriding the rules; null: the rules."
    )
    due: DueOut | None
    snooze: SnoozeOut | None = Field(description="Your own snooze of this person, if it lasts.")


class StageIn(InputSchema):
    stage: StageName
    reason: str = Field("", max_length=300, description="Required: why the rules do not fit.")


class CadenceIn(InputSchema):
    ideal_days: int | None = Field(description="1–730; null with max_days null: no cadence.")
    max_days: int | None = Field(description="At least ideal_days, at most 730.")
    reason: str = Field("", max_length=300)


class SnoozeIn(InputSchema):
    until: dt.date = Field(description="A day after today, within a year.")
    reason: str = Field("", max_length=300)


def _out(view: RelationshipView) -> dict[str, Any]:
    rel, person, recent = view.relationship, view.person, view.recent
    cadence, due, pc = view.cadence, view.due, view.person_cadence
    return {
        "person": person,
        "stage": stage_name(view.stage),
        "stage_label": view.stage.label,
        "computed_stage": stage_name(view.computed_stage),
        "overridden": view.overridden,
        "override_reason": view.override_reason,
        "rules": [
            {"stage": stage_name(r.stage), "label": r.stage.label, "rule": r.rule, "holds": r.holds}
            for r in view.rules
        ],
        "health": {
            "score": view.health.score,
            "parts": view.health.parts,
            "formula": view.formula,
            "score_30_days_ago": view.health_then.score,
        },
        "counts": {
            "last_30_days": recent.n30,
            "last_90_days": recent.n90,
            "last_365_days": recent.n365,
            "total": person.touchpoint_count,
        },
        "first_contact_at": person.first_contact_at,
        "last_contact_at": person.last_contact_at,
        "last_real_contact_at": rel.last_real_contact_at,
        "tenure_days": view.tenure_days,
        "referrals": view.referrals,
        "initiative_share": view.initiative_share,
        "minutes": view.minutes,
        "cadence": cadence,
        "person_cadence": pc,
        "due": due
        and {
            "state": due.state,
            "last_real_contact": due.last_real,
            "next_due": due.next_due,
            "days_past_ideal": due.days_over,
        },
        "snooze": view.snooze,
    }


def _view(request: ApiRequest, person_id: int) -> dict[str, Any]:
    person = access_person(request.auth, person_id)
    return _out(relationship_view(request.auth, person))


RESPONSES = {200: RelationshipOut, **problems(403, 404, 422)}


@router.get(
    "/{person_id}/relationship",
    response=RESPONSES,
    operation_id="getRelationship",
    summary="Read a person's relationship",
)
def read(request: ApiRequest, person_id: PathId) -> Any:
    """Stage with its rules, health with its parts, contact counts, cadence and what is due."""
    return _view(request, person_id)


@router.put(
    "/{person_id}/relationship/stage",
    response=RESPONSES,
    operation_id="setRelationshipStage",
    summary="Set the ladder stage by hand",
)
def set_stage(request: ApiRequest, person_id: PathId, payload: StageIn) -> Any:
    """The reason is required and kept in the audit log; the rules keep being computed."""
    person = access_person(request.auth, person_id)
    services.override_stage(
        by=request.auth,
        person=person,
        stage=STAGE_BY_NAME[payload.stage],
        reason=payload.reason,
    )
    return _view(request, person_id)


@router.delete(
    "/{person_id}/relationship/stage",
    response=RESPONSES,
    operation_id="clearRelationshipStage",
    summary="Let the rules set the stage again",
)
def clear_stage(request: ApiRequest, person_id: PathId) -> Any:
    person = access_person(request.auth, person_id)
    services.override_stage(by=request.auth, person=person, stage=None)
    return _view(request, person_id)


@router.put(
    "/{person_id}/relationship/cadence",
    response=RESPONSES,
    operation_id="setRelationshipCadence",
    summary="Set the cadence for this person",
)
def set_cadence(request: ApiRequest, person_id: PathId, payload: CadenceIn) -> Any:
    """Both intervals null: no cadence for this person, whatever the rules say."""
    person = access_person(request.auth, person_id)
    services.set_cadence(
        by=request.auth,
        person=person,
        ideal_days=payload.ideal_days,
        max_days=payload.max_days,
        reason=payload.reason,
    )
    return _view(request, person_id)


@router.delete(
    "/{person_id}/relationship/cadence",
    response=RESPONSES,
    operation_id="clearRelationshipCadence",
    summary="Go back to the cadence the rules give",
)
def clear_cadence(request: ApiRequest, person_id: PathId) -> Any:
    person = access_person(request.auth, person_id)
    services.clear_cadence(by=request.auth, person=person)
    return _view(request, person_id)


@router.put(
    "/{person_id}/relationship/snooze",
    response=RESPONSES,
    operation_id="snoozeRelationship",
    summary="Snooze this person on your Today list",
)
def snooze(request: ApiRequest, person_id: PathId, payload: SnoozeIn) -> Any:
    """Until a day after today (that day they come back), at most a year ahead."""
    person = access_person(request.auth, person_id)
    services.snooze(by=request.auth, person=person, until=payload.until, reason=payload.reason)
    return _view(request, person_id)


@router.delete(
    "/{person_id}/relationship/snooze",
    response=RESPONSES,
    operation_id="unsnoozeRelationship",
    summary="End your snooze of this person",
)
def unsnooze(request: ApiRequest, person_id: PathId) -> Any:
    person = access_person(request.auth, person_id)
    services.unsnooze(by=request.auth, person=person)
    return _view(request, person_id)
