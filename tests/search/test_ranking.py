"""Which matches a search ranks: the newest WINDOW among the candidates, on both databases, and
on PostgreSQL the same rows whichever way it finds them (`rapport/search/postgres.py`)."""

import pytest
from django.db import connection

from rapport.search import postgres, queries
from rapport.search.documents import DOCUMENTS, TOUCHPOINT
from rapport.search.queries import (
    Filters,
    Reach,
    compile_candidates,
    rank,
    search,
    touchpoint_candidates,
)
from tests.factories import make_touchpoint

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL-specific: its ways to the matches"
)


@pytest.fixture
def shelves(world):
    """Six of alice's touchpoints about "shelving", oldest first; the fourth confidential and
    the fifth a meeting; bob's in another group; one of alice's about "catalogues"."""
    made = [
        make_touchpoint(
            world.alice,
            [world.ana],
            group=world.chem,
            topic="Shelving" if n % 2 else "Shelving shelving",
            question=f"Shelving question {n}",
            confidential=n == 3,
            kind="meeting" if n == 4 else "question",
            days_ago=20 - n,
        )
        for n in range(6)
    ]
    bobs = make_touchpoint(
        world.bob, [world.hugo], group=world.history, topic="Shelving", days_ago=2
    )
    other = make_touchpoint(world.alice, [world.ana], topic="Catalogues", days_ago=1)
    return {"alice": made, "bob": bobs, "other": other}


def ranked_ids(user, words, window=None, *, kind="", newest_first=None, monkeypatch=None):
    if window is not None:
        monkeypatch.setattr(queries, "WINDOW", window)
    candidates = touchpoint_candidates(Reach.of(user), Filters(touchpoint_kind=kind))
    doc = DOCUMENTS[TOUCHPOINT]
    found = rank(doc, words, compile_candidates(doc, candidates), 20, newest_first=newest_first)
    return [pk for pk, _ in found]


def test_a_search_ranks_the_newest_window_of_matches_in_reach(world, shelves, monkeypatch):
    alice = [tp.pk for tp in shelves["alice"]]

    found = ranked_ids(world.alice, ["shelving"], 3, monkeypatch=monkeypatch)

    # The three newest of hers (bob's is not in her reach); her own confidential one counts.
    assert sorted(found) == sorted(alice[3:])
    assert found[0] == alice[4]  # "shelving" twice in the topic ranks first


def test_the_kind_filter_and_others_confidential_rows_are_left_out(world, shelves):
    alice = [tp.pk for tp in shelves["alice"]]

    assert sorted(ranked_ids(world.alice, ["shelving"], kind="meeting")) == [alice[4]]
    # Bob serves no group of alice's; her confidential touchpoint never reaches anyone else.
    assert alice[3] not in ranked_ids(world.ada, ["shelving"])


@pg_only
@pytest.mark.parametrize("user", ["alice", "ada"])
@pytest.mark.parametrize("window", [2, 100])
def test_every_way_to_the_matches_ranks_the_same_rows(world, shelves, monkeypatch, user, window):
    who = getattr(world, user)

    first = ranked_ids(who, ["shelving"], window, newest_first=False, monkeypatch=monkeypatch)
    newest = ranked_ids(who, ["shelving"], window, newest_first=True, monkeypatch=monkeypatch)

    assert newest == first
    assert len(first) == (2 if window == 2 else 6)


@pg_only
def test_every_way_agrees_with_a_kind_filter_and_with_no_match(world, shelves):
    for words, kind in ((["shelving"], "meeting"), (["shelving", "catalogues"], ""), (["zz"], "")):
        for who in (world.alice, world.ada):
            first = ranked_ids(who, words, kind=kind, newest_first=False)
            assert ranked_ids(who, words, kind=kind, newest_first=True) == first


@pg_only
def test_statistics_choose_the_way_and_words_rare_together_are_still_found(world, monkeypatch):
    """120 touchpoints: "alpha" in the older half, "omega" in the newer, both in the oldest.
    Apart each is in half the rows; together, one. The statistics choose newest rows first for
    the administrator; the newest rows hold no row with both, so the search lists the matches."""
    monkeypatch.setattr(queries, "WINDOW", 2)
    made = []
    for n in range(120):
        words = ["alpha"] if n < 60 else ["omega"]
        made.append(
            make_touchpoint(
                world.alice,
                topic=" ".join(words + (["omega"] if n == 0 else [])),
                question="Plain words",
                days_ago=200 - n,
            )
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE rapport_touchpoint")
    postgres.forget_statistics()
    try:
        doc = DOCUMENTS[TOUCHPOINT]
        shares, rows = postgres.known_shares(doc, ["alpha", "omega"], 0)
        matches = postgres.expected_matches(shares, rows, any_term=False)

        assert shares == [pytest.approx(0.49, abs=0.02), pytest.approx(0.49, abs=0.02)]
        assert postgres.common(matches, rows, 2)
        assert [h.object.pk for h in search(world.ada, "alpha omega")] == [made[0].pk]
        assert [h.object.pk for h in search(world.ada, "omega")] == [made[119].pk, made[118].pk]
        # A stop word narrows nothing: PostgreSQL leaves it out, and so does the estimate.
        assert postgres.known_shares(doc, ["with", "alpha"], 0)[0][0] == 1.0
        assert [h.object.pk for h in search(world.ada, "alpha with")] == [made[59].pk, made[58].pk]
    finally:
        postgres.forget_statistics()


@pg_only
def test_unknown_words_are_listed_first_and_common_words_walked():
    assert not postgres.common(0, 1_000_000, 100)  # not in the statistics: rare
    assert not postgres.common(10_000, 1_000_000, 100)  # 10,000² < 3 × 100 × 1,000,000
    assert postgres.common(20_000, 1_000_000, 100)
    assert postgres.expected_matches([0.5, None], 1000, any_term=False) == 0
    assert postgres.expected_matches([0.5, 0.2], 1000, any_term=False) == pytest.approx(100)
    assert postgres.expected_matches([0.5, None], 1000, any_term=True) == pytest.approx(500)
    assert postgres.expected_matches([0.8, 0.7], 1000, any_term=True) == pytest.approx(1000)


@pg_only
def test_word_statistics_and_stems_are_read_once_and_kept(db, django_assert_num_queries):
    doc = DOCUMENTS[TOUCHPOINT]
    postgres.forget_statistics()
    try:
        with django_assert_num_queries(3):  # the stems, the row count, the word statistics
            first = postgres.known_shares(doc, ["palimpsests", "with"], 0)
        with django_assert_num_queries(0):
            assert postgres.known_shares(doc, ["palimpsests", "with"], 0) == first
        with django_assert_num_queries(1):  # a new word's stem only
            postgres.known_shares(doc, ["marginalia", "with"], 0)
        assert first[0][1] == 1.0  # "with" is a stop word
        postgres.forget_statistics()
        with django_assert_num_queries(2):
            postgres.known_shares(doc, ["palimpsests"], 0)
    finally:
        postgres.forget_statistics()


@pg_only
def test_a_small_reach_is_walked_however_many_the_matches(
    world, shelves, django_assert_num_queries
):
    """The walk never looks up more rows than there are candidates: 2,000 matches among 30,000
    rows are listed, unless the candidates are a couple of hundred."""
    assert not postgres.common(2_000, 30_000, 100)  # 100 × 30,000 / 2,000 × 3 > 2,000
    assert postgres.common(2_000, 30_000, 100, candidates=193)  # 193 × 3 ≤ 2,000
    assert not postgres.common(500, 30_000, 100, candidates=193)
    assert not postgres.common(0, 30_000, 100, candidates=1)

    where = queries._conditions(touchpoint_candidates(Reach.of(world.alice), Filters()))
    postgres.forget_statistics()
    try:
        with django_assert_num_queries(1):
            size = postgres.candidates_size(where)
        # Her six about shelving, the one about catalogues, and the world's two of hers, each
        # counted once though it is in two of her lists (hers, and her group's or Ana's).
        assert size == 9
        with django_assert_num_queries(0):
            assert postgres.candidates_size(where) == size
        assert postgres.candidates_size(postgres.Conditions(None, ("", ()))) is None
    finally:
        postgres.forget_statistics()
