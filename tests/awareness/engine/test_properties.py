"""Invariants of every scoring run, on generated profiles and items."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.awareness.engine import Document, ItemText, Profile, get_engine

WORDS = ["prisma", "scoping", "review", "perovskite", "solar", "cell", "parish", "register", "the"]
text = st.lists(st.sampled_from(WORDS), min_size=0, max_size=6).map(" ".join)
document = st.builds(Document, text=text, weight=st.floats(0.0, 3.0), ref=st.just("doc"))
profiles = st.lists(st.lists(document, max_size=5), max_size=5).map(
    lambda docs: [Profile(id=f"p{n}", documents=tuple(d)) for n, d in enumerate(docs)]
)
items = st.lists(st.tuples(text, text), max_size=7).map(
    lambda rows: [ItemText(id=f"i{n}", title=t, text=x) for n, (t, x) in enumerate(rows)]
)


def usable(profile: Profile) -> bool:
    return any(d.weight > 0 and d.text.strip() for d in profile.documents)


@settings(max_examples=60, deadline=None)
@given(profiles=profiles, items=items, top=st.integers(1, 8))
def test_score_top_is_the_head_of_the_full_ranking(profiles, items, top):
    engine = get_engine("lexical")

    full = list(engine.score(profiles, items))
    best = list(engine.score(profiles, items, top=top))

    assert all(math.isfinite(s.score) and 0.0 <= s.score <= 1.0 + 1e-6 for s in full)
    order = {item.id: n for n, item in enumerate(items)}
    for profile in profiles:
        mine = [s for s in best if s.profile == profile.id]
        if not usable(profile) or not items:
            assert mine == []
            continue
        assert len(mine) == min(top, len(items))
        ranking = sorted(
            (s for s in full if s.profile == profile.id), key=lambda s: (-s.score, order[s.item])
        )
        assert [(s.item, s.score) for s in mine] == [(s.item, s.score) for s in ranking[:top]]
