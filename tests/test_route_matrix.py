"""Every route and every API operation, as every role: the access rules checked from the
outside, generated from the URL configuration and the published OpenAPI schema.

A route or operation with no rule below fails `test_every_route_has_a_rule`: whoever adds one
says who may use it. Each rule is then tried as anonymous, alice (a librarian whose objects
these are), bob (a librarian who does not reach them), mia (a manager) and ada (an
administrator), and a refusal must also change nothing (no audit entry is written).

Rules: PUBLIC (no sign-in: the key is in the address, or it is the sign-in itself), ANY (any
signed-in role, managers too), LIBRARIAN (librarians and administrators; managers are refused)
and ADMIN (administrators only). `obj` names the objects (tests/access_world.py) the path
takes; an object of alice's is "not found" for bob unless `shared` (items, scans and saved
mappings are the library's).
"""

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from rapport.api.api import api
from rapport.audit.models import AuditEntry
from tests import access_world
from tests.api.conftest import call  # noqa: F401  (the API caller fixture)

PUBLIC, ANY, LIBRARIAN, ADMIN = "public", "any", "librarian", "admin"
ROLES = ("anonymous", "alice", "bob", "mia", "ada")


@dataclass(frozen=True)
class Rule:
    access: str
    obj: str | None = None
    post: bool = False  # POST only: a GET answers 405
    shared: bool = False  # the object is the library's, not alice's alone
    expect: dict[str, int] = field(default_factory=dict)  # exceptions, by role
    query: str = ""  # a query string, formatted with the objects' first ids


def rule(access: str, obj: str | None = None, **kw: Any) -> Rule:
    return Rule(access, obj, **kw)


def post(access: str, obj: str | None = None, **kw: Any) -> Rule:
    return Rule(access, obj, post=True, **kw)


PAGES: dict[str, Rule] = {
    "home": rule(ANY),
    "login": rule(PUBLIC),
    # Signing out sends anyone to the sign-in page.
    "logout": post(PUBLIC, expect=dict.fromkeys(ROLES, 302)),
    "password_reset": rule(PUBLIC),
    "password_reset_done": rule(PUBLIC),
    "password_reset_confirm": rule(PUBLIC, "reset"),
    "password_reset_complete": rule(PUBLIC),
    "accounts:account": rule(ANY),
    "accounts:tokens": rule(ANY),
    # A token is its owner's alone, even for an administrator.
    "accounts:token_revoke": post(ANY, "token", expect={"mia": 404, "ada": 404}),
    "people:person_list": rule(LIBRARIAN),
    "people:person_create": rule(LIBRARIAN),
    "people:person_autocomplete": rule(LIBRARIAN),
    "people:person_detail": rule(LIBRARIAN, "person"),
    "people:person_edit": rule(LIBRARIAN, "person"),
    "people:person_archive": post(LIBRARIAN, "person"),
    "people:person_share": rule(LIBRARIAN, "person"),
    "people:person_add_to_group": post(LIBRARIAN, "person"),
    "people:person_timeline": rule(LIBRARIAN, "person"),
    "people:group_list": rule(ANY),
    "people:group_create": rule(LIBRARIAN),
    "people:group_detail": rule(ANY, "group"),
    "people:group_edit": rule(LIBRARIAN, "group"),
    "people:group_archive": post(LIBRARIAN, "group"),
    "people:group_timeline": rule(LIBRARIAN, "group"),
    "people:membership_add": post(LIBRARIAN, "group"),
    "touchpoints:capture": post(LIBRARIAN),
    "touchpoints:create": rule(LIBRARIAN),
    "touchpoints:detail": rule(LIBRARIAN, "touchpoint"),
    "touchpoints:edit": rule(LIBRARIAN, "touchpoint"),
    "touchpoints:delete": rule(LIBRARIAN, "touchpoint"),
    "requests:list": rule(LIBRARIAN),
    "requests:create": rule(LIBRARIAN),
    "requests:stories": rule(LIBRARIAN),
    "requests:person_requests": rule(LIBRARIAN, "person"),
    "requests:detail": rule(LIBRARIAN, "request"),
    "requests:edit": rule(LIBRARIAN, "request"),
    "requests:status": post(LIBRARIAN, "request"),
    "requests:follow_up": post(LIBRARIAN, "request"),
    "requests:deliverable_add": post(LIBRARIAN, "request"),
    "requests:deliverable_file": rule(LIBRARIAN, "deliverable"),
    "requests:outcome": post(LIBRARIAN, "request"),
    "requests:reassign": post(LIBRARIAN, "request"),
    "requests:attach": post(LIBRARIAN, "request"),
    "relationships:stage": post(LIBRARIAN, "person"),
    "relationships:cadence": post(LIBRARIAN, "person"),
    "relationships:snooze": post(LIBRARIAN, "person"),
    "relationships:rules": rule(LIBRARIAN),
    "relationships:rule_create": rule(ADMIN),
    "relationships:rule_edit": rule(ADMIN, "rule"),
    "relationships:rule_active": post(ADMIN, "rule"),
    "today:snooze": post(LIBRARIAN, "person"),
    "today:digest": post(LIBRARIAN),
    # Each librarian's own list: the key names a section, not an object of alice's.
    "today:section": rule(LIBRARIAN, "today_section", shared=True),
    "today:counts": rule(LIBRARIAN),
    "reports:index": rule(ANY),
    "reports:coverage": rule(ANY),
    "reports:relationships": rule(ANY),
    # Impact stories: managers too (the stories alone; see rapport/reports/stories.py).
    "reports:stories": rule(ANY),
    "reports:person_brief": rule(LIBRARIAN, "person"),
    "reports:group_brief": rule(LIBRARIAN, "group"),
    "awareness:home": rule(LIBRARIAN),
    "awareness:items": rule(ANY),
    "awareness:item_detail": rule(ANY, "item", shared=True),
    "awareness:import_file": post(LIBRARIAN),
    "awareness:import_feed": post(LIBRARIAN),
    "awareness:add_item": post(LIBRARIAN),
    "awareness:match_everyone": post(LIBRARIAN),
    "awareness:run": rule(LIBRARIAN, "run", shared=True),
    "awareness:review": rule(LIBRARIAN),
    "awareness:decide": post(LIBRARIAN, "match"),
    "awareness:decide_many": post(LIBRARIAN),
    "awareness:profile": rule(LIBRARIAN, "person"),
    "awareness:interest": post(LIBRARIAN, "person"),
    "awareness:publications_file": post(LIBRARIAN, "person"),
    "awareness:publications_orcid": post(LIBRARIAN, "person"),
    "awareness:auto_send": post(LIBRARIAN, "person"),
    "awareness:invite": post(LIBRARIAN, "person"),
    "awareness:new_link": post(LIBRARIAN, "person"),
    "alerts:preferences": rule(PUBLIC, "alert"),
    "alerts:consent": post(PUBLIC, "alert"),
    "alerts:frequency": post(PUBLIC, "alert"),
    "alerts:pause": post(PUBLIC, "alert"),
    "alerts:add_topic": post(PUBLIC, "alert"),
    "alerts:remove_topic": post(PUBLIC, "alert"),
    "alerts:unsubscribe": rule(PUBLIC, "alert"),
    "alerts:feedback": rule(PUBLIC, "feedback"),
    "search:search": rule(ANY),
    "search:similar": rule(LIBRARIAN, query="touchpoint={touchpoint}"),
    "imports:list": rule(LIBRARIAN),
    "imports:upload": post(LIBRARIAN),
    "imports:job": rule(LIBRARIAN, "job"),
    "imports:mapping": post(LIBRARIAN, "job"),
    "imports:save_mapping": post(LIBRARIAN, "job"),
    "imports:use_mapping": post(LIBRARIAN, "job"),
    "imports:dry_run": post(LIBRARIAN, "job"),
    "imports:run": post(LIBRARIAN, "job"),
    "imports:resume": post(LIBRARIAN, "job"),
    "imports:report": rule(LIBRARIAN, "job"),
    "imports:delete_mapping": post(LIBRARIAN, "mapping", shared=True),
    "contacts:import": rule(LIBRARIAN),
    "contacts:import_detail": rule(LIBRARIAN, "vcards"),
    "contacts:import_run": post(LIBRARIAN, "vcards"),
    "contacts:import_resume": post(LIBRARIAN, "vcards"),
    "contacts:export": rule(LIBRARIAN),
    "contacts:person": rule(LIBRARIAN, "person"),
    "duplicates:list": rule(LIBRARIAN),
    "duplicates:person": rule(LIBRARIAN, "person"),
    "duplicates:scan_start": post(LIBRARIAN),
    "duplicates:scan": rule(LIBRARIAN, "scan", shared=True),
    "duplicates:pair": rule(LIBRARIAN, "pair"),
    "duplicates:merge": post(LIBRARIAN, "pair"),
    "duplicates:not_duplicate": post(LIBRARIAN, "pair"),
    "duplicates:merges": rule(LIBRARIAN),
    "duplicates:undo_merge": post(LIBRARIAN, "merge"),
    "duplicates:undo_not_duplicate": post(LIBRARIAN, "mark"),
    "calendars:settings": rule(LIBRARIAN),
    "calendars:feed_create": post(LIBRARIAN),
    "calendars:feed_revoke": post(LIBRARIAN),
    "calendars:feed": rule(PUBLIC, "feed"),
    "calendars:import": rule(LIBRARIAN),
    "calendars:import_detail": rule(LIBRARIAN, "meetings"),
    # Meetings are logged as the librarian who uploaded the calendar: no one else runs it.
    "calendars:import_run": post(LIBRARIAN, "meetings", expect={"ada": 403}),
    "calendars:import_resume": post(LIBRARIAN, "meetings", expect={"ada": 403}),
    "calendars:import_people": post(LIBRARIAN, "meetings"),
    "exports:download": rule(LIBRARIAN, "export", shared=True),
    "webhooks:list": rule(ADMIN),
    "webhooks:create": rule(ADMIN),
    "webhooks:detail": rule(ADMIN, "endpoint"),
    "webhooks:edit": rule(ADMIN, "endpoint"),
    "webhooks:delete": rule(ADMIN, "endpoint"),
    "webhooks:rotate": post(ADMIN, "endpoint"),
    "webhooks:test": post(ADMIN, "endpoint"),
    "webhooks:delivery": rule(ADMIN, "delivery"),
    "webhooks:redeliver": post(ADMIN, "delivery"),
    "privacy:schedule": rule(ADMIN),
    "privacy:preview": rule(ADMIN),
    "privacy:run": post(ADMIN),
    "privacy:people": rule(ADMIN),
    "privacy:subject_access": rule(ADMIN, "person"),
    "privacy:subject_access_json": rule(ADMIN, "person"),
    "privacy:erase": post(ADMIN, "person"),
    "privacy:erasures": rule(ADMIN),
    "privacy:audit": rule(ADMIN),
}


@dataclass(frozen=True)
class ApiRule:
    access: str
    body: dict[str, Any] | None = None  # a valid input, so a refusal shows before validation
    shared: bool = False
    expect: dict[str, int] = field(default_factory=dict)


def api_rule(access: str, body: dict[str, Any] | None = None, **kw: Any) -> ApiRule:
    return ApiRule(access, body, **kw)


# Ids given in a body that the caller cannot see are a mistake in that field (422), not a
# missing page: that is bob's answer where a body names alice's people or groups.
NAMES_ALICES = {"bob": 422}
API: dict[str, ApiRule] = {
    "listGroups": api_rule(ANY),
    "createGroup": api_rule(LIBRARIAN, {"name": "Matrix group", "kind": "unit"}),
    "getGroup": api_rule(ANY),
    "updateGroup": api_rule(LIBRARIAN, {"description": "Ours"}),
    "listItems": api_rule(ANY),
    "createItem": api_rule(LIBRARIAN, {"title": "A new paper"}),
    "getMatchRun": api_rule(LIBRARIAN, shared=True),
    "listMatches": api_rule(LIBRARIAN),
    "decideMatch": api_rule(LIBRARIAN, {"decision": "reject"}),
    "listMemberships": api_rule(LIBRARIAN),
    "createMembership": api_rule(
        LIBRARIAN, {"person": "{person}", "group": "{group}"}, expect=NAMES_ALICES
    ),
    "getMembership": api_rule(LIBRARIAN),
    "updateMembership": api_rule(LIBRARIAN, {"role": "PI"}),
    "listPeople": api_rule(LIBRARIAN),
    "createPerson": api_rule(LIBRARIAN, {"full_name": "Matrix Person"}),
    "getPerson": api_rule(LIBRARIAN),
    "updatePerson": api_rule(LIBRARIAN, {"room": "2.14"}),
    "archivePerson": api_rule(LIBRARIAN),
    "restorePerson": api_rule(LIBRARIAN),
    "getInterests": api_rule(LIBRARIAN),
    "setInterest": api_rule(LIBRARIAN, {"term": "theses", "state": "pinned"}),
    "clearInterest": api_rule(LIBRARIAN),
    "getRelationship": api_rule(LIBRARIAN),
    "setRelationshipCadence": api_rule(LIBRARIAN, {"ideal_days": 14, "max_days": 28}),
    "clearRelationshipCadence": api_rule(LIBRARIAN),
    "snoozeRelationship": api_rule(LIBRARIAN, {"until": "2099-01-01"}),
    "unsnoozeRelationship": api_rule(LIBRARIAN),
    "setRelationshipStage": api_rule(LIBRARIAN, {"stage": "client", "reason": "Known well"}),
    "clearRelationshipStage": api_rule(LIBRARIAN),
    "listRequests": api_rule(LIBRARIAN),
    "createRequest": api_rule(
        LIBRARIAN, {"need": "A search", "people": ["{person}"]}, expect=NAMES_ALICES
    ),
    "getRequest": api_rule(LIBRARIAN),
    "updateRequest": api_rule(LIBRARIAN, {"title": "A better search"}),
    "addRequestDeliverable": api_rule(LIBRARIAN, {"title": "Strategy"}),
    "changeRequestStatus": api_rule(LIBRARIAN, {"status": "in_progress"}),
    "search": api_rule(ANY),
    "getToday": api_rule(LIBRARIAN),
    "listTouchpoints": api_rule(LIBRARIAN),
    "createTouchpoint": api_rule(
        LIBRARIAN,
        {"occurred_at": "2026-01-05T10:00:00Z", "people": ["{person}"]},
        expect=NAMES_ALICES,
    ),
    "captureTouchpoint": api_rule(LIBRARIAN, {"line": "@Ana Ruiz asked ~5m"}, expect={"bob": 422}),
    "getTouchpoint": api_rule(LIBRARIAN),
    "updateTouchpoint": api_rule(LIBRARIAN, {"minutes": 5}),
    "deleteTouchpoint": api_rule(LIBRARIAN),
}
#: What a path parameter names in the objects of tests/access_world.py.
PATH_OBJECTS = {
    "person_id": "person",
    "group_id": "group",
    "membership_id": "membership",
    "touchpoint_id": "touchpoint",
    "request_id": "request",
    "match_id": "match",
    "run_id": "run",
}
OPERATIONS = {
    op["operationId"]: (method.upper(), path.removeprefix("/api/v1"))
    for path, ops in api.get_openapi_schema()["paths"].items()
    for method, op in ops.items()
}


def page_names() -> set[str]:
    """Every named page route, from the URL configuration (the API's own are in the schema)."""

    def walk(patterns: list[Any], namespace: str | None) -> set[str]:
        names = set()
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "api-v1":
                    continue
                names |= walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)
        return names

    return walk(get_resolver().url_patterns, None)


def test_every_route_has_a_rule():
    assert sorted(page_names() - set(PAGES)) == [], "routes with no rule: add them to PAGES"
    assert sorted(set(PAGES) - page_names()) == [], "rules for routes that no longer exist"
    assert sorted(set(OPERATIONS) - set(API)) == [], "operations with no rule: add them to API"
    assert sorted(set(API) - set(OPERATIONS)) == [], "rules for operations that do not exist"


def expected(name: str, rule: Rule, role: str) -> int | str:
    """The status a role gets, or "login" (sent to sign in)."""
    if role in rule.expect:
        return rule.expect[role]
    if rule.access == PUBLIC:
        return "served"
    if role == "anonymous":
        return "login"
    if rule.access == ADMIN and role != "ada":
        return 403
    if rule.access == LIBRARIAN and role == "mia":
        return 403
    if role == "bob" and (rule.obj or rule.query) and not rule.shared and rule.access != ADMIN:
        return 404
    return "allowed"


CASES = [(name, role) for name in sorted(PAGES) for role in ROLES]


@pytest.fixture
def objects(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return access_world.build(world)


@pytest.mark.parametrize(("name", "role"), CASES)
def test_route_answers_each_role_by_its_rule(client, world, objects, name, role):
    rule = PAGES[name]
    url = reverse(name, args=objects.args[rule.obj] if rule.obj else ())
    if rule.query:
        url += "?" + rule.query.format(**{k: v[0] for k, v in objects.args.items()})
    if role != "anonymous":
        client.force_login(getattr(world, role))
    entries = AuditEntry.objects.count()

    response = client.post(url) if rule.post else client.get(url)

    want = expected(name, rule, role)
    if want == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif want == "served":
        assert response.status_code < 500
        assert not response.get("Location", "").startswith(reverse("login"))
    elif want == "allowed":
        assert response.status_code < 400 or response.status_code == 422, response.status_code
    else:
        assert response.status_code == want
    if want in ("login", 403, 404):
        assert AuditEntry.objects.count() == entries, "a refusal wrote something"
    if rule.post and role == "ada":
        assert client.get(url).status_code == 405


def filled(value: Any, ids: dict[str, Any]) -> Any:
    """A body with "{person}"-style placeholders replaced by the objects' ids."""
    if isinstance(value, dict):
        return {k: filled(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


API_CASES = [(op, role) for op in sorted(API) for role in ROLES]


@pytest.mark.parametrize(("operation", "role"), API_CASES)
def test_api_operation_answers_each_role_by_its_rule(call, world, objects, operation, role):  # noqa: F811
    rule = API[operation]
    method, template = OPERATIONS[operation]
    ids = {name: args[0] for name, args in objects.args.items()}
    path = template
    for param, name in PATH_OBJECTS.items():
        path = path.replace("{" + param + "}", str(ids[name]))
    path = path.replace("{term}", "theses")
    user = None if role == "anonymous" else getattr(world, role)
    entries = AuditEntry.objects.count()

    reply = call(method, path, as_=user, body=filled(rule.body, ids) if rule.body else None)

    if role in rule.expect:
        want: int | str = rule.expect[role]
    elif role == "anonymous":
        want = 401
    elif rule.access == LIBRARIAN and role == "mia":
        want = 403
    elif role == "bob" and "{" in template and not rule.shared:
        want = 404
    else:
        want = "allowed"
    if want == "allowed":
        assert reply.status not in (401, 403, 404), reply.body
        assert reply.status < 500
    else:
        assert reply.status == want, reply.body
    if want in (401, 403, 404, 422):
        assert AuditEntry.objects.count() == entries, "a refusal wrote something"
