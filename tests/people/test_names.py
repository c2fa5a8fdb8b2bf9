"""Name matching's one home: how a mention is written and read, and who it finds."""

import pytest
from django.core.exceptions import ValidationError

from rapport.people.mentions import mention_for, split_mentions
from rapport.people.names import choices_for, one_person, people_from_mentions, suggest
from tests.factories import make_person


@pytest.mark.parametrize(
    ("name", "mention"),
    [
        ("Ana Ruiz", "@Ana Ruiz"),
        ("Ana de la Cruz", "@Ana de la Cruz"),
        ("ana van dijk", '@"ana van dijk"'),
        ('Jo "JJ" Lee', '@{Jo "JJ" Lee}'),
    ],
)
def test_a_mention_reads_the_whole_name_back(name, mention):
    assert mention_for(name) == mention
    assert split_mentions(mention)[0] == (name,)


def test_split_mentions_keeps_the_rest_and_the_problems():
    assert split_mentions('@Ana Ruiz and @ana.ruiz@uni.example @"bob') == (
        ("Ana Ruiz", "ana.ruiz@uni.example"),
        'and @"bob',
        ('@"bob is missing its closing ".',),
    )


def test_people_from_mentions_finds_them_or_says_what_is_wrong(world):
    assert people_from_mentions(world.alice, "@Ana Ruiz @ben@uni.example") == [world.ana, world.ben]
    with pytest.raises(ValidationError) as err:
        people_from_mentions(world.alice, "@Ana Ruiz and Ben")
    assert err.value.messages == [
        "“and Ben” is not a person: write each one as @Name, "
        'or @"name with spaces" when it has lower-case words.'
    ]
    with pytest.raises(ValidationError) as err:
        people_from_mentions(world.alice, "@Hugo Marsh")  # bob's, not alice's
    assert err.value.messages == [
        "No one called “Hugo Marsh” yet: create them, or check the spelling."
    ]


def test_one_person_takes_a_name_with_or_without_the_at(world):
    assert one_person(world.alice, "Ana Ruiz") == world.ana
    assert one_person(world.alice, "@ana.ruiz@uni.example") == world.ana


def test_namesakes_are_offered_by_e_mail(world):
    other = make_person("Ana Ruiz", groups=[world.chem], email="other.ana@uni.example")

    choices = choices_for("@Ana Ruiz asked", {"Ana Ruiz": [world.ana, other]})
    offered = suggest(world.alice, "ana ruiz", 8)

    assert choices == [
        (
            "Ana Ruiz",
            [
                (world.ana, "@ana.ruiz@uni.example asked"),
                (other, "@other.ana@uni.example asked"),
            ],
        )
    ]
    assert sorted(s["mention"] for s in offered) == [
        "@ana.ruiz@uni.example",
        "@other.ana@uni.example",
    ]
