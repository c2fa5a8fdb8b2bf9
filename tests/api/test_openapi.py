"""The committed OpenAPI snapshot is the API's contract: any change to it shows in review."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
REFRESH = "The API changed; if that is intended, run `rapport api_schema > docs/openapi.json`"


def generated() -> str:
    out = io.StringIO()
    call_command("api_schema", stdout=out)
    return out.getvalue()


def operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
    ]


def test_openapi_snapshot_is_current(db):
    assert generated() == SNAPSHOT.read_text(encoding="utf-8"), REFRESH


def test_openapi_every_operation_has_an_explicit_unique_id(db):
    ids = [op["operationId"] for _, _, op in operations(json.loads(generated()))]

    assert len(ids) == len(set(ids)) == 43
    # Ninja's fallback is module_function, e.g. "rapport_api_people_read".
    assert [i for i in ids if "_" in i] == []


def test_openapi_errors_are_problems_and_every_route_needs_auth(db):
    schema = json.loads(generated())

    for method, path, op in operations(schema):
        assert op["security"] == [{"TokenAuth": []}, {"SessionAuth": []}], (method, path)
        assert "401" in op["responses"], (method, path)
        for status, response in op["responses"].items():
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], (method, path)


def test_openapi_paths_and_methods(db):
    schema = json.loads(generated())

    assert sorted((path, method) for method, path, _ in operations(schema)) == [
        ("/api/v1/groups", "GET"),
        ("/api/v1/groups", "POST"),
        ("/api/v1/groups/{group_id}", "GET"),
        ("/api/v1/groups/{group_id}", "PATCH"),
        ("/api/v1/items", "GET"),
        ("/api/v1/items", "POST"),
        ("/api/v1/match-runs/{run_id}", "GET"),
        ("/api/v1/matches", "GET"),
        ("/api/v1/matches/{match_id}/decision", "POST"),
        ("/api/v1/memberships", "GET"),
        ("/api/v1/memberships", "POST"),
        ("/api/v1/memberships/{membership_id}", "GET"),
        ("/api/v1/memberships/{membership_id}", "PATCH"),
        ("/api/v1/people", "GET"),
        ("/api/v1/people", "POST"),
        ("/api/v1/people/{person_id}", "GET"),
        ("/api/v1/people/{person_id}", "PATCH"),
        ("/api/v1/people/{person_id}/archive", "POST"),
        ("/api/v1/people/{person_id}/interests", "GET"),
        ("/api/v1/people/{person_id}/interests", "POST"),
        ("/api/v1/people/{person_id}/interests/{term}", "DELETE"),
        ("/api/v1/people/{person_id}/relationship", "GET"),
        ("/api/v1/people/{person_id}/relationship/cadence", "DELETE"),
        ("/api/v1/people/{person_id}/relationship/cadence", "PUT"),
        ("/api/v1/people/{person_id}/relationship/snooze", "DELETE"),
        ("/api/v1/people/{person_id}/relationship/snooze", "PUT"),
        ("/api/v1/people/{person_id}/relationship/stage", "DELETE"),
        ("/api/v1/people/{person_id}/relationship/stage", "PUT"),
        ("/api/v1/people/{person_id}/restore", "POST"),
        ("/api/v1/requests", "GET"),
        ("/api/v1/requests", "POST"),
        ("/api/v1/requests/{request_id}", "GET"),
        ("/api/v1/requests/{request_id}", "PATCH"),
        ("/api/v1/requests/{request_id}/deliverables", "POST"),
        ("/api/v1/requests/{request_id}/status", "POST"),
        ("/api/v1/search", "GET"),
        ("/api/v1/today", "GET"),
        ("/api/v1/touchpoints", "GET"),
        ("/api/v1/touchpoints", "POST"),
        ("/api/v1/touchpoints/capture", "POST"),
        ("/api/v1/touchpoints/{touchpoint_id}", "DELETE"),
        ("/api/v1/touchpoints/{touchpoint_id}", "GET"),
        ("/api/v1/touchpoints/{touchpoint_id}", "PATCH"),
    ]


def test_openapi_each_status_enum_has_its_own_name(db):
    """A person's status and a request's status were both the component `Status`, so every
    person's status was documented as a request's (and failed the published schema)."""
    schema = json.loads(generated())
    components = schema["components"]["schemas"]

    assert components["PersonStatus"]["enum"] == [
        "faculty", "researcher", "postdoc", "student", "staff", "external", "other"
    ]  # fmt: skip
    assert components["RequestStatus"]["enum"] == [
        "new", "in_progress", "delivered", "followed_up", "closed", "declined"
    ]  # fmt: skip
    assert "Status" not in components
    assert components["PersonOut"]["properties"]["status"] == {
        "$ref": "#/components/schemas/PersonStatus"
    }
    assert components["RequestOut"]["properties"]["status"] == {
        "$ref": "#/components/schemas/RequestStatus"
    }


def test_openapi_two_schemas_with_one_name_stop_the_build():
    """Ninja keeps the last of two definitions with one name; Rapport's schema refuses."""
    from enum import Enum

    from ninja import Router, Schema

    from rapport.api.api import RapportAPI, SchemaNameClash

    class One(Schema):
        status: Enum("Status", {"a": "a"}, type=str)  # type: ignore[misc]

    class Two(Schema):
        status: Enum("Status", {"b": "b"}, type=str)  # type: ignore[misc]

    api, router = RapportAPI(urls_namespace="clash-test"), Router()

    @router.get("/one", response=One, operation_id="one")
    def one(request):
        raise AssertionError

    @router.get("/two", response=Two, operation_id="two")
    def two(request):
        raise AssertionError

    api.add_router("", router)

    with pytest.raises(SchemaNameClash) as err:
        api.get_openapi_schema(path_prefix="/")
    assert str(err.value) == (
        "Two different schemas are both named 'Status' in the OpenAPI document; give one of "
        "the classes another name."
    )
