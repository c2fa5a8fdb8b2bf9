"""Repeats of identical rows are counted the same in memory and once spilled to disk."""

from hypothesis import given
from hypothesis import strategies as st

from rapport.imports.sources.keys import Repeats


def test_repeats_are_counted_across_the_spill():
    repeats = Repeats(limit=3)
    keys = ["a", "b", "a", "c", "d", "a", "b", "e", "a"]
    assert [repeats.seen_before(k) for k in keys] == [0, 0, 1, 0, 0, 2, 1, 0, 3]
    assert repeats.db is not None and repeats.memory == {}
    repeats.close()
    assert repeats.db is None


@given(st.lists(st.sampled_from("abcdefgh"), max_size=40), st.integers(min_value=1, max_value=5))
def test_spilling_changes_no_count(keys, limit):
    small, large = Repeats(limit=limit), Repeats(limit=1_000)
    assert [small.seen_before(k) for k in keys] == [large.seen_before(k) for k in keys]
    small.close()
