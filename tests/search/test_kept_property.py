"""Property: what a search keeps between calls never changes what it finds.

Search keeps each user's compiled candidates and scope (`compiled_candidates`, `in_scope`),
keyed by `Reach.key()` and the filters. That is only right if the key names every input the
scope reads, so here random librarians, groups, memberships, contacts, roles, sharing and
touchpoints change between searches, and after every change each user's search must find
exactly what the plain path (`nothing_kept`: everything built afresh from the access-scoped
queries) finds, and each kind's kept scope must hold exactly the rows of its scoped query.
"""

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.accounts.models import Role, User
from rapport.people.models import Group, Membership, Person
from rapport.requests.models import Request
from rapport.search import queries
from rapport.search.documents import ITEM, KINDS, REQUEST
from rapport.search.queries import SCOPED, Reach, in_scope, nothing_kept, search
from rapport.search.similar import similar_questions
from rapport.touchpoints.models import Participation, Touchpoint

USERS, GROUPS, PEOPLE = 3, 3, 4
WORD = "zebra"

user_i = st.integers(0, USERS - 1)
group_i = st.integers(0, GROUPS - 1)
person_i = st.integers(0, PEOPLE - 1)
steps = st.one_of(
    st.tuples(st.just("serve"), user_i, group_i),
    st.tuples(st.just("unserve"), user_i, group_i),
    st.tuples(st.just("join"), person_i, group_i),
    st.tuples(st.just("leave"), person_i, group_i),
    st.tuples(st.just("contact"), user_i, person_i),
    st.tuples(st.just("uncontact"), user_i, person_i),
    st.tuples(st.just("log"), user_i, person_i, st.one_of(st.none(), group_i), st.booleans()),
    st.tuples(st.just("request"), user_i, person_i, st.one_of(st.none(), group_i)),
    st.tuples(st.just("role"), user_i, st.sampled_from([Role.LIBRARIAN, Role.ADMIN])),
    st.tuples(st.just("sharing"), st.sampled_from(["groups", "library"])),
)


class World:
    """A few librarians, groups and people, made afresh inside each example's transaction."""

    def __init__(self) -> None:
        self.users = [
            User.objects.create(username=f"kept{n}", role=Role.LIBRARIAN) for n in range(USERS)
        ]
        self.groups = [Group.objects.create(name=f"Kept group {n}") for n in range(GROUPS)]
        self.people = [Person.objects.create(full_name=f"Kept Person {n}") for n in range(PEOPLE)]
        self.sharing = "groups"
        self.logged = 0
        # In every group, an outsider's touchpoints (one confidential) and request about
        # someone in no group: reachable through the group alone, so a reach that changes
        # between searches changes what must be found.
        outsider = User.objects.create(username="outsider", role=Role.LIBRARIAN)
        stranger = Person.objects.create(full_name="Kept Stranger")
        self.users.append(outsider)
        self.people.append(stranger)
        for group in range(GROUPS):
            for confidential in (False, True):
                self.apply(("log", USERS, PEOPLE, group, confidential))
            self.apply(("request", USERS, PEOPLE, group))
        self.users.pop()

    def apply(self, step: tuple) -> None:
        name, *args = step
        if name in ("serve", "unserve"):
            user, group = self.users[args[0]], self.groups[args[1]]
            (group.librarians.add if name == "serve" else group.librarians.remove)(user)
        elif name == "join":
            Membership.objects.get_or_create(
                person=self.people[args[0]], group=self.groups[args[1]]
            )
        elif name == "leave":
            Membership.objects.filter(
                person=self.people[args[0]], group=self.groups[args[1]]
            ).delete()
        elif name in ("contact", "uncontact"):
            person, user = self.people[args[1]], self.users[args[0]]
            (person.contacts.add if name == "contact" else person.contacts.remove)(user)
        elif name == "log":
            author, person, group, confidential = args
            self.logged += 1
            when = timezone.now() - dt.timedelta(hours=self.logged)
            tp = Touchpoint.objects.create(
                author=self.users[author],
                group=None if group is None else self.groups[group],
                occurred_at=when,
                question=f"{WORD} question {self.logged}",
                topic=f"{WORD} {self.logged}",
                confidential=confidential,
            )
            Participation.objects.create(
                touchpoint=tp, person=self.people[person], occurred_at=when
            )
        elif name == "request":
            owner, person, group = args
            req = Request.objects.create(
                owner=self.users[owner],
                created_by=self.users[owner],
                group=None if group is None else self.groups[group],
                title=f"{WORD} request",
                status_changed_at=timezone.now(),
            )
            req.people.add(self.people[person])
        elif name == "role":
            User.objects.filter(pk=self.users[args[0]].pk).update(role=args[1])
        elif name == "sharing":
            self.sharing = args[0]

    def check(self) -> None:
        """Every user, as a request would see them (read afresh), finds the same both ways."""
        with override_settings(RAPPORT_SHARING=self.sharing):
            for stale in self.users:
                user = User.objects.get(pk=stale.pk)
                kept = _found(user)
                with nothing_kept():
                    plain = _found(user)
                assert kept == plain, (user.username, user.role, self.sharing)
                reach = Reach.of(user)
                for kind in KINDS:
                    if kind == REQUEST and user.is_manager:
                        continue
                    scoped = set(SCOPED[kind](user).values_list("pk", flat=True))
                    assert set(in_scope(kind, reach).values_list("pk", flat=True)) == scoped, kind


def _found(user: User) -> tuple[list, list]:
    hits = [(h.kind, h.object.pk) for h in search(user, WORD, limit=50) if h.kind != ITEM]
    similar = [s.touchpoint.pk for s in similar_questions(user, f"{WORD} question", limit=20)]
    return hits, similar


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(steps, min_size=1, max_size=14))
def test_kept_search_finds_what_the_plain_search_finds(script):
    queries.forget_compiled()
    with transaction.atomic():
        world = World()
        world.check()
        for step in script:
            world.apply(step)
            world.check()
        transaction.set_rollback(True)
    queries.forget_compiled()


def test_the_plain_path_keeps_nothing(world):
    queries.forget_compiled()

    with nothing_kept():
        search(world.alice, "prisma")

    assert queries._compiled == {} and queries._scopes == {}
    search(world.alice, "prisma")
    assert queries._compiled and queries._scopes
