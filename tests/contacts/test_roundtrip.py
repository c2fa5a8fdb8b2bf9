"""Property: exporting people as vCard 4.0 and importing the file back loses nothing vCard
carries (name, e-mail addresses, ORCID iD, directory id, title, department, building, room,
notes), for awkward text: commas, semicolons, backslashes, line breaks, any script, emoji."""

import io
import string

import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.contacts.importer import Importer
from rapport.contacts.reader import read_cards
from rapport.contacts.writer import write_cards
from rapport.people.models import Person
from rapport.people.services import create_person
from tests.contacts.strict import check

FIELDS = (
    "full_name", "email", "other_emails", "orcid", "directory_id", "job_title", "department",
    "building", "room", "notes",
)  # fmt: skip

# Any character a librarian could type: no surrogates or control characters other than tab
# and line feed (a form gives CR LF, which vCard writes as one line break).
CHARS = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(",;:\\\"'\n\t =")


def text(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    return (
        st.text(CHARS, min_size=min_size, max_size=max_size)
        .map(str.strip)
        .filter(lambda s: len(s) >= min_size)
    )


def orcid_from(digits: str) -> str:
    total = 0
    for ch in digits:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    full = digits + ("X" if check == 10 else str(check))
    return "-".join(full[i : i + 4] for i in range(0, 16, 4))


local = st.text(string.ascii_lowercase + string.digits + "._+-", min_size=1, max_size=20).filter(
    lambda s: s[0] not in ".-+" and s[-1] != "." and ".." not in s
)
emails = st.builds(
    lambda user, host: f"{user}@{host}.example",
    local,
    st.text(string.ascii_lowercase, min_size=1, max_size=12),
)
people = st.fixed_dictionaries(
    {
        "full_name": text(200, min_size=1).map(lambda s: " ".join(s.split())).filter(bool),
        "emails": st.lists(emails, max_size=3, unique=True),
        "orcid": st.one_of(
            st.just(""), st.text("0123456789", min_size=15, max_size=15).map(orcid_from)
        ),
        "directory_id": text(100),
        "job_title": text(200),
        "department": text(200),
        "building": text(100),
        "room": text(50),
        "notes": text(2000),
    }
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(people, min_size=1, max_size=4))
def test_export_then_import_is_lossless(world, generated):
    Person.objects.filter(created_by=world.alice).delete()
    taken: set[str] = {
        "ana.ruiz@uni.example",
        "ben@uni.example",
        "hugo@uni.example",
        "carla@uni.example",
    }
    made = []
    for values in generated:
        values = dict(values)
        addresses = [e for e in values.pop("emails") if e not in taken]
        taken.update(addresses)
        # Two people with the same ORCID or directory id would be one person to an import.
        if values["orcid"] in taken:
            values["orcid"] = ""
        if values["directory_id"] in taken:
            values["directory_id"] = ""
        taken.update(v for v in (values["orcid"], values["directory_id"]) if v)
        made.append(
            create_person(
                by=world.alice,
                email=addresses[0] if addresses else "",
                other_emails=addresses[1:],
                **values,
            )
        )
    expected = [{name: getattr(p, name) for name in FIELDS} for p in made]

    data = b"".join(write_cards(made))
    check(data)
    assert [c.fn.value for c in vobject.readComponents(data.decode())] == [
        p.full_name for p in made
    ]
    Person.objects.filter(pk__in=[p.pk for p in made]).delete()
    report = Importer(world.alice).run(read_cards(io.BytesIO(data)))

    assert (report.created, report.failed) == (len(made), 0)
    back = Person.objects.filter(pk__in=report.created_ids).order_by("pk")
    assert [{name: getattr(p, name) for name in FIELDS} for p in back] == expected
