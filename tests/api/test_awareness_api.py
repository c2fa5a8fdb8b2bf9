"""/api/v1 items, interests, matches and match runs."""

import pytest

from rapport.audit.models import AuditEntry
from rapport.awareness.models import Interest, Item, Match, MatchRun
from tests.api.conftest import PROBLEM, invalid
from tests.awareness.conftest import make_item
from tests.factories import make_touchpoint


def test_create_and_list_items(call, world, token):
    reply = call(
        "POST",
        "/items",
        token=token,
        body={"title": "Open lab notebooks", "doi": "https://doi.org/10.1/OLN", "kind": "tool"},
    )
    assert reply.status == 201
    assert (reply.body["title"], reply.body["doi"], reply.body["kind"]) == (
        "Open lab notebooks",
        "10.1/oln",
        "tool",
    )
    assert MatchRun.objects.get().item_ids == [reply.body["id"]]
    listed = call("GET", "/items", token=token, params={"q": "notebooks"})
    assert (listed.body["count"], listed.body["items"][0]["title"]) == (1, "Open lab notebooks")


def test_create_a_duplicate_item_is_a_422_problem(call, world, token):
    make_item("Open lab notebooks")
    reply = call("POST", "/items", token=token, body={"title": "open lab notebooks"})
    assert (reply.status, reply.content_type) == (422, PROBLEM)
    assert "already there" in reply.body["detail"]
    assert Item.objects.count() == 1


def test_interests_show_terms_and_take_corrections(call, world, token):
    make_touchpoint(world.alice, [world.ana], question="PRISMA flow diagram")
    reply = call("GET", f"/people/{world.ana.pk}/interests", token=token)
    assert reply.status == 200
    prisma = next(t for t in reply.body["terms"] if t["term"] == "prisma")
    assert prisma["because"] == "from 2 questions"
    assert [e["source"] for e in prisma["evidence"]] == ["touchpoint", "touchpoint"]

    removed = call(
        "POST",
        f"/people/{world.ana.pk}/interests",
        token=token,
        body={"term": "PRISMA", "state": "removed"},
    )
    assert removed.body["removed"] == ["prisma"]
    assert "prisma" not in [t["term"] for t in removed.body["terms"]]
    cleared = call("DELETE", f"/people/{world.ana.pk}/interests/prisma", token=token)
    assert cleared.body["removed"] == []
    assert Interest.objects.count() == 0


def test_interests_of_someone_out_of_scope_are_not_found(call, world, token):
    reply = call("GET", f"/people/{world.hugo.pk}/interests", token=token)
    assert reply.status == 404


def test_list_and_decide_matches(call, world, token):
    item = make_item("PRISMA 2020")
    match = Match.objects.create(person=world.ana, item=item, score=0.3)
    Match.objects.create(person=world.hugo, item=item, score=0.9)  # bob's person
    listed = call("GET", "/matches", token=token)
    assert [m["id"] for m in listed.body["items"]] == [match.pk]
    decided = call(
        "POST",
        f"/matches/{match.pk}/decision",
        token=token,
        body={"decision": "approve", "note": "Useful"},
    )
    assert (decided.status, decided.body["status"], decided.body["note"]) == (
        200,
        "approved",
        "Useful",
    )
    assert call("GET", "/matches", token=token).body["count"] == 0


def test_managers_get_no_matches(call, world):
    assert call("GET", "/matches", as_=world.mia).status == 403


def test_match_run_progress(call, world, token):
    run = MatchRun.objects.create(scope="all", status="running", total=8, done=3)
    reply = call("GET", f"/match-runs/{run.pk}", token=token)
    assert (reply.body["status"], reply.body["total"], reply.body["done"]) == ("running", 8, 3)


NOT_WEB = "is not a web address (https://…)."


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("javascript:alert(1)", f"“javascript:alert(1)” {NOT_WEB}"),
        ("JaVaScRiPt:alert(document.cookie)", f"“JaVaScRiPt:alert(document.cookie)” {NOT_WEB}"),
        ("  javascript:alert(1)", f"“javascript:alert(1)” {NOT_WEB}"),
        ("\x01javascript:alert(1)", f"“\\x01javascript:alert(1)” {NOT_WEB}"),
        ("java\tscript:alert(1)", f"“java\\tscript:alert(1)” {NOT_WEB}"),
        ("java\nscript:alert(1)", f"“java\\nscript:alert(1)” {NOT_WEB}"),
        ("vbscript:msgbox(1)", f"“vbscript:msgbox(1)” {NOT_WEB}"),
        ("data:text/html;base64,PHNjcmlwdD4=", f"“data:text/html;base64,PHNjcmlwdD4=” {NOT_WEB}"),
        ("//evil.example/x", f"“//evil.example/x” {NOT_WEB}"),
        (
            "https://evil.example/\u202ejs",
            "“https://evil.example/\\u202ejs” has spaces or invisible characters; a web address "
            "has none.",
        ),
    ],
)
def test_create_item_with_a_link_that_is_not_a_web_address_is_a_422(
    call, world, token, link, message
):
    audited = AuditEntry.objects.count()  # the token's own entry
    reply = call("POST", "/items", token=token, body={"title": "Open lab notebooks", "link": link})

    assert (reply.status, reply.content_type) == (422, PROBLEM)
    assert reply.body == invalid(f"link: {message}", "/items", {"link": [message]})
    assert Item.objects.count() == 0
    assert MatchRun.objects.count() == 0
    assert AuditEntry.objects.count() == audited


@pytest.mark.parametrize(
    ("link", "stored"),
    [
        ("https://journal.example/oln", "https://journal.example/oln"),
        (" http://journal.example/oln?x=1 ", "http://journal.example/oln?x=1"),
        ("", ""),
    ],
)
def test_create_item_with_a_web_address_keeps_it(call, world, token, link, stored):
    reply = call("POST", "/items", token=token, body={"title": "Open lab notebooks", "link": link})

    assert (reply.status, reply.body["link"]) == (201, stored)
    assert Item.objects.get().link == stored


def test_an_old_row_with_a_script_link_goes_out_with_no_link(call, world, token):
    """A row stored before links were checked (written straight to the table here) is never
    handed to an API client as a link it might render."""
    make_item("Old row", link="javascript:alert(1)")

    reply = call("GET", "/items", token=token)

    assert reply.status == 200
    assert [(i["title"], i["link"]) for i in reply.body["items"]] == [("Old row", "")]
