"""Property: whatever a librarian types into a person's fields comes back unchanged from a
CSV export read with the `csv` module (byte-order mark dropped, formula guard undone)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.people.models import Person
from tests.exports.conftest import csv_rows, download
from tests.factories import make_person

# What a text field can hold in both databases: no NUL (PostgreSQL refuses it), no lone
# surrogates (not UTF-8).
typed = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=200
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=typed.filter(str.strip), title=typed, department=typed, room=typed)
def test_people_export_round_trips_what_was_typed(client, world, name, title, department, room):
    person = make_person(
        name, groups=[world.chem], job_title=title, department=department, room=room[:50]
    )

    rows = csv_rows(download(client, world.alice, "people"))

    (row,) = [r for r in rows[1:] if r[0] == str(person.pk)]
    assert [row[1], row[7], row[8], row[10]] == [name, title, department, room[:50]]
    Person.objects.filter(pk=person.pk).delete()
