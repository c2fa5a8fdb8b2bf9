"""Similar past questions: the closest earlier touchpoints a viewer may read, never a
confidential one, never the touchpoint itself."""

import pytest

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

    found = ids(similar_questions(world.alice, tp.question, exclude_touchpoint=tp))

    assert tp.pk not in found
    assert found == [past["loose"].pk]  # "cite"/"style" in its question; not the secret one


def test_similar_for_a_manager_or_empty_text_is_nothing(world, past):
    assert similar_questions(world.mia, "Zenodo dataset APA") == []
    assert similar_questions(world.alice, "the and of?") == []
    assert similar_questions(world.alice, '"*(-') == []


def test_similar_respects_the_limit(world, past):
    assert len(similar_questions(world.alice, "cite citation style dataset", limit=1)) == 1
