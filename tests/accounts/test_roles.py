"""The one check by which the write services refuse a manager, and its exact words."""

import pytest

from rapport.accounts.roles import require_librarian
from rapport.audit.models import AuditEntry
from rapport.errors import Forbidden
from rapport.relationships import services as relationships
from rapport.relationships.models import PersonCadence
from tests.factories import make_user


@pytest.mark.django_db
def test_a_manager_is_refused_with_the_action_named():
    manager = make_user("boss", role="manager")

    with pytest.raises(Forbidden) as err:
        require_librarian(manager, to="change requests")

    assert err.value.message == "Managers see aggregate figures only and cannot change requests."


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["librarian", "admin"])
def test_librarians_and_administrators_pass(role):
    assert require_librarian(make_user(f"someone-{role}", role=role), to="log touchpoints") is None


@pytest.mark.django_db
def test_a_manager_cannot_change_a_relationship_and_nothing_is_written(world):
    manager = make_user("boss", role="manager")
    before = (AuditEntry.objects.count(), PersonCadence.objects.count())

    with pytest.raises(Forbidden) as err:
        relationships.set_cadence(by=manager, person=world.ana, ideal_days=30, max_days=60)

    assert err.value.message == (
        "Managers see aggregate figures only and cannot change relationships."
    )
    assert (AuditEntry.objects.count(), PersonCadence.objects.count()) == before
