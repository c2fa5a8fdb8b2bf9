"""The tolerant reader and the mapping to a person's fields, on each address book's quirks."""

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapport.contacts.mapping import Contact, to_contact
from rapport.contacts.reader import Card, Unreadable, read_cards
from tests.contacts.conftest import FIXTURES, fixture


def contacts(data: bytes) -> list[Contact | str]:
    out: list[Contact | str] = []
    for card in read_cards(io.BytesIO(data)):
        if isinstance(card, Unreadable):
            out.append(f"{card.number}: {card.message}")
            continue
        contact, reason = to_contact(card)
        out.append(contact if contact is not None else f"{card.number}: {reason}")
    return out


def one(name: str) -> Contact:
    [contact] = contacts(fixture(name).read_bytes())
    assert isinstance(contact, Contact)
    return contact


def test_outlook_21_windows_1252_quoted_printable_and_photo():
    assert one("outlook-2.1.vcf") == Contact(
        number=1,
        full_name="Renée Dupré",
        emails=["renee.dupre@northfield.example", "rdupre@chem.northfield.example"],
        job_title="Associate Professor",
        department="Department of Chemistry",
        building="Hamilton Hall",
        room="214",
        notes="Met at the “open science” café.\nPrefers e-mail.",
    )


def test_apple_30_groups_orcid_url_and_escapes():
    assert one("apple-3.0.vcf") == Contact(
        number=1,
        full_name="Dr. Keiko Nakamura",
        emails=["k.nakamura@northfield.example"],
        orcid="0000-0002-1825-0097",
        job_title="Research Fellow",
        department="Institute of Marine Science, Ecology Unit",
        building="Marine Lab",
        room="3.02",
        notes="Runs the coral survey.\nAsked about data management plans.",
        uid="5A9D2C1E-7F41-4E3B-9E0B-2D1F8C6A4B90",
    )


def test_google_30_two_emails_and_a_card_with_no_name():
    tomas, nameless = contacts(fixture("google-3.0.vcf").read_bytes())
    assert tomas == Contact(
        number=1,
        full_name="Tomás Ó Briain",
        emails=["tomas.obriain@northfield.example", "tobriain@mail.example"],
        job_title="PhD candidate",
        department="History",
    )
    assert nameless == Contact(
        number=2,
        full_name="lab.manager@northfield.example",
        emails=["lab.manager@northfield.example"],
        named=False,
        problems=["No name on the card; named after the e-mail address."],
    )


def test_android_21_utf8_soft_line_breaks():
    assert one("android-2.1.vcf") == Contact(
        number=1,
        full_name="Ana Šimunović",
        emails=["ana.simunovic@northfield.example"],
        department="Fakultet za fiziku – Optics Group",
        notes="Prefers a call before noon.\nŠalje podatke u Zenodo.",
    )


def test_thunderbird_40_pref_uid_and_tab_folding():
    assert one("thunderbird-4.0.vcf") == Contact(
        number=1,
        full_name="Priya Raman",
        emails=["priya.raman@northfield.example", "p.raman@eng.northfield.example"],
        job_title="Lecturer in Civil Engineering",
        department="School of Engineering",
        building="Engineering Building",
        room="E-117",
        notes="Teaches CIV-204 every spring; the library session is in week 3. Wants "
        "a LibGuide for the capstone projects.",
        uid="urn:uuid:4f0c7c1e-8d2b-4f6e-9a51-6b0e8b7c2d11",
    )


@pytest.mark.parametrize("name", ["utf16.vcf", "windows-1252.vcf"])
def test_odd_encodings_read_the_same(name):
    assert one(name) == Contact(
        number=1,
        full_name="Zoë Lefèvre",
        emails=["zoe.lefevre@northfield.example"],
        job_title="Maître de conférences",
    )


def test_utf16_big_endian_without_bom():
    data = "BEGIN:VCARD\r\nFN:Zoë\r\nEND:VCARD\r\n".encode("utf-16-be")
    assert [c.full_name for c in contacts(data)] == ["Zoë"]  # type: ignore[union-attr]


def test_bom_missing_version_bare_lf_and_x_orcid():
    assert one("bom-no-version.vcf") == Contact(
        number=1,
        full_name="Oskar Lindqvist",
        emails=["oskar.lindqvist@northfield.example"],
        orcid="0000-0001-5109-3700",
    )


def test_broken_file_salvages_what_parses_and_says_what_did_not():
    assert contacts(fixture("broken.vcf").read_bytes()) == [
        Contact(
            number=1,
            full_name="Good Card",
            emails=["good@northfield.example"],
            problems=["“this line has no colon” is not a property (no colon); left out."],
        ),
        "2: END:VCARD without BEGIN:VCARD; nothing to read.",
        Contact(
            number=3,
            full_name="Cut Short",
            problems=[
                "No END:VCARD before the next card; read up to it.",
                "“not-an-address” is not an e-mail address; left out.",
                "ORCID iD left out: “0000-0002-1825-0098” has a wrong check digit; "
                "please check the ORCID iD.",
            ],
        ),
        "4: No name and no e-mail address on the card; there is nobody to import.",
        Contact(
            number=5,
            full_name="Last One",
            problems=["The file ends inside this card (no END:VCARD); read what was there."],
        ),
    ]


def test_shared_sample_from_vobject_reads():
    # /work/shared/samples/vobject-testfiles/test_files/radicale-1587.vcf, tried by hand; its
    # name parts are what matter, so the same lines are written here.
    data = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Given Family\r\n"
        b"N:Family;Given;Additional;Prefix;Suffix\r\nGEO:37.386013;-122.082932\r\nEND:VCARD\r\n"
    )
    assert contacts(data) == [Contact(number=1, full_name="Given Family")]


def test_name_built_from_n_when_fn_is_missing():
    data = b"BEGIN:VCARD\r\nN:Family;Given;Additional;Prof.;PhD\r\nEND:VCARD\r\n"
    assert [c.full_name for c in contacts(data)] == ["Prof. Given Additional Family PhD"]  # type: ignore[union-attr]


def test_photo_is_skipped_without_holding_it(monkeypatch):
    # A 5 MB photo folded over 70,000 lines: no logical line ever holds it.
    photo = b"".join(b" " + b"A" * 74 + b"\r\n" for _ in range(70_000))
    data = (
        b"BEGIN:VCARD\r\nFN:Big Photo\r\nPHOTO;ENCODING=b;TYPE=JPEG:AAAA\r\n"
        + photo
        + b"EMAIL:p@x.example\r\nEND:VCARD\r\n"
    )
    [card] = list(read_cards(io.BytesIO(data)))
    assert isinstance(card, Card)
    assert [(p.name, p.value) for p in card.properties] == [
        ("FN", "Big Photo"),
        ("EMAIL", "p@x.example"),
    ]


def test_endless_line_is_cut_and_reported():
    data = b"BEGIN:VCARD\r\nFN:Long Note\r\nNOTE:" + b"x" * 600_000 + b"\r\nEND:VCARD\r\n"
    [card] = list(read_cards(io.BytesIO(data)))
    assert isinstance(card, Card)
    assert [p.name for p in card.properties] == ["FN"]
    assert card.problems == ["NOTE is too long; left out."]


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfe", b"hello world", b"<html><body>not a vcard</body></html>", b"\x00" * 100],
)
def test_not_a_vcard_gives_no_cards_and_no_crash(data):
    assert list(read_cards(io.BytesIO(data))) == []


def test_every_fixture_reads_without_raising():
    for path in sorted(FIXTURES.glob("*.vcf")):
        with path.open("rb") as stream:
            assert list(read_cards(stream)), path.name


def test_endless_line_in_utf16_is_cut_too():
    text = (
        "BEGIN:VCARD\r\nFN:Long\r\nNOTE:" + "y" * 300_000 + "\r\nEMAIL:l@x.example\r\nEND:VCARD\r\n"
    )
    [card] = list(read_cards(io.BytesIO(text.encode("utf-16"))))
    assert isinstance(card, Card)
    assert [p.name for p in card.properties] == ["FN", "EMAIL"]
    assert card.problems == ["NOTE is too long; left out."]


VCARDISH = st.lists(
    st.sampled_from(
        [
            b"BEGIN:VCARD",
            b"END:VCARD",
            b"VERSION:2.1",
            b"FN:A\\, B",
            b"N:;;;;",
            b"EMAIL;PREF;INTERNET:a@b.example",
            b"EMAIL:not an address",
            b"NOTE;ENCODING=QUOTED-PRINTABLE:caf=C3=A9=",
            b"ORG;CHARSET=x-unknown:Uni;Dept",
            b'ADR;TYPE="work,pref":;Hall, Room 1;;;;;',
            b"PHOTO;ENCODING=BASE64:AAAA",
            b" continued",
            b"\tfolded",
            b"",
            b"no colon here",
            b"item1.URL:https://orcid.org/0000-0002-1825-0097",
            b"X-ORCID:0000-0002-1825-009X",
            b"\x00\xff\xfe",
            b'KEY;X="unclosed:value',
        ]
    ),
    max_size=40,
)


@given(st.one_of(st.binary(max_size=2000), VCARDISH.map(b"\r\n".join)))
def test_reader_and_mapping_never_raise(data):
    for card in read_cards(io.BytesIO(data)):
        if isinstance(card, Card):
            contact, reason = to_contact(card)
            assert (contact is None) == bool(reason)
            if contact is not None:
                assert contact.full_name.strip() == contact.full_name != ""
        else:
            assert card.message
