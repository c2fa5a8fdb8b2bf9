"""The quick-capture line parser: every marker, every bad value, dates, and "nothing is lost".

Pure Python, no database: these run without Django settings.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.touchpoints.capture import (
    CHANNELS,
    INITIATORS,
    KINDS,
    ORIGINS,
    VIA,
    Capture,
    parse_capture,
)

MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=MADRID)  # a Wednesday


def parse(line: str, now: datetime = NOW) -> Capture:
    return parse_capture(line, now=now)


def assert_nothing_lost(line: str, cap: Capture) -> None:
    assert Counter(cap.consumed) + Counter(cap.text.split()) == Counter(line.split())


# --- the example from the brief ------------------------------------------------------------


def test_example_line_all_fields():
    line = (
        "@Ana Ruiz asked for PRISMA search strings for her scoping review "
        "#systematic-review ~20m read:4 via:walkby"
    )
    assert parse(line) == Capture(
        text="asked for PRISMA search strings for her scoping review",
        kind="hallway",
        kind_inferred=True,
        mentions=("Ana Ruiz",),
        tags=("systematic-review",),
        minutes=20,
        read_level=4,
        via="walkby",
        channel="in_person",
        origin="walkby",
        initiated_by="them",
        initiated_by_inferred=True,
        occurred_at=None,
        consumed=("@Ana", "Ruiz", "#systematic-review", "~20m", "read:4", "via:walkby"),
        problems=(),
    )


def test_plain_text_defaults():
    cap = parse("  checked   the  catalogue ")
    assert cap == Capture(text="checked the catalogue", kind="question", kind_inferred=True)


def test_empty_line_parses_to_nothing():
    assert parse("") == Capture()


def test_naive_now_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_capture("x", now=datetime(2026, 11, 25, 10, 0))


def test_constants_match_the_model_choices():
    assert KINDS == (
        "question", "consultation", "instruction", "meeting", "hallway", "email", "deliverable",
    )  # fmt: skip
    assert CHANNELS == ("in_person", "email", "chat", "phone", "video", "other")
    assert INITIATORS == ("them", "us")
    for channel, origin in VIA.values():
        assert channel is None or channel in CHANNELS
        assert origin is None or origin in ORIGINS


# --- mentions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "mentions", "text"),
    [
        ("@ana asked", ("ana",), "asked"),
        ("@ana.ruiz asked", ("ana.ruiz",), "asked"),
        ("@a.ruiz@uni.edu asked", ("a.ruiz@uni.edu",), "asked"),
        ("@Ana Ruiz asked", ("Ana Ruiz",), "asked"),
        ("@Ana de la Cruz asked", ("Ana de la Cruz",), "asked"),
        ("@Jean-Luc O'Neil asked", ("Jean-Luc O'Neil",), "asked"),
        ("@José Müller asked", ("José Müller",), "asked"),
        ("@Ana Maria Luisa Perez Gomez Diaz asked", ("Ana Maria Luisa Perez Gomez",), "Diaz asked"),
        ("@Ana de asked", ("Ana",), "de asked"),
        ("@Ana de", ("Ana",), "de"),
        ("@Ana Ruiz, Bob asked", ("Ana Ruiz",), "Bob asked"),
        ("met @Ana. She asked", ("Ana",), "met She asked"),
        ("@Ana NIH grant", ("Ana",), "NIH grant"),
        ("@Ana I think", ("Ana",), "I think"),
        ("@ana.ruiz Zotero", ("ana.ruiz",), "Zotero"),
    ],
)
def test_mention_forms_parsed(line, mentions, text):
    cap = parse(line)
    assert (cap.mentions, cap.text, cap.problems) == (mentions, text, ())


def test_mention_quoted_any_words():
    cap = parse('@"ana de la cruz" and @{Bob  the builder}, asked')
    assert cap.mentions == ("ana de la cruz", "Bob the builder")
    assert cap.consumed == ('@"ana', "de", "la", 'cruz"', "@{Bob", "the", "builder},")
    assert cap.text == "and asked"


def test_mention_quoted_typographic_quotes():
    assert parse("@“Ana de la Cruz” asked").mentions == ("Ana de la Cruz",)


def test_mention_several_keep_order_and_drop_duplicates():
    cap = parse("@Bob with @ana and @Ana, @carla.x then @BOB")
    assert cap.mentions == ("Bob", "ana", "carla.x")
    assert cap.text == "with and then"


def test_mention_unterminated_quote_is_problem():
    cap = parse('@"Ana de la Cruz asked')
    assert cap.mentions == ()
    assert cap.text == '@"Ana de la Cruz asked'
    assert cap.problems == ('@"Ana is missing its closing ".',)


def test_mention_empty_quote_is_problem():
    cap = parse("@{} asked")
    assert (cap.mentions, cap.text) == ((), "@{} asked")
    assert cap.problems == ("@{} names nobody.",)


@pytest.mark.parametrize("token", ["@", "@@", "@,", "@5pm", "@#x", "x@y.org"])
def test_mention_non_names_left_in_text(token):
    cap = parse(f"{token} asked")
    assert (cap.mentions, cap.text, cap.problems) == ((), f"{token} asked", ())


def test_mention_day_word_ends_name():
    cap = parse("@Ana Monday asked")
    assert cap.mentions == ("Ana",)
    assert cap.occurred_at == datetime(2026, 11, 23, 12, 0, tzinfo=MADRID)


# --- tags -----------------------------------------------------------------------------------


def test_tags_lowercased_stripped_deduplicated():
    cap = parse("#Zotero, #data/rdm #v1.2. #zotero #123 #_x # ##y")
    assert cap.tags == ("zotero", "data/rdm", "v1.2", "123")
    assert cap.text == "#_x # ##y"


# --- minutes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "minutes"),
    [
        ("~20m", 20), ("~20min", 20), ("~20", 20), ("~90", 90), ("~1h", 60), ("~1h30", 90),
        ("~1h30m", 90), ("~1.5h", 90), ("~1.1h", 66), ("~0.25H", 15), ("~24h", 1440),
        ("~45m,", 45),
    ],
)  # fmt: skip
def test_minutes_forms_parsed(token, minutes):
    cap = parse(f"helped {token}")
    assert (cap.minutes, cap.text, cap.consumed, cap.problems) == (minutes, "helped", (token,), ())


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("~9999m", "~9999m is longer than a day."),
        ("~25h", "~25h is longer than a day."),
        (
            "~99999999999999999999h",
            "~99999999999999999999h is longer than a day.",
        ),
        ("~0m", "~0m is not a positive duration."),
        ("~1h75", "~1h75 is not a duration like ~20m, ~1h30 or ~1.5h."),
        ("~20x", "~20x is not a duration like ~20m, ~1h30 or ~1.5h."),
    ],
)
def test_minutes_bad_value_is_problem(token, problem):
    cap = parse(f"helped {token}")
    assert (cap.minutes, cap.text, cap.problems) == (None, f"helped {token}", (problem,))


def test_minutes_tilde_word_is_prose():
    cap = parse("~approx ten people ~")
    assert (cap.minutes, cap.text, cap.problems) == (None, "~approx ten people ~", ())


def test_minutes_conflict_is_problem_same_value_is_not():
    cap = parse("~20m ~1h ~60")
    assert cap.minutes == 20
    assert cap.text == "~1h ~60"
    assert cap.problems == (
        "~1h conflicts with ~20m.",
        "~60 conflicts with ~20m.",
    )
    assert parse("~1h30 ~90m").consumed == ("~1h30", "~90m")


# --- read, via, kind, by --------------------------------------------------------------------


def test_read_level_case_insensitive_key():
    assert parse("READ:4").read_level == 4
    assert parse("read:6.").read_level == 6


@pytest.mark.parametrize("token", ["read:0", "read:9", "read:x", "READ:42"])
def test_read_level_out_of_scale_is_problem(token):
    cap = parse(f"helped {token}")
    assert (cap.read_level, cap.text) == (None, f"helped {token}")
    assert cap.problems == (f"{token} is not on the READ scale (1–6).",)


@pytest.mark.parametrize(
    ("value", "channel", "origin"),
    [
        ("walkby", "in_person", "walkby"), ("desk", "in_person", "desk"),
        ("meeting", "in_person", "scheduled"), ("email", "email", None), ("chat", "chat", None),
        ("phone", "phone", None), ("video", "video", None), ("routine", "in_person", "routine"),
        ("referral", None, "referral"), ("campaign", "email", "campaign"),
        ("alert", "email", "alert"),
    ],
)  # fmt: skip
def test_via_values_map_to_channel_and_origin(value, channel, origin):
    cap = parse(f"hello via:{value.upper()},")
    assert (cap.via, cap.channel, cap.origin, cap.text) == (value, channel, origin, "hello")


def test_via_unknown_is_problem():
    cap = parse("hello via:pigeon")
    assert (cap.via, cap.channel, cap.text) == (None, None, "hello via:pigeon")
    assert cap.problems == (
        (
            "via:pigeon is not one of walkby, desk, meeting, email, chat, phone, video, routine, "
            "referral, campaign, alert."
        ),
    )


def test_via_conflict_is_problem():
    cap = parse("via:desk via:chat via:desk")
    assert (cap.via, cap.text) == ("desk", "via:chat")
    assert cap.problems == ("via:chat conflicts with via:desk.",)


def test_kind_explicit_wins_over_inference():
    cap = parse("kind:Consultation taught a workshop via:walkby")
    assert (cap.kind, cap.kind_inferred, cap.text) == ("consultation", False, "taught a workshop")


def test_kind_unknown_is_problem():
    cap = parse("kind:chat hi")
    assert (cap.kind, cap.kind_inferred, cap.text) == ("question", True, "kind:chat hi")
    assert cap.problems == (
        (
            "kind:chat is not one of question, consultation, instruction, meeting, hallway, "
            "email, deliverable."
        ),
    )


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("taught a class via:walkby", "hallway"),
        ("sent the file via:email", "email"),
        ("consultation via:meeting", "meeting"),
        ("consulted on a workshop", "consultation"),
        ("Booked a consultation.", "consultation"),
        ("sent slides from the workshop", "instruction"),
        ("ran a training session", "instruction"),
        ("sent the search strategy", "deliverable"),
        ("shared: the LibGuide", "deliverable"),
        ("a classic question, presented", "question"),
        ("via:phone about APA", "question"),
    ],
)
def test_kind_inferred_in_order(line, kind):
    assert (parse(line).kind, parse(line).kind_inferred) == (kind, True)


def test_initiated_by_explicit():
    cap = parse("by:US asked")
    assert (cap.initiated_by, cap.initiated_by_inferred, cap.text) == ("us", False, "asked")


def test_initiated_by_unknown_is_problem():
    cap = parse("by:me")
    assert (cap.initiated_by, cap.text) == (None, "by:me")
    assert cap.problems == ("by:me is not one of them, us.",)


@pytest.mark.parametrize(
    ("line", "by"),
    [
        ("she asked about Scopus", "them"),
        ("Ana emailed me about data", "them"),
        ("came by for a chat", "them"),
        ("I told him about Zotero", "us"),
        ("followed up on the review", "us"),
        ("reached out, then she asked for more", "them"),
        ("I suggested Zotero via:walkby", "them"),
        ("asked via:desk", "them"),
        ("via:referral", "them"),
        ("she asked after the newsletter via:campaign", "us"),
        ("via:alert", "us"),
        ("stopped by", None),
        ("via:phone about APA", None),
    ],
)
def test_initiated_by_inferred_via_first_then_words(line, by):
    cap = parse(line)
    assert (cap.initiated_by, cap.initiated_by_inferred) == (by, by is not None)


# --- occurred_at ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("today", NOW),
        ("Today,", NOW),
        ("yesterday", datetime(2026, 11, 24, 12, 0, tzinfo=MADRID)),
        ("yesterday 14:00", datetime(2026, 11, 24, 14, 0, tzinfo=MADRID)),
        ("today 9am", datetime(2026, 11, 25, 9, 0, tzinfo=MADRID)),
        ("mon", datetime(2026, 11, 23, 12, 0, tzinfo=MADRID)),
        ("Monday 9:30am", datetime(2026, 11, 23, 9, 30, tzinfo=MADRID)),
        ("wed", datetime(2026, 11, 25, 12, 0, tzinfo=MADRID)),
        ("thu", datetime(2026, 11, 19, 12, 0, tzinfo=MADRID)),
        ("SUNDAY", datetime(2026, 11, 22, 12, 0, tzinfo=MADRID)),
        ("14:00", datetime(2026, 11, 25, 14, 0, tzinfo=MADRID)),
        ("2pm.", datetime(2026, 11, 25, 14, 0, tzinfo=MADRID)),
        ("12am", datetime(2026, 11, 25, 0, 0, tzinfo=MADRID)),
        ("12pm", datetime(2026, 11, 25, 12, 0, tzinfo=MADRID)),
        ("2026-11-20", datetime(2026, 11, 20, 12, 0, tzinfo=MADRID)),
        ("2026-11-20T14:05", datetime(2026, 11, 20, 14, 5, tzinfo=MADRID)),
        ("2026-11-20 14:05", datetime(2026, 11, 20, 14, 5, tzinfo=MADRID)),
        ("2pm yesterday", datetime(2026, 11, 24, 14, 0, tzinfo=MADRID)),
        ("2030-01-01", datetime(2030, 1, 1, 12, 0, tzinfo=MADRID)),  # future: service's job
    ],
)
def test_occurred_at_tokens(line, expected):
    cap = parse(f"met Ana {line}")
    assert cap.occurred_at == expected
    assert cap.occurred_at.tzinfo is MADRID or cap.occurred_at is NOW
    assert (cap.text, cap.consumed, cap.problems) == ("met Ana", tuple(line.split()), ())


def test_occurred_at_at_before_time_is_consumed():
    cap = parse("yesterday she asked at 3pm about APA")
    assert cap.occurred_at == datetime(2026, 11, 24, 15, 0, tzinfo=MADRID)
    assert cap.text == "she asked about APA"
    assert parse("looked at it").text == "looked at it"


def test_occurred_at_only_first_day_word_counts():
    cap = parse("mon sat with her, sun was out")
    assert cap.occurred_at == datetime(2026, 11, 23, 12, 0, tzinfo=MADRID)
    assert (cap.text, cap.problems) == ("sat with her, sun was out", ())


def test_occurred_at_invalid_times_are_prose():
    cap = parse("25:00 13pm 9:75")
    assert (cap.occurred_at, cap.text, cap.problems) == (None, "25:00 13pm 9:75", ())


@pytest.mark.parametrize("token", ["2026-02-30", "2026-13-01", "2026-11-20T25:00"])
def test_occurred_at_invalid_iso_is_problem(token):
    cap = parse(f"met {token}")
    assert (cap.occurred_at, cap.text) == (None, f"met {token}")
    assert cap.problems == (f"{token} is not a valid date.",)


def test_occurred_at_second_iso_date_is_problem():
    cap = parse("yesterday 2026-11-20")
    assert cap.occurred_at == datetime(2026, 11, 24, 12, 0, tzinfo=MADRID)
    assert cap.problems == ("2026-11-20 conflicts with yesterday.",)


def test_occurred_at_uses_nows_zone_not_utc():
    late = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # already Thursday in Madrid
    assert parse("today", late.astimezone(MADRID)).occurred_at == late
    assert parse("yesterday", late.astimezone(MADRID)).occurred_at == datetime(
        2026, 11, 25, 12, 0, tzinfo=MADRID
    )
    fixed = timezone(timedelta(hours=-5))
    assert parse("9am", late.astimezone(fixed)).occurred_at == datetime(
        2026, 11, 25, 9, 0, tzinfo=fixed
    )


def test_occurred_at_dst_gap_moves_forward():
    """02:30 does not exist on 2026-03-29 in Madrid (clocks jump 02:00 -> 03:00).

    The parser reads it with the winter offset and normalises, so it becomes 03:30 summer time:
    an aware datetime, no exception.
    """
    now = datetime(2026, 3, 30, 10, 0, tzinfo=MADRID)
    at = parse("yesterday 02:30", now).occurred_at
    assert at == datetime(2026, 3, 29, 3, 30, tzinfo=MADRID)
    assert at.utcoffset() == timedelta(hours=2)
    assert at.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_occurred_at_dst_overlap_takes_first():
    """02:30 happens twice on 2026-10-25 in Madrid; the first (summer time) one is taken."""
    now = datetime(2026, 10, 26, 10, 0, tzinfo=MADRID)
    at = parse("yesterday 02:30", now).occurred_at
    assert at.utcoffset() == timedelta(hours=2)
    assert at.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_occurred_at_extreme_years_do_not_raise():
    assert parse("0001-01-01 00:00").occurred_at == datetime(1, 1, 1, tzinfo=MADRID)
    assert parse("9999-12-31 23:59").occurred_at.year == 9999


# --- robustness -----------------------------------------------------------------------------


def test_long_and_hostile_lines_do_not_raise():
    for line in ('@"a ' * 25_000, "x" * 100_000, "@Ana " * 20_000, "\x00\x1f\u2028@\u0301 #"):
        cap = parse(line)
        assert_nothing_lost(line, cap)


TIMEZONES = [MADRID, ZoneInfo("America/New_York"), ZoneInfo("Pacific/Kiritimati"), UTC]
NOWS = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(TIMEZONES),
)
REALISTIC = [
    "@Ana", "Ruiz", "@ana.ruiz", "@a.ruiz@uni.edu", '@"Ana', 'Cruz"', "@{bob", "smith}", "de",
    "la", "Cruz,", "#tag", "#Systematic-Review.", "#", "~20m", "~1h30", "~1.5h", "~9999m", "~0",
    "~x", "read:4", "read:9", "READ:1", "via:walkby,", "via:email", "via:nope", "kind:meeting",
    "kind:x", "by:us", "by:me", "today", "yesterday", "mon", "Sunday", "sat", "2026-11-20",
    "2026-02-30", "2026-11-20T14:05", "14:00", "9:30am", "2pm", "at", "asked", "sent",
    "workshop", "consultation", "came", "by", "emailed", "me", ",", ".", "@", "\u0301",
    "+request", "+Request,", "+1", "due:fri", "due:tomorrow", "due:2026-12-01", "due:3d",
    "due:in", "3", "days", "due:x", "due:2026-02-30", "tomorrow", "Tomorrow.", "next", "week",
    "week.",
]  # fmt: skip
WORDS = st.one_of(st.sampled_from(REALISTIC), st.text(min_size=1, max_size=8))
LINES = st.lists(st.tuples(WORDS, st.sampled_from([" ", "  ", "\t", "\n"])), max_size=30).map(
    lambda parts: "".join(word + gap for word, gap in parts)
)


def check_invariants(line: str, cap: Capture) -> None:
    assert_nothing_lost(line, cap)
    assert cap.minutes is None or 1 <= cap.minutes <= 24 * 60
    assert cap.read_level is None or 1 <= cap.read_level <= 6
    assert cap.kind in KINDS
    assert cap.channel is None or cap.channel in CHANNELS
    assert cap.origin is None or cap.origin in ORIGINS
    assert cap.initiated_by is None or cap.initiated_by in INITIATORS
    assert cap.occurred_at is None or cap.occurred_at.utcoffset() is not None
    assert all(m and m.strip() == m for m in cap.mentions)
    assert len({m.casefold() for m in cap.mentions}) == len(cap.mentions)
    assert all(t and t == t.lower() for t in cap.tags)
    assert len(set(cap.tags)) == len(cap.tags)
    assert all(p.endswith(".") for p in cap.problems)
    assert cap.due_on is None or cap.request  # a due date never lands without +request
    # A word for a day to come is either the request's due date or left in the text.
    assert cap.later is None or (not cap.request and all(w in cap.text for w in cap.later.split()))
    assert (cap.later is None) == (cap.later_on is None)


@settings(max_examples=200, deadline=None)
@given(line=st.text(), now=NOWS)
def test_property_arbitrary_text_never_raises_and_loses_nothing(line, now):
    check_invariants(line, parse(line, now))


@settings(max_examples=200, deadline=None)
@given(line=LINES, now=NOWS)
def test_property_grammar_lines_never_raise_and_lose_nothing(line, now):
    check_invariants(line, parse(line, now))


def test_every_day_word_also_ends_a_name():
    from rapport.people.mentions import DAY_WORDS
    from rapport.touchpoints import capture

    assert set(capture._DAY_WORDS) | {"tomorrow"} == DAY_WORDS
    assert [w for w in capture._LATER if " " not in w] == ["tomorrow"]
