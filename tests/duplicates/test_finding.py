"""Names, evidence, scores and blocking: pure functions, no database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapport.duplicates import finding
from rapport.duplicates.finding import (
    Found,
    PersonRow,
    blocks,
    candidate_pairs,
    find,
    row_of,
    weigh,
)
from rapport.duplicates.names import blocking_words, compare_names, fold, name_tokens


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("Ana Ruiz", ("ana", "ruiz")),
        ("Ruiz, Ana M.", ("ana", "m", "ruiz")),
        ("Dr. Lucía Ó'Brien-Díaz", ("lucia", "obrien", "diaz")),
        ("  SØREN   Dahl PhD ", ("soren", "dahl")),
        ("J.R.R. Tolkien", ("j", "r", "r", "tolkien")),
        ("", ()),
    ],
)
def test_name_tokens(name, tokens):
    assert name_tokens(name) == tokens


@pytest.mark.parametrize(
    ("a", "b", "verdict"),
    [
        ("Ana Ruiz", "ana ruiz", "same"),
        ("Ana Ruiz", "Ruiz, Ana", "same"),
        ("José Núñez", "Jose Nunez", "same"),
        ("Ana Ruiz", "Ana M. Ruiz", "similar"),
        ("Ana Ruiz", "A. Ruiz", "similar"),
        ("Ruiz, A. M.", "Ana María Ruiz", "similar"),
        ("Bill Evans", "William Evans", "similar"),
        ("Katarzyna Kowalski", "Katarzyna Kowalsky", "similar"),
        ("Ana Ruiz", "Ana Lopez", ""),
        ("Ana Ruiz", "Ben Ruiz", ""),
        ("A. R.", "Ana Ruiz", ""),
        ("Li Wei", "Li Wen", ""),
        ("", "Ana Ruiz", ""),
    ],
)
def test_compare_names(a, b, verdict):
    assert compare_names(a, b) == verdict
    assert compare_names(b, a) == verdict


def test_blocking_words_are_full_words_in_canonical_form():
    assert blocking_words("Bill J. Evans") == {"william", "evans"}
    assert fold("Zoë Ångström") == "zoe angstrom"


def person(pk, name, *, email="", other=(), orcid="", directory="", dept=""):
    return row_of(pk, name, email, list(other), orcid, directory, dept)


def test_same_email_in_any_field_and_case():
    a = person(1, "Ana Ruiz", email="ana@x.edu")
    b = person(2, "Ana M. Ruiz", email="a.ruiz@y.edu", other=["ANA@X.EDU"])

    assert weigh(a, b) == Found(
        1, 2, 75, ["same e-mail ana@x.edu", "names 'Ana Ruiz' and 'Ana M. Ruiz'"]
    )


def test_same_orcid():
    a = person(1, "Ana Ruiz", orcid="0000-0002-1825-0097")
    b = person(2, "A. Ruiz", orcid="0000-0002-1825-0097")

    assert weigh(a, b) == Found(
        1, 2, 85, ["same ORCID 0000-0002-1825-0097", "names 'Ana Ruiz' and 'A. Ruiz'"]
    )


def test_same_directory_id_ignores_case_and_spaces():
    a = person(2, "Hugo Marsh", directory=" HM123 ")
    b = person(1, "Marsh, Hugo", directory="hm123")

    assert weigh(a, b) == Found(
        1, 2, 95, ["same directory id hm123", "same name 'Hugo Marsh' and 'Marsh, Hugo'"]
    )


def test_similar_name_and_same_department():
    a = person(1, "Ana Ruiz", dept="Chemistry")
    b = person(2, "Ana M. Ruiz", dept=" chemistry ")

    assert weigh(a, b) == Found(
        1, 2, 40, ["names 'Ana Ruiz' and 'Ana M. Ruiz'", "same department Chemistry"]
    )


def test_conflicting_ids_outweigh_a_shared_mailbox():
    a = person(1, "Ana Ruiz", email="lab@x.edu", orcid="0000-0002-1825-0097")
    b = person(2, "Ben Okafor", email="lab@x.edu", orcid="0000-0001-5109-3700")

    pair = weigh(a, b)

    assert pair.score == 0
    assert pair.evidence == [
        "same e-mail lab@x.edu",
        "different ORCIDs 0000-0002-1825-0097 and 0000-0001-5109-3700",
        "different names 'Ana Ruiz' and 'Ben Okafor'",
    ]


def test_same_email_with_different_names_is_proposed_at_the_threshold():
    pair = weigh(person(1, "Ana Ruiz", email="a@x.edu"), person(2, "Ana Lopez", email="a@x.edu"))

    assert pair.score == finding.MIN_SCORE


def test_the_same_name_in_different_departments_is_not_a_candidate():
    rows = [person(1, "Maria Garcia", dept="History"), person(2, "Maria Garcia", dept="Physics")]

    assert find(rows) == []


def test_blocks_file_people_under_each_key():
    rows = [
        person(1, "Ana Ruiz", email="ana@x.edu", dept="Chemistry"),
        person(2, "Ana M. Ruiz", other=["ana@x.edu"], dept="Chemistry"),
        person(3, "Ben Ruiz", dept="Chemistry"),
    ]

    assert blocks(rows) == {
        ("email", "ana@x.edu"): [1, 2],
        ("name", "chemistry|ana"): [1, 2],
        ("name", "chemistry|ruiz"): [1, 2, 3],
    }


def test_a_key_shared_by_many_is_not_evidence():
    rows = [person(k, f"Person {k}", email="info@x.edu") for k in range(1, 8)]

    assert candidate_pairs(blocks(rows)) == set()


def test_find_ranks_pairs_and_skips_those_marked_not_duplicates():
    rows = [
        person(1, "Ana Ruiz", email="ana@x.edu", dept="Chemistry"),
        person(2, "Ana M. Ruiz", email="ana@x.edu", dept="Chemistry"),
        person(3, "Ben Okafor", orcid="0000-0001-5109-3700"),
        person(4, "B. Okafor", orcid="0000-0001-5109-3700"),
        person(5, "Carla Diaz", email="carla@x.edu"),
    ]
    seen = []

    found = find(rows, progress=lambda done, total: seen.append((done, total)))

    assert [(p.a, p.b, p.score) for p in found] == [(1, 2, 90), (3, 4, 85)]
    assert seen[-1] == (2, 2)  # pairs weighed: 1-2 (e-mail, name words) and 3-4 (ORCID)
    assert [(p.a, p.b) for p in find(rows, skip={(1, 2)})] == [(3, 4)]


FIRST = st.sampled_from(["Ana", "Lucía", "José", "Søren", "Niamh", "Wei", "Chukwuemeka"])
LAST = st.sampled_from(["Ruiz", "Núñez", "de la Cruz", "Okafor", "Bergström", "O'Brien"])


@given(
    first=FIRST,
    last=LAST,
    variant=st.sampled_from(["comma", "initial", "middle", "upper", "ascii"]),
)
def test_a_variant_of_a_name_in_the_same_department_is_always_found(first, last, variant):
    name = f"{first} {last}"
    other = {
        "comma": f"{last}, {first}",
        "initial": f"{first[0]}. {last}",
        "middle": f"{first} Q. {last}",
        "upper": name.upper(),
        "ascii": fold(name).title(),
    }[variant]
    rows = [
        PersonRow(1, name, department="Chemistry"),
        PersonRow(2, other, department="Chemistry"),
        PersonRow(3, "Someone Else", department="Chemistry"),
    ]

    assert [(p.a, p.b) for p in find(rows)] == [(1, 2)]


def test_a_key_shared_by_five_is_still_evidence_and_by_six_is_not():
    five = [person(k, f"Person {k}", email="lab@x.edu") for k in range(1, 6)]
    six = [*five, person(6, "Person 6", email="lab@x.edu")]

    assert len(candidate_pairs(blocks(five))) == 10
    assert candidate_pairs(blocks(six)) == set()


NAMES = st.sampled_from(["Ana Ruiz", "Ruiz, Ana", "A. Ruiz", "Ana M. Ruiz", "Ben Okafor", "B. O."])
EMAILS = st.lists(st.sampled_from(["a@x.edu", "A@X.EDU", "b@x.edu"]), max_size=2)
IDS = st.sampled_from(["", "0000-0002-1825-0097", "0000-0001-5109-3700"])


@given(
    names=st.tuples(NAMES, NAMES),
    emails=st.tuples(EMAILS, EMAILS),
    orcids=st.tuples(IDS, IDS),
    depts=st.tuples(
        st.sampled_from(["", "Chemistry", "chemistry "]), st.sampled_from(["", "Chemistry"])
    ),
)
def test_weighing_does_not_depend_on_the_order_of_the_two(names, emails, orcids, depts):
    a = person(1, names[0], other=emails[0], orcid=orcids[0], dept=depts[0])
    b = person(2, names[1], other=emails[1], orcid=orcids[1], dept=depts[1])

    one, other = weigh(a, b), weigh(b, a)

    assert (one.a, one.b, one.score) == (other.a, other.b, other.score)
    assert 0 <= one.score <= 100
