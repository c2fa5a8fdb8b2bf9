"""The lexical engine: ranking, explanations, the top-K rule, and odd input."""

import pytest

from rapport.awareness.engine import MODES, Document, ItemText, Profile, get_engine

PRISMA = Profile(
    id="ana",
    documents=(
        Document("Soil microbiology of drained peatlands", ref="publication:3"),
        Document(
            "Help with a scoping review: PRISMA flow diagram and search log", ref="touchpoint:12"
        ),
        Document("Teaching referencing to first years", ref="interest:7"),
    ),
)
ITEMS = [
    ItemText("perovskite", "Stability of perovskite solar cells", "Moisture and heat tests."),
    ItemText(
        "prisma",
        "PRISMA extension for scoping reviews",
        "A checklist and flow diagram for reporting scoping reviews.",
    ),
    ItemText("parish", "Parish registers as sources for family history", ""),
]


def scores(profiles, items, **options):
    return [
        (s.profile, s.item, s.score)
        for s in get_engine("lexical").score(profiles, items, **options)
    ]


def test_score_ranks_prisma_item_first_with_its_words_and_evidence():
    hits = list(get_engine("lexical").score([PRISMA], ITEMS, top=3))

    assert [h.item for h in hits] == ["prisma", "perovskite", "parish"]
    assert "prisma" in hits[0].terms
    assert "scoping review" in hits[0].terms
    assert hits[0].evidence == ("touchpoint:12",)
    assert hits[1].score == 0.0
    assert hits[1].terms == ()
    assert hits[1].evidence == ()


def test_score_identical_document_scores_one():
    profile = Profile("p", (Document("Perovskite solar cells under humidity"),))
    items = [ItemText("i", "Perovskite solar cells under humidity")]

    [(_, _, score)] = scores([profile], items)

    assert score == pytest.approx(1.0, abs=1e-6)


def test_score_is_rank_weighted_mean_of_three_best_documents():
    # One matching document among three: weights 1, ½, ¼ divide the one similarity of 1.
    profile = Profile(
        "p",
        (
            Document("Perovskite solar cells"),
            Document("Medieval parish registers"),
            Document("Glazes of ancient pottery"),
        ),
    )

    [(_, _, score)] = scores([profile], [ItemText("i", "Perovskite solar cells")])

    assert score == pytest.approx(1 / 1.75, abs=1e-6)


def test_score_weighs_documents_relative_to_the_heaviest():
    profile = Profile(
        "p",
        (
            Document("Perovskite solar cells", weight=0.5, ref="old"),
            Document("Medieval parish registers", weight=2.0, ref="stated"),
        ),
    )
    items = [
        ItemText("solar", "Perovskite solar cells"),
        ItemText("parish", "Medieval parish registers"),
    ]

    hits = list(get_engine("lexical").score([profile], items, top=2))

    assert [(h.item, h.evidence) for h in hits] == [("parish", ("stated",)), ("solar", ("old",))]
    assert hits[0].score == pytest.approx(1 / 1.5, abs=1e-6)
    assert hits[1].score == pytest.approx(0.25 / 1.5, abs=1e-6)


def test_score_top_breaks_ties_by_item_order():
    profile = Profile("p", (Document("perovskite solar cells"),))
    items = [
        ItemText("history", "Parish registers"),
        ItemText("first", "Perovskite solar cells", "humidity"),
        ItemText("second", "Perovskite solar cells", "humidity"),
        ItemText("weaker", "Perovskite films", "humidity"),
    ]

    hits = scores([profile], items, top=4)

    assert [item for _, item, _ in hits] == ["first", "second", "weaker", "history"]
    assert hits[0][2] == hits[1][2]
    assert hits[0][2] > hits[2][2] > 0.0
    assert hits[3][2] == 0.0


def test_score_top_fills_with_unscored_items_in_item_order():
    profile = Profile("p", (Document("perovskite"),))
    items = [ItemText(str(n), title) for n, title in enumerate(["a b", "perovskite", "c d", "e f"])]

    assert [item for _, item, _ in scores([profile], items, top=3)] == ["1", "0", "2"]


def test_score_without_top_yields_every_pair_in_profile_then_item_order():
    profiles = [PRISMA, Profile("nobody", ()), Profile("hugo", (Document("parish registers"),))]

    hits = scores(profiles, ITEMS)

    assert [(p, i) for p, i, _ in hits] == [
        ("ana", "perovskite"),
        ("ana", "prisma"),
        ("ana", "parish"),
        ("hugo", "perovskite"),
        ("hugo", "prisma"),
        ("hugo", "parish"),
    ]


def test_score_skips_profiles_without_usable_documents():
    profiles = [
        Profile("empty", ()),
        Profile("blank", (Document("   "),)),
        Profile("weightless", (Document("PRISMA scoping review", weight=0.0),)),
    ]

    assert scores(profiles, ITEMS, top=2) == []
    assert scores(profiles, ITEMS) == []


def test_score_accepts_items_without_text_or_words():
    profile = Profile("p", (Document("PRISMA"),))
    items = [ItemText("blank", ""), ItemText("digits", "2024 123"), ItemText("prisma", "PRISMA")]

    hits = scores([profile], items, top=3)

    assert [item for _, item, _ in hits] == ["prisma", "blank", "digits"]
    assert [score for _, _, score in hits][1:] == [0.0, 0.0]


def test_score_with_no_items_yields_nothing_and_reports_progress():
    seen = []

    hits = list(
        get_engine("lexical").score([PRISMA], [], top=5, progress=lambda d, t: seen.append((d, t)))
    )

    assert hits == []
    assert seen == [(1, 1)]


def test_score_reports_progress_per_chunk_up_to_the_total(monkeypatch):
    engine = get_engine("lexical")
    engine.chunk_documents = 2
    profiles = [
        Profile(str(n), (Document("perovskite cells"), Document("solar"))) for n in range(3)
    ]
    seen = []

    list(engine.score(profiles, ITEMS, top=1, progress=lambda d, t: seen.append((d, t))))

    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_score_without_explain_leaves_terms_and_evidence_empty():
    [hit] = get_engine("lexical").score([PRISMA], ITEMS, top=1, explain=False)

    assert (hit.item, hit.terms, hit.evidence) == ("prisma", (), ())


def test_score_rejects_top_below_one():
    with pytest.raises(ValueError, match="top must be at least 1"):
        list(get_engine("lexical").score([PRISMA], ITEMS, top=0))


def test_get_engine_rejects_unknown_mode():
    with pytest.raises(ValueError, match="unknown matching mode 'fuzzy'"):
        get_engine("fuzzy")
    assert MODES == ("lexical", "semantic", "hybrid")
