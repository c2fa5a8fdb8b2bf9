"""Semantic and hybrid modes with the model of the rapport[semantic] extra."""

import sys

import numpy as np
import pytest

from rapport.awareness.engine import Document, EngineUnavailable, ItemText, Profile, get_engine

pytest.importorskip("sentence_transformers", reason="the rapport[semantic] extra is not installed")

PROFILE = Profile(
    id="ana",
    documents=(
        Document("Teaching referencing to first years", ref="interest:7"),
        Document(
            "Help with a scoping review: PRISMA flow diagram and search log", ref="touchpoint:12"
        ),
    ),
)
ITEMS = [
    ItemText("perovskite", "Stability of perovskite solar cells", "Moisture and heat tests."),
    ItemText("prisma", "PRISMA extension for scoping reviews", "A reporting checklist."),
    ItemText("parish", "Parish registers as sources for family history"),
]


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_score_ranks_prisma_item_first_with_its_evidence(mode):
    hits = list(get_engine(mode).score([PROFILE], ITEMS, top=3))

    assert hits[0].item == "prisma"
    assert hits[0].evidence[0] == "touchpoint:12"
    assert "prisma" in hits[0].terms
    assert {h.item for h in hits} == {"perovskite", "prisma", "parish"}


def test_semantic_score_finds_a_match_that_shares_no_word():
    profile = Profile(
        "bo", (Document("Soil microbiology of drained peatlands", ref="publication:3"),)
    )
    items = [
        ItemText("perovskite", "Stability of perovskite solar cells", "Moisture and heat tests."),
        ItemText(
            "wetland", "Microbial communities in rewetted fens", "Carbon in waterlogged ground."
        ),
    ]

    hits = list(get_engine("semantic").score([profile], items, top=2))

    assert (hits[0].item, hits[0].terms, hits[0].evidence) == ("wetland", (), ("publication:3",))
    assert hits[0].score > hits[1].score > 0.0


def test_hybrid_scores_the_best_item_of_a_profile_one():
    hits = list(get_engine("hybrid").score([PROFILE], ITEMS, top=1))

    assert [(h.item, round(h.score, 6)) for h in hits] == [("prisma", 1.0)]


def test_get_engine_without_the_extra_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)

    with pytest.raises(EngineUnavailable, match=r"install rapport\[semantic\]"):
        get_engine("semantic")


def test_cache_embed_returns_the_model_vectors_in_the_order_asked():
    from rapport.awareness.engine.semantic import Cache, encode

    cache = Cache(10)

    out = cache.embed(["peat soils", "scoping reviews", "peat soils"])

    expected = encode(["peat soils", "scoping reviews", "peat soils"])
    assert out.shape == (3, 384)
    assert np.allclose(out, expected, atol=1e-5)
    assert list(cache.vectors) == ["peat soils", "scoping reviews"]


def test_cache_embed_encodes_a_text_seen_before_only_once():
    from rapport.awareness.engine.semantic import Cache

    cache = Cache(10)
    cache.embed(["peat soils"])
    kept = cache.vectors["peat soils"]

    cache.embed(["scoping reviews", "peat soils"])

    assert cache.vectors["peat soils"] is kept
    assert list(cache.vectors) == ["scoping reviews", "peat soils"]


def test_cache_drops_the_least_recently_used_text_first():
    from rapport.awareness.engine.semantic import Cache

    cache = Cache(2)
    cache.embed(["peat soils", "scoping reviews"])
    cache.embed(["peat soils"])

    cache.embed(["parish registers"])

    assert list(cache.vectors) == ["peat soils", "parish registers"]


def test_cache_embed_of_no_text_is_empty():
    from rapport.awareness.engine.semantic import Cache

    assert Cache(2).embed([]).shape == (0, 0)
