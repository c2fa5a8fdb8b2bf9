import pytest
from django.test import override_settings

from rapport.errors import Forbidden, NotFound
from rapport.people.queries import access_person, groups_for, people_for, search_people
from rapport.touchpoints.queries import access_touchpoint, timeline_for_person, touchpoints_for


def names(qs):
    return sorted(p.full_name for p in qs)


def test_people_for_each_role(world):
    assert names(people_for(world.alice)) == ["Ana Ruiz", "Ben Okafor"]
    assert names(people_for(world.bob)) == ["Hugo Marsh"]
    assert names(people_for(world.ada)) == ["Ana Ruiz", "Ben Okafor", "Carla Diaz", "Hugo Marsh"]
    assert names(people_for(world.mia)) == []


@override_settings(RAPPORT_SHARING="library")
def test_people_for_library_wide_sharing(world):
    assert names(people_for(world.bob)) == ["Ana Ruiz", "Ben Okafor", "Carla Diaz", "Hugo Marsh"]


def test_get_person_for_outside_scope_is_not_found(world):
    with pytest.raises(NotFound) as err:
        access_person(world.bob, world.ana.pk)
    assert err.value.message == f"There is no person {world.ana.pk} that you can see."


def test_get_person_for_manager_is_forbidden(world):
    with pytest.raises(Forbidden):
        access_person(world.mia, world.ana.pk)


def test_search_people_by_name_email_group_status(world):
    assert names(search_people(world.ada, q="ruiz")) == ["Ana Ruiz"]
    assert names(search_people(world.ada, q="BEN@uni")) == ["Ben Okafor"]
    assert names(search_people(world.ada, group=world.chem.pk)) == ["Ana Ruiz", "Ben Okafor"]
    assert names(search_people(world.ada, status="student")) == ["Ben Okafor"]
    assert names(search_people(world.bob, q="ana")) == []


def test_search_people_sorts_by_last_contact_with_never_contacted_last(world):
    from rapport.relationships.services import refresh

    refresh([world.ana.pk, world.hugo.pk])
    order = [p.full_name for p in search_people(world.ada, sort="-last_contact")]
    assert order == ["Ana Ruiz", "Hugo Marsh", "Ben Okafor", "Carla Diaz"]


def test_groups_for_each_role(world):
    assert [g.name for g in groups_for(world.alice)] == ["Chemistry Lab"]
    assert [g.name for g in groups_for(world.mia)] == ["Chemistry Lab", "History Department"]


def test_touchpoints_confidential_reach_their_author_only(world):
    assert set(touchpoints_for(world.alice)) == {world.ana_question, world.ana_secret}
    assert set(touchpoints_for(world.bob)) == {world.hugo_question}
    assert set(touchpoints_for(world.ada)) == {world.ana_question, world.hugo_question}
    assert list(touchpoints_for(world.mia)) == []
    assert list(timeline_for_person(world.ada, world.ana)) == [world.ana_question]
    assert list(timeline_for_person(world.alice, world.ana)) == [
        world.ana_secret,
        world.ana_question,
    ]
    with pytest.raises(NotFound):
        access_touchpoint(world.ada, world.ana_secret.pk)
