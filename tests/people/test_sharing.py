"""Knowing someone's address lets a librarian log a contact with them, never read what
colleagues logged about them: the person stays out of reach until someone who has them, or an
administrator, shares them (rapport/people/sharing.py).

In the shared world hugo is bob's (History Department); bob's "Archive access" is about him.
carla belongs to no one.
"""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from rapport.audit.models import AuditEntry
from rapport.errors import Forbidden, Invalid, NotFound
from rapport.people.models import Membership
from rapport.people.queries import access_person, people_for
from rapport.people.services import add_membership
from rapport.people.sharing import share_person
from rapport.search.queries import search
from rapport.touchpoints.models import Touchpoint
from rapport.touchpoints.queries import touchpoints_for
from rapport.touchpoints.services import capture
from tests.api.conftest import call  # noqa: F401  (the API caller fixture)

HUGO_LINE = "@hugo@uni.example asked about the archive ~10m"
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_capturing_a_colleagues_person_by_address_logs_but_opens_nothing(client, world):
    client.force_login(world.alice)

    response = client.post(reverse("touchpoints:capture"), {"line": HUGO_LINE}, **HTMX)

    tp = Touchpoint.objects.get(capture_line=HUGO_LINE)
    assert (tp.author, list(tp.people.all())) == (world.alice, [world.hugo])
    assert not world.hugo.contacts.filter(pk=world.alice.pk).exists()
    assert "Hugo Marsh" not in response.text
    assert (
        "hugo@uni.example is in the care of 1 colleague: your touchpoint is logged, and their "
        "page and the history others logged stay with them" in response.text
    )
    # Her own touchpoint is hers; bob's about hugo, and hugo himself, are not.
    assert set(touchpoints_for(world.alice).filter(people=world.hugo)) == {tp}
    assert world.hugo not in people_for(world.alice)
    assert [h.object.pk for h in search(world.alice, "archive")] == [tp.pk]
    assert client.get(reverse("people:person_detail", args=[world.hugo.pk])).status_code == 404


def test_capturing_someone_no_one_has_makes_them_a_contact(world):
    tp = capture(by=world.alice, line="@carla@uni.example stopped by ~5m")

    assert tp.withheld == ()
    assert world.carla in people_for(world.alice)


def test_the_command_line_says_who_was_withheld(world):
    out = io.StringIO()

    call_command("log", HUGO_LINE, "--user", "alice", stdout=out)

    text = out.getvalue()
    assert "with hugo@uni.example," in text
    assert "Hugo Marsh" not in text
    assert "  hugo@uni.example is in the care of colleagues: their page and history stay" in text


def test_the_api_counts_a_withheld_person_as_hidden(call, world):  # noqa: F811
    reply = call("POST", "/touchpoints/capture", as_=world.alice, body={"line": HUGO_LINE})

    assert reply.status == 201
    assert (reply.body["people"], reply.body["hidden_people"]) == ([], 1)


def test_library_wide_sharing_withholds_no_one(world):
    with override_settings(RAPPORT_SHARING="library"):
        tp = capture(by=world.alice, line=HUGO_LINE)

    assert tp.withheld == ()
    assert world.hugo.contacts.filter(pk=world.alice.pk).exists()


def test_a_colleague_sees_who_waits_and_shares(client, world):
    capture(by=world.alice, line=HUGO_LINE)
    client.force_login(world.bob)

    page = client.get(reverse("people:person_detail", args=[world.hugo.pk])).text
    response = client.post(
        reverse("people:person_share", args=[world.hugo.pk]), {"librarian": world.alice.pk}
    )

    assert "Alice Liddell logged contacts with Hugo Marsh but cannot see this page" in page
    assert response.status_code == 302
    assert world.hugo in people_for(world.alice)
    assert world.hugo_question in touchpoints_for(world.alice)
    entry = AuditEntry.objects.get(action="share")
    assert (entry.actor, entry.object_id, entry.changes) == (
        world.bob,
        str(world.hugo.pk),
        {"shared_with": world.alice.pk},
    )
    again = client.get(reverse("people:person_detail", args=[world.hugo.pk])).text
    assert 'id="waiting-for-share"' not in again


def test_sharing_twice_changes_nothing(world):
    world.hugo.contacts.add(world.alice)

    assert share_person(by=world.bob, person=world.hugo, librarian=world.alice) is False
    assert not AuditEntry.objects.filter(action="share").exists()


def test_only_someone_who_has_the_person_may_share_them(world):
    with pytest.raises(NotFound):
        share_person(by=world.alice, person=world.hugo, librarian=world.alice)
    with pytest.raises(Forbidden):
        share_person(by=world.mia, person=world.hugo, librarian=world.alice)

    assert share_person(by=world.ada, person=world.hugo, librarian=world.alice) is True
    assert world.hugo in people_for(world.alice)


def test_a_manager_cannot_be_shared_with(world):
    with pytest.raises(NotFound):  # not a librarian one may assign anything to
        share_person(by=world.bob, person=world.hugo, librarian=world.mia)

    assert not world.hugo.contacts.exists()


def test_adding_a_colleagues_person_to_ones_group_is_refused(world):
    with pytest.raises(Invalid) as err:
        add_membership(by=world.alice, person=world.hugo, group=world.chem)

    assert err.value.message == (
        "hugo@uni.example is in the care of colleagues: ask one of them or an administrator to "
        "share them with you (or to add them to the group)."
    )
    assert not Membership.objects.filter(person=world.hugo, group=world.chem).exists()
    with pytest.raises(NotFound):
        access_person(world.alice, world.hugo.pk)


def test_adding_someone_no_one_has_to_ones_group_is_allowed(world):
    add_membership(by=world.alice, person=world.carla, group=world.chem)

    assert world.carla in people_for(world.alice)
