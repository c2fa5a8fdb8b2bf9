"""GET /api/v1/search: the same search, as JSON."""

from tests.factories import make_touchpoint


def test_api_search_returns_ranked_hits_with_marked_snippets(call, world):
    tp = make_touchpoint(world.alice, [world.ana], topic="Raman spectra", group=world.chem)

    reply = call("GET", "/search", as_=world.alice, params={"q": "spectra"})

    assert reply.status == 200
    assert reply.body["q"] == "spectra"
    assert reply.body["terms"] == ["spectra"]
    [hit] = reply.body["items"]
    assert {k: hit[k] for k in ("kind", "id", "title", "url")} == {
        "kind": "touchpoint",
        "id": tp.pk,
        "title": "Raman spectra",
        "url": f"/touchpoints/{tp.pk}/",
    }
    assert "Raman <mark>spectra</mark>" in hit["snippet"]


def test_api_search_kind_filter_repeats(call, world):
    world.ana.notes = "spectra"
    world.ana.save()
    make_touchpoint(world.alice, [world.ana], topic="Raman spectra")

    reply = call(
        "GET", "/search", as_=world.alice, params={"q": "spectra", "kind": ["person", "item"]}
    )

    assert [(h["kind"], h["id"]) for h in reply.body["items"]] == [("person", world.ana.pk)]


def test_api_search_syntax_and_empty_queries_are_not_errors(call, world):
    for q in ['"(', "AND", "*", ""]:
        reply = call("GET", "/search", as_=world.alice, params={"q": q})
        assert (reply.status, reply.body["items"]) == (200, [])


def test_api_search_manager_finds_no_touchpoints(call, world):
    reply = call("GET", "/search", as_=world.mia, params={"q": "prisma"})

    assert (reply.status, reply.body["items"]) == (200, [])


def test_api_search_needs_a_caller_and_valid_input(call, world):
    assert call("GET", "/search", params={"q": "x"}).status == 401
    bad = call("GET", "/search", as_=world.alice, params={"q": "x", "kind": "people"})
    assert bad.status == 422
