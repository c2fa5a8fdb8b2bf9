"""ETags on people, touchpoints and requests, and If-Match on their PATCH: an edit made on an
older version is refused (412) and changes nothing; one made on the current version goes
through and answers the next ETag."""

import pytest

from rapport.api.versions import expected_versions
from rapport.audit.models import AuditEntry
from rapport.people.models import Person
from rapport.requests.models import Request
from rapport.touchpoints.models import Touchpoint
from tests.api.conftest import PROBLEM, problem
from tests.requests.conftest import make_request


def changed(path: str, noun: str, since: int, now: int) -> dict:
    return problem(
        412,
        "precondition-failed",
        "Changed since you read it",
        f"This {noun} was changed by someone else since you read it (version {since}; it is "
        f"now version {now}): read it again and make your change on what it is now.",
        path,
    )


def test_read_person_answers_its_version_as_etag(call, world):
    reply = call("GET", f"/people/{world.ana.pk}", as_=world.alice)

    assert (reply.status, reply.headers["ETag"]) == (200, '"1"')


def test_patch_person_with_the_current_etag_answers_the_next_one(call, world):
    path = f"/people/{world.ana.pk}"
    etag = call("GET", path, as_=world.alice).headers["ETag"]

    reply = call(
        "PATCH", path, as_=world.alice, body={"job_title": "PI"}, headers={"If-Match": etag}
    )

    assert (reply.status, reply.body["job_title"], reply.headers["ETag"]) == (200, "PI", '"2"')
    assert call("GET", path, as_=world.alice).headers["ETag"] == reply.headers["ETag"]
    assert Person.objects.get(pk=world.ana.pk).version == 2


def test_patch_person_with_a_stale_etag_is_412_and_changes_nothing(call, world):
    path = f"/people/{world.ana.pk}"
    etag = call("GET", path, as_=world.alice).headers["ETag"]
    call("PATCH", path, as_=world.ada, body={"job_title": "Dean"}, headers={"If-Match": etag})

    reply = call(
        "PATCH", path, as_=world.alice, body={"job_title": "PI"}, headers={"If-Match": etag}
    )

    assert (reply.status, reply.content_type) == (412, PROBLEM)
    assert reply.body == changed(path, "person", 1, 2)
    ana = Person.objects.get(pk=world.ana.pk)
    assert (ana.job_title, ana.version) == ("Dean", 2)
    assert AuditEntry.objects.filter(object_type="person", action="update").count() == 1


@pytest.mark.parametrize("if_match", ['W/"1"', '"abc"', "1", ""])
def test_patch_person_with_a_weak_or_foreign_etag_is_412(call, world, if_match):
    path = f"/people/{world.ana.pk}"

    reply = call("PATCH", path, as_=world.alice, body={"room": "9"}, headers={"If-Match": if_match})

    assert reply.status == 412
    assert reply.body["detail"] == (
        "If-Match names no version of this person: send back the ETag a GET answered "
        '(it is now "1").'
    )
    assert Person.objects.get(pk=world.ana.pk).room == ""


@pytest.mark.parametrize("if_match", ["*", '"7", "1"'])
def test_patch_person_with_any_or_a_listed_etag_changes_it(call, world, if_match):
    path = f"/people/{world.ana.pk}"

    reply = call("PATCH", path, as_=world.alice, body={"room": "9"}, headers={"If-Match": if_match})

    assert (reply.status, reply.headers["ETag"]) == (200, '"2"')
    assert Person.objects.get(pk=world.ana.pk).room == "9"


def test_patch_person_without_if_match_writes_only_its_fields_over_the_latest(call, world):
    path = f"/people/{world.ana.pk}"
    call("PATCH", path, as_=world.ada, body={"room": "2.14"})

    reply = call("PATCH", path, as_=world.alice, body={"job_title": "PI"})

    assert (reply.status, reply.headers["ETag"]) == (200, '"3"')
    ana = Person.objects.get(pk=world.ana.pk)
    assert (ana.room, ana.job_title) == ("2.14", "PI")


def test_patch_of_someone_you_may_not_see_is_404_whatever_if_match_says(call, world):
    path = f"/people/{world.hugo.pk}"

    reply = call("PATCH", path, as_=world.alice, body={"room": "9"}, headers={"If-Match": '"9"'})

    assert reply.status == 404


def test_touchpoint_etag_and_if_match(call, world):
    path = f"/touchpoints/{world.ana_question.pk}"
    read = call("GET", path, as_=world.alice)
    first = call("PATCH", path, as_=world.alice, body={"minutes": 20}, headers={"If-Match": '"1"'})

    stale = call("PATCH", path, as_=world.alice, body={"minutes": 5}, headers={"If-Match": '"1"'})

    assert read.headers["ETag"] == '"1"'
    assert (first.status, first.body["minutes"], first.headers["ETag"]) == (200, 20, '"2"')
    assert call("GET", path, as_=world.alice).headers["ETag"] == '"2"'
    assert stale.status == 412
    assert stale.body == changed(path, "touchpoint", 1, 2)
    tp = Touchpoint.objects.get(pk=world.ana_question.pk)
    assert (tp.minutes, tp.version) == (20, 2)


def test_request_etag_and_if_match_cover_the_owner_too(call, world):
    req = make_request(world.alice, [world.ana])
    path = f"/requests/{req.pk}"
    read = call("GET", path, as_=world.alice)
    first = call(
        "PATCH", path, as_=world.alice, body={"scope": "English only"}, headers={"If-Match": '"1"'}
    )

    stale = call(
        "PATCH", path, as_=world.alice, body={"owner": world.bob.pk}, headers={"If-Match": '"1"'}
    )
    fresh = call(
        "PATCH", path, as_=world.alice, body={"owner": world.bob.pk}, headers={"If-Match": '"2"'}
    )

    assert read.headers["ETag"] == '"1"'
    assert (first.status, first.headers["ETag"]) == (200, '"2"')
    assert stale.status == 412
    assert stale.body == changed(path, "request", 1, 2)
    assert (fresh.status, fresh.body["owner"]["id"], fresh.headers["ETag"]) == (
        200,
        world.bob.pk,
        '"3"',
    )
    req = Request.objects.get(pk=req.pk)
    assert (req.scope, req.owner, req.version) == ("English only", world.bob, 3)


@pytest.mark.parametrize(
    ("header", "versions"),
    [
        (None, None),
        ("*", None),
        (' "3" ', frozenset({3})),
        ('"3", "4",W/"5"', frozenset({3, 4})),
        ('W/"3"', frozenset()),
        ("3", frozenset()),
        ('"3-abc"', frozenset()),
    ],
)
def test_expected_versions_reads_strong_etags_only(header, versions):
    assert expected_versions(header) == versions
