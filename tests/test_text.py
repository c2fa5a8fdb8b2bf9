"""rapport.text: which characters no database can store, how that is said, and the property
that makes the check enough: whatever it lets through, both databases give back unchanged."""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rapport.errors import Invalid
from rapport.people.models import Person
from rapport.text import (
    UNSTORABLE,
    bad_character,
    bad_text_message,
    find_bad_text,
    first_bad_text,
    is_storable,
    printable,
    refuse_bad_text,
)
from rapport.touchpoints.models import Touchpoint

# Every code point, surrogates included (Hypothesis leaves them out unless asked), with the
# characters near the edge drawn often.
EDGES = "\x00 \x01 \x1f \x7f \ud800 \udbff \udc00 \udfff \ufffd \uffff \U0001f600 \U0010ffff"
ANY_CHARACTER = st.characters(exclude_categories=()) | st.sampled_from(
    [*EDGES.split(" "), " ", "\r", "\n", "\t", "'", '"', "\\", "%", "_"]
)
ANY_TEXT = st.text(ANY_CHARACTER, max_size=60)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", None),
        ("plain", None),
        ("tab\tnew\r\nline \x01\x1f\x7f", None),
        ("emoji \U0001f600 and \ufffd \uffff \U0010ffff", None),
        ("a\x00b", "a NUL byte"),
        ("\ud800", "a lone surrogate, U+D800"),
        ("x\udfff", "a lone surrogate, U+DFFF"),
        ("first \x00 then \udc80", "a NUL byte"),
    ],
)
def test_bad_character_names_the_first_unstorable_character(text, problem):
    assert bad_character(text) == problem


@given(text=ANY_TEXT)
def test_the_fast_check_agrees_with_the_plain_one(text):
    """is_storable (what importers run on every row) is the regular expression, only faster."""
    assert is_storable(text) == (UNSTORABLE.search(text) is None)


def test_find_bad_text_walks_json_and_names_the_path():
    data = {"people": [{"name": "ok"}, {"name": "b\x00d"}], "note": "fine"}

    assert find_bad_text(data) == ("people.1.name", "a NUL byte")
    assert find_bad_text({"ok": ["a", {"\ud800": 1}]}) == (
        "ok.1.\ud800",
        "a lone surrogate, U+D800",
    )
    assert find_bad_text({"n": 1, "b": True, "x": None, "l": [1.5]}) is None


def test_find_bad_text_survives_deep_nesting():
    deep: list = ["\x00"]
    for _ in range(5_000):
        deep = [deep]

    assert find_bad_text(deep) == (".".join(["0"] * 5_001), "a NUL byte")


def test_messages_name_the_field_and_can_themselves_be_stored():
    assert bad_text_message("a NUL byte", "q") == (
        "The text contains a character that cannot be stored (a NUL byte) in “q”."
    )
    assert bad_text_message("a NUL byte", None) == (
        "The text contains a character that cannot be stored (a NUL byte) in the address."
    )
    assert bad_text_message("a lone surrogate, U+D800", "a\ud800") == (
        "The text contains a character that cannot be stored (a lone surrogate, U+D800) in "
        "“a\ufffd”."
    )
    assert printable("a\x00b\ud800") == "a\ufffdb\ufffd"


def test_refuse_bad_text_raises_invalid_for_the_first_field():
    assert first_bad_text({"a": "fine", "b": ["x", 3]}) is None

    with pytest.raises(Invalid) as err:
        refuse_bad_text({"a": "fine", "tags": ["ok", "b\x00"], "c": "\ud800"})

    message = "The text contains a character that cannot be stored (a NUL byte) in “tags.1”."
    assert (err.value.message, err.value.fields) == (message, {"tags.1": [message]})


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT)
@example(text="\\u0000 and \\ud800 spelled out")  # what JSON would read as the characters
def test_text_is_refused_or_stored_unchanged(world, text):
    """On SQLite and PostgreSQL alike: a text column, a JSON column and a search-indexed name
    give back exactly what the check let through."""
    problem = bad_character(text)
    if problem is not None:
        with pytest.raises(Invalid):
            refuse_bad_text({"text": text})
        assert "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)
        return
    refuse_bad_text({"text": text})
    Person.objects.filter(pk=world.ana.pk).update(notes=text, full_name=text[:200])
    Touchpoint.objects.filter(pk=world.ana_question.pk).update(tags=[text], details={text: text})

    assert Person.objects.values_list("notes", "full_name").get(pk=world.ana.pk) == (
        text,
        text[:200],
    )
    assert Touchpoint.objects.values_list("tags", "details").get(pk=world.ana_question.pk) == (
        [text],
        {text: text},
    )
