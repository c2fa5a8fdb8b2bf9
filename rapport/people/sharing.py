"""Who becomes a librarian's contact, and sharing a person with a colleague.

The rule (see "Knowing an address is not a key to others' history" in people/queries.py):
working with someone makes them your contact unless colleagues have them and you do not; then
a colleague who has them, or an administrator, shares them with you.
"""

from collections.abc import Iterable

from django.db import transaction

from rapport.accounts.models import User
from rapport.accounts.queries import access_librarian
from rapport.accounts.roles import require_librarian
from rapport.audit.services import record
from rapport.errors import Invalid
from rapport.people.models import Person
from rapport.people.queries import access_person, contacts_to_keep, reached_by

Contact = Person.contacts.through


def add_contacts(*, by: User, people: Iterable[Person]) -> list[Person]:
    """Make `by` a contact of the people they worked with, as far as the rule lets them;
    returns the people withheld (colleagues have them), whom `by` may be told about."""
    people = list(dict.fromkeys(people))
    keep, withheld = contacts_to_keep((p.pk, by.pk) for p in people)
    Contact.objects.bulk_create(
        [Contact(person_id=p, user_id=u) for p, u in sorted(keep)], ignore_conflicts=True
    )
    return [p for p in people if p.pk in withheld]


def colleagues_with(person: Person, *, but: User) -> int:
    """How many librarians other than `but` have this person in their reach."""
    return len(reached_by([person.pk])[person.pk] - {but.pk})


@transaction.atomic
def share_person(*, by: User, person: Person, librarian: User) -> bool:
    """Let a colleague reach a person (their page and the history logged about them), as a
    contact. Whoever has the person (or an administrator) may share; returns False when the
    colleague had them already."""
    require_librarian(by, to="share people")
    person = access_person(by, person.pk, for_write=True)
    librarian = access_librarian(by, librarian.pk)
    if librarian.is_manager:
        raise Invalid("Managers see aggregate figures only; share with a librarian.")
    if librarian.pk in reached_by([person.pk])[person.pk]:
        return False
    Contact.objects.bulk_create(
        [Contact(person_id=person.pk, user_id=librarian.pk)], ignore_conflicts=True
    )
    record(
        actor=by,
        action="share",
        obj=person,
        summary=f"Shared {person.full_name} with {librarian.display_name}",
        changes={"shared_with": librarian.pk},
    )
    return True
