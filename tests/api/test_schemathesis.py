"""The published API schema against the running app, fuzzed with schemathesis.

Every operation in docs/openapi.json is called on a live server (Django's, in a thread, with
the test database) with requests generated from the schema, valid and invalid, as alice with
a personal token over the shared test world. The build fails on any 5xx, any response whose
status, content type, headers or body the schema does not describe. Path ids are drawn from
the world's real objects most of the time (random ids would only ever find 404s), so the
answers checked include real people, groups, touchpoints, requests and matches.

Bounded: `FUZZ_EXAMPLES` examples per operation (RAPPORT_FUZZ_EXAMPLES to change it); see
docs/reliability.md for the figures and the time it takes.
"""

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rapport.awareness.models import Match, MatchRun
from tests.api.conftest import FUZZ_SUMMARY
from tests.awareness.conftest import make_item
from tests.requests.conftest import make_request

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
FUZZ_EXAMPLES = int(os.environ.get("RAPPORT_FUZZ_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_path(str(SNAPSHOT))
# Path parameter -> the ids of real objects in this example's world (filled by `known_ids`).
KNOWN: dict[str, list[int]] = {}
# Responses by status over the whole run, for the summary line (and docs/reliability.md).
STATUSES: Counter[int] = Counter()


@schema.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    STATUSES[response.status_code] += 1


@pytest.fixture(scope="module", autouse=True)
def summary(request):
    """One line at the end of the test run (tests/api/conftest.py prints it): how many calls
    were made and what they answered."""
    yield
    if STATUSES:
        calls = sum(STATUSES.values())
        errors = sum(n for status, n in STATUSES.items() if status >= 500)
        by_status = ", ".join(f"{status}: {n}" for status, n in sorted(STATUSES.items()))
        request.config.stash[FUZZ_SUMMARY] = (
            f"schemathesis: {calls} calls, {errors} answered 5xx ({by_status})"
        )


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """A generated id n becomes the n-th known object's id, and stays itself one time in
    len+1: most calls meet a real object, some an id that does not exist."""
    if not path_parameters:
        return path_parameters
    mapped = dict(path_parameters)
    for name, value in path_parameters.items():
        ids = KNOWN.get(name)
        if ids and isinstance(value, int) and not isinstance(value, bool):
            position = value % (len(ids) + 1)
            if position < len(ids):
                mapped[name] = ids[position]
    return mapped


@pytest.fixture
def known_ids(world):
    """Real objects of every kind a path names, alice's and others'."""
    request = make_request(world.alice, [world.ana], group=world.chem)
    others = make_request(world.bob, [world.hugo], group=world.history)
    item = make_item("Search filters for scoping reviews")
    match = Match.objects.create(person=world.ana, item=item, score=0.4)
    hidden = Match.objects.create(person=world.hugo, item=item, score=0.9)
    run = MatchRun.objects.create(scope="all", status="done", total=2, done=2)
    memberships = list(world.chem.memberships.values_list("pk", flat=True))
    KNOWN.update(
        person_id=[world.ana.pk, world.ben.pk, world.carla.pk, world.hugo.pk],
        group_id=[world.chem.pk, world.history.pk],
        membership_id=[*memberships, *world.history.memberships.values_list("pk", flat=True)],
        touchpoint_id=[world.ana_question.pk, world.ana_secret.pk, world.hugo_question.pk],
        request_id=[request.pk, others.pk],
        match_id=[match.pk, hidden.pk],
        run_id=[run.pk],
    )
    yield KNOWN
    KNOWN.clear()


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases every run: a red build can be run again and seen
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_schema_says(case, live_server, transactional_db, known_ids, token):
    case.call_and_validate(
        base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
    )
