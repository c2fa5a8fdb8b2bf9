"""Similar past questions: the closest earlier touchpoints a viewer may read, never a
confidential one, never the touchpoint itself."""

import pytest
from django.db import connection

from rapport.search import postgres, similar
from rapport.search.similar import similar_questions
from tests.factories import make_touchpoint


@pytest.fixture
def past(world):
    """Three earlier questions of alice's about citing data, one confidential, and bob's."""
    return {
        "close": make_touchpoint(
            world.alice,
            [world.ana],
            topic="Citing datasets",
            question="How to cite a dataset from Zenodo in APA style?",
            answer="Author, year, title, version, publisher, DOI.",
            days_ago=30,
        ),
        "loose": make_touchpoint(
            world.alice,
            [world.ben],
            topic="Style guides",
            question="Which citation style does the journal want?",
            days_ago=20,
        ),
        "secret": make_touchpoint(
            world.alice,
            [world.ana],
            topic="Citing datasets privately",
            question="How to cite a dataset from Zenodo without the PI knowing?",
            confidential=True,
            days_ago=10,
        ),
        "bobs": make_touchpoint(
            world.bob,
            [world.hugo],
            topic="Citing datasets",
            question="How to cite a Zenodo dataset in APA style?",
            group=world.history,
            days_ago=5,
        ),
    }


def ids(found):
    return [s.touchpoint.pk for s in found]


def test_similar_finds_the_closest_past_question_first_with_its_answer(world, past):
    found = similar_questions(world.alice, "Cite a Zenodo dataset in APA?")

    assert ids(found)[0] == past["close"].pk
    assert found[0].touchpoint.answer == "Author, year, title, version, publisher, DOI."
    assert found[0].touchpoint.author == world.alice
    assert "<mark>" in str(found[0].snippet)


def test_similar_never_shows_confidential_not_even_the_authors_own(world, past):
    found = ids(similar_questions(world.alice, "cite a dataset from Zenodo privately"))

    assert past["secret"].pk not in found
    assert past["close"].pk in found


def test_similar_shows_only_what_the_viewer_may_read(world, past):
    assert past["bobs"].pk not in ids(similar_questions(world.alice, "Zenodo dataset APA"))
    assert ids(similar_questions(world.bob, "Zenodo dataset APA")) == [past["bobs"].pk]


def test_similar_leaves_out_the_touchpoint_itself(world, past):
    tp = past["close"]

    found = ids(similar_questions(world.alice, tp.question, exclude=[tp]))

    assert tp.pk not in found
    assert found == [past["loose"].pk]  # "cite"/"style" in its question; not the secret one


def test_similar_for_a_manager_or_empty_text_is_nothing(world, past):
    assert similar_questions(world.mia, "Zenodo dataset APA") == []
    assert similar_questions(world.alice, "the and of?") == []
    assert similar_questions(world.alice, '"*(-') == []


def test_similar_respects_the_limit(world, past):
    assert len(similar_questions(world.alice, "cite citation style dataset", limit=1)) == 1


@pytest.fixture
def crowded(world, monkeypatch):
    """Eight questions, oldest first: "search" in every one, "review" in every other one,
    "citation" in the three oldest, "drowning" in one. With SAMPLE 3 and COMMON 0.5, a word is
    common when its newest 3 matches lie within the newest 6 touchpoints."""
    monkeypatch.setattr(similar, "SAMPLE", 3)
    monkeypatch.setattr(similar, "COMMON", 0.5)
    made = []
    for n in range(8):
        words = ["search"]
        words += ["review"] if n % 2 else []
        words += ["citation"] if n < 3 else []
        words += ["drowning"] if n == 4 else []
        made.append(
            make_touchpoint(
                world.alice, [world.ana], topic="Question", question=" ".join(words), days_ago=9 - n
            )
        )
    if connection.vendor == "postgresql":  # its shares come from the planner's statistics
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE rapport_touchpoint")
        postgres.forget_statistics()
    yield made
    postgres.forget_statistics()  # this test's rows are rolled back; its statistics go too


def test_common_words_are_left_out(crowded):
    found = similar.informative(["drowning", "search", "citation", "review"])

    if connection.vendor == "sqlite":  # "review" crowds the newest rows
        assert found == ["drowning", "citation"]
    else:  # shares of all rows: "review" is in 4 of the 11, under half
        assert found == ["drowning", "citation", "review"]


def test_when_every_word_is_common_the_rarest_are_kept(crowded, monkeypatch):
    monkeypatch.setattr(similar, "KEEP_COMMON", 1)
    monkeypatch.setattr(similar, "COMMON", 0.3)  # "review" is common too, on both databases

    found = similar.informative(["search", "review"])

    assert found == ["review"]


def test_a_small_library_keeps_every_word(past):
    # Four questions: every word is in fewer than SAMPLE (1,000) of them.
    assert similar.informative(["zenodo", "dataset", "cite"]) == ["zenodo", "dataset", "cite"]


def test_a_common_word_alone_suggests_nothing_beside_a_rare_one(world, crowded):
    found = ids(similar_questions(world.alice, "search drowning"))

    assert found == [crowded[4].pk]
