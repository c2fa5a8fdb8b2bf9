"""vCard 4.0 out: strict against RFC 6350 (our own check) and read back by vobject."""

import datetime as dt

import pytest
import vobject

from rapport.contacts.writer import card_lines, escape, fold, own_person_id, person_uid, write_cards
from rapport.people.models import Person
from tests.contacts.strict import NotStrict, check


def awkward(**fields) -> Person:
    values = {
        "pk": 42,
        "full_name": "Zoë “Zed” O'Neil-Ångström, Jr.; 王小明 🧪",
        "email": "zoe@uni.example",
        "other_emails": ["z.oneil@lab.example", "zed@home.example"],
        "orcid": "0000-0002-1825-0097",
        "directory_id": "E12,345;6\\7",
        "job_title": "Head of Ångström Lab; PI, Chemistry",
        "department": "Chemistry, Biology; and Physics",
        "building": "Main Hall, West Wing",
        "room": "2.14; back",
        "notes": "Line one,\nline two; with \\ backslash\r\nand a very long line " + "é" * 80,
        "updated_at": dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
    }
    values.update(fields)
    return Person(**values)


def test_card_is_strict_and_in_order():
    data = b"".join(write_cards([awkward()]))
    [card] = check(data)
    names = [name for name, _, _ in card]
    assert names == [
        "VERSION", "PRODID", "UID", "FN", "N", "EMAIL", "EMAIL", "EMAIL", "TITLE", "ORG",
        "ADR", "URL", "X-DIRECTORY-ID", "NOTE", "REV",
    ]  # fmt: skip
    assert data.startswith(b"BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert {n: v for n, _, v in card}["REV"] == "20260301T093000Z"


def test_vobject_reads_back_every_value():
    data = b"".join(write_cards([awkward()])).decode("utf-8")
    card = vobject.readOne(data, validate=True)
    assert card.fn.value == "Zoë “Zed” O'Neil-Ångström, Jr.; 王小明 🧪"
    assert [e.value for e in card.email_list] == [
        "zoe@uni.example",
        "z.oneil@lab.example",
        "zed@home.example",
    ]
    assert card.email.params["PREF"] == ["1"]
    assert card.title.value == "Head of Ångström Lab; PI, Chemistry"
    assert card.org.value == ["", "Chemistry, Biology; and Physics"]
    assert card.adr.value.extended == ["Main Hall, West Wing", "Room 2.14; back"]
    assert card.url.value == "https://orcid.org/0000-0002-1825-0097"
    assert card.contents["x-directory-id"][0].value == "E12,345;6\\7"
    assert card.note.value == (
        "Line one,\nline two; with \\ backslash\nand a very long line " + "é" * 80
    )
    assert card.uid.value == person_uid(42)


def test_fold_never_splits_a_utf8_sequence():
    line = "NOTE:" + "a" + "🧪" * 40 + "é" * 50
    folded = fold(line)
    physical = folded.split(b"\r\n")[:-1]
    assert all(len(p) <= 75 for p in physical)
    for p in physical:
        p.decode("utf-8")  # raises if a sequence was split
    assert b"".join(p[1:] if i else p for i, p in enumerate(physical)).decode() == line


def test_fold_leaves_short_lines_alone():
    assert fold("FN:" + "x" * 72) == b"FN:" + b"x" * 72 + b"\r\n"
    assert fold("FN:" + "x" * 73) == b"FN:" + b"x" * 72 + b"\r\n x\r\n"


def test_escape_commas_semicolons_backslashes_newlines_and_controls():
    assert escape("a,b;c\\d\ne\r\nf\rg\x00h\ti") == "a\\,b\\;c\\\\d\\ne\\nf\\ng" + "h\ti"


def test_minimal_person_has_fn_uid_rev_and_nothing_empty():
    person = Person(pk=7, full_name="Solo", updated_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    assert card_lines(person) == [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "PRODID:-//Rapport//vCard export//EN",
        f"UID:{person_uid(7)}",
        "FN:Solo",
        "N:Solo;;;;",
        "REV:20260102T000000Z",
        "END:VCARD",
    ]


def test_own_uid_names_the_person_only_in_this_rapport(settings):
    uid = person_uid(123456)
    assert own_person_id(uid) == 123456
    assert own_person_id("urn:uuid:4f0c7c1e-8d2b-4f6e-9a51-6b0e8b7c2d11") is None
    assert own_person_id("not a uuid") is None
    settings.SECRET_KEY = "another rapport"
    assert own_person_id(uid) is None


@pytest.mark.parametrize(
    ("data", "fault"),
    [
        (b"BEGIN:VCARD\nVERSION:4.0\r\nFN:x\r\nEND:VCARD\r\n", "a bare CR or LF"),
        (b"BEGIN:VCARD\r\nFN:x\r\nVERSION:4.0\r\nEND:VCARD\r\n", "VERSION:4.0 must come"),
        (b"BEGIN:VCARD\r\nVERSION:4.0\r\nEND:VCARD\r\n", "no FN"),
        (b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:a,b\r\nEND:VCARD\r\n", "unescaped comma"),
        (b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:" + b"x" * 80 + b"\r\nEND:VCARD\r\n", "octets"),
        (b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:a\\tb\r\nEND:VCARD\r\n", "bad escape"),
    ],
)
def test_strict_check_catches_faults(data, fault):
    with pytest.raises(NotStrict, match=fault):
        check(data)
