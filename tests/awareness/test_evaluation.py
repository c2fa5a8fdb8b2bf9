"""The matching evaluation's own arithmetic (benchmarks/evaluation/evaluate.py)."""

import pytest

from benchmarks.evaluation import evaluate


def test_an_equal_run_differs_by_nothing():
    assert evaluate.difference([1, 3, 2], [1, 3, 2]) == (0.0, 0.0, 0.0)


def test_the_difference_is_of_the_chosen_measure():
    mine, base = [1, 11, 2], [2, 4, 2]
    mrr, _, _ = evaluate.difference(mine, base)
    assert mrr == pytest.approx(((1 - 1 / 2) + (1 / 11 - 1 / 4) + 0) / 3)
    recall, _, _ = evaluate.difference(mine, base, measure=evaluate.in_top_ten)
    assert recall == pytest.approx((0 - 1 + 0) / 3)


def test_clusters_are_drawn_whole():
    # One author gains on both of its queries, the other loses on its one: every draw of whole
    # clusters gives a mean of +1 (two of one), -1, or a mix weighted by queries.
    mine, base = [1, 1, 2], [2, 2, 1]
    gain, low, high = evaluate.difference(mine, base, clusters=["a", "a", "b"], draws=500)
    assert gain == pytest.approx((0.5 + 0.5 - 0.5) / 3)
    possible = {0.5, -0.5, (0.5 + 0.5 - 0.5) / 3}
    assert any(low == pytest.approx(p) for p in possible)
    assert any(high == pytest.approx(p) for p in possible)
    assert low <= gain <= high


def test_every_paper_of_an_author_is_hidden_once():
    queries, items = evaluate.every_paper_task("dev")
    single, _ = evaluate.author_task("dev")
    assert len(single) == 48
    assert len(queries) == 113
    assert len(items) == 609
    by_author: dict[str, set[str]] = {}
    for q in queries:
        assert q.relevant not in q.exclude
        assert {d.ref for d in q.profile.documents} == set(q.exclude)
        by_author.setdefault(q.cluster, set()).add(q.relevant)
    for q in single:
        assert q.relevant in by_author[q.cluster]
        assert by_author[q.cluster] == q.exclude | {q.relevant}
