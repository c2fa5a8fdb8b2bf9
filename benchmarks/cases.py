"""What the benchmark measures: capture, the pages, and the queries behind them.

Each case returns timings in milliseconds, the number of SQL queries, and, where one exists,
the timings of a bare baseline doing the least the same work needs (raw SQL on the same
connection), so the ratio holds on a noisy machine.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from rapport.accounts.models import User
from rapport.audit.models import AuditEntry
from rapport.errors import Invalid
from rapport.people.models import Person
from rapport.people.queries import groups_for, people_for, search_people
from rapport.relationships.services import refresh
from rapport.touchpoints.capture import parse_capture
from rapport.touchpoints.models import Touchpoint
from rapport.touchpoints.queries import timeline_for_person
from rapport.touchpoints.services import capture

LINES = (
    "{who} asked for peer-reviewed sources on {topic} #literature ~15m read:3",
    "{who} stopped me in the corridor about Zotero groups via:walkby ~5m read:1",
    "{who} wanted help with a search strategy for a review on {topic} #systematic-review "
    "~45m read:4 via:desk",
    "{who} emailed me: cannot reach Scopus off campus via:email ~10m read:2",
    "{who} consultation on data management for a grant #research-data ~1h read:5",
    "sent {who} a literature search on {topic} kind:deliverable ~2h read:4 by:us",
)
TOPICS = (
    "battery electrolytes",
    "parish registers",
    "long COVID",
    "carbon pricing",
    "teacher retention",
    "gut microbiome",
    "climate litigation",
    "quantum sensing",
)


@dataclass
class Result:
    name: str
    target_ms: float | None = None
    times: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    bare_name: str = ""
    bare: list[float] = field(default_factory=list)
    note: str = ""


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def queries_of(fn: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def librarian() -> User:
    return User.objects.get(username="librarian")


def sample_people(user: User, n: int, rng: random.Random) -> list[Person]:
    """A mix of the most active, middling and rare people the librarian may see."""
    scope = people_for(user).order_by("-touchpoint_count", "id")
    total = scope.count()
    top = list(scope[: n // 3])
    middle = list(scope[total // 3 : total // 3 + n // 3])
    rare = list(scope.filter(touchpoint_count__in=[1, 2])[: 5 * n])
    return top + middle + rng.sample(rare, min(len(rare), n - len(top) - len(middle)))


def unique_names(user: User, people: list[Person]) -> list[Person]:
    """Only people whose name is theirs alone in the librarian's scope: capture by exact name."""
    names = [p.full_name for p in people]
    counts = dict(
        people_for(user)
        .filter(full_name__in=names)
        .values_list("full_name")
        .annotate(n=Count("id"))
        .values_list("full_name", "n")
    )
    return [p for p in people if counts.get(p.full_name) == 1]


def mention(name: str, now) -> str:
    plain = f"@{name}"
    parsed = parse_capture(f"{plain} asked", now=now)
    return plain if parsed.mentions == (name,) else f'@"{name}"'


class Cleanup:
    """Remembers the high-water marks and removes what a case wrote, restoring the counts."""

    def __enter__(self):
        self.tp = Touchpoint.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.audit = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        contacts = Person.contacts.through.objects
        self.contact = contacts.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.people: set[int] = set()
        return self

    def __exit__(self, *exc):
        Touchpoint.objects.filter(pk__gt=self.tp).delete()
        AuditEntry.objects.filter(pk__gt=self.audit).delete()
        Person.contacts.through.objects.filter(pk__gt=self.contact).delete()
        refresh(self.people)


def bench_capture(user: User, count: int, rng: random.Random) -> Result:
    result = Result("capture (services.capture)", 40.0, bare_name="raw INSERTs + UPDATE")
    now = timezone.localtime()
    people = unique_names(user, sample_people(user, count, rng))
    lines = [
        rng.choice(LINES).format(who=mention(p.full_name, now), topic=rng.choice(TOPICS))
        for p in people
    ]
    refused: list[str] = []
    accepted: list[str] = []
    with Cleanup() as cleanup:
        cleanup.people.update(p.pk for p in people)
        for line in lines:
            try:  # a refused line is a finding to report, not a reason to stop measuring
                result.times.append(timed(lambda line=line: capture(by=user, line=line)))
                accepted.append(line)
            except Invalid as e:
                refused.append(e.message)
        result.times[:3] = []  # the first captures warm caches and the parser
        result.queries.append(queries_of(lambda: capture(by=user, line=accepted[0])))
    if refused:
        result.note = f"refused {len(refused)}, e.g. {refused[0]}"
    with Cleanup() as cleanup:
        cleanup.people.update(p.pk for p in people)
        for person in people:
            result.bare.append(timed(lambda person=person: bare_capture(user, person)))
    return result


def bare_capture(user: User, person: Person) -> None:
    """The least a capture must write: the touchpoint, one participation, the person's counts."""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO rapport_touchpoint (occurred_at, logged_at, author_id, kind, channel, "
            "origin, initiated_by, read_level, minutes, topic, question, answer, outcome, "
            "confidential, tags, capture_line, source_system, external_id, updated_at) VALUES "
            "(%s, %s, %s, 'question', 'in_person', 'direct', 'them', 3, 15, %s, %s, '', '', "
            "%s, '[]', %s, '', '', %s)",
            [now, now, user.pk, "asked for sources", "asked for sources", False, "", now],
        )
        tp_id = cursor.lastrowid
        cursor.execute(
            "INSERT INTO rapport_participation (touchpoint_id, person_id, occurred_at)"
            " VALUES (%s, %s, %s)",
            [tp_id, person.pk, now],
        )
        cursor.execute(
            "UPDATE rapport_person SET touchpoint_count = touchpoint_count + 1, "
            "last_contact_at = %s WHERE id = %s",
            [now, person.pk],
        )


def bench_timeline(user: User, people: list[Person]) -> Result:
    result = Result(
        "timeline query, 50 rows (queries.timeline_for_person)", bare_name="raw SQL, same rows"
    )
    for person in people[:3]:  # warm the page cache and Django's query compilation
        list(timeline_for_person(user, person)[:50])
        raw_timeline(user, person)
    for person in people:
        result.times.append(timed(lambda p=person: list(timeline_for_person(user, p)[:50])))
        result.bare.append(timed(lambda p=person: raw_timeline(user, p)))
    result.queries.append(queries_of(lambda: list(timeline_for_person(user, people[0])[:50])))
    return result


def raw_timeline(user: User, person: Person) -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.id, t.occurred_at, t.kind, t.channel, t.topic, t.question, t.read_level, "
            "t.minutes, t.author_id, t.group_id FROM rapport_participation p JOIN "
            "rapport_touchpoint t ON t.id = p.touchpoint_id WHERE p.person_id = %s AND "
            "(t.confidential = %s OR t.author_id = %s) ORDER BY p.occurred_at DESC, "
            "p.touchpoint_id DESC LIMIT 50",
            [person.pk, False, user.pk],
        )
        return cursor.fetchall()


def search_terms(user: User, rng: random.Random, n: int) -> list[tuple[str, int]]:
    """(name fragment, group id) pairs: a surname prefix from the group's own people."""
    groups = list(groups_for(user).order_by("id").values_list("id", flat=True))
    terms = []
    for _ in range(n):
        group = rng.choice(groups)
        names = list(search_people(user, group=group).values_list("full_name", flat=True)[:200])
        name = rng.choice(names) if names else "a"
        terms.append((name.split()[-1][:4].lower(), group))
    return terms


def bench_search(user: User, terms: list[tuple[str, int]]) -> Result:
    result = Result(
        "people search query, 50 rows (queries.search_people)", bare_name="raw SQL, same filter"
    )
    for q, group in terms[:3]:
        list(search_people(user, q=q, group=group)[:50])
        raw_search(q, group)
    for q, group in terms:
        result.times.append(
            timed(lambda q=q, g=group: list(search_people(user, q=q, group=g)[:50]))
        )
        result.bare.append(timed(lambda q=q, g=group: raw_search(q, g)))
    q, group = terms[0]
    result.queries.append(queries_of(lambda: list(search_people(user, q=q, group=group)[:50])))
    return result


def raw_search(q: str, group: int) -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, full_name, email, last_contact_at, touchpoint_count FROM rapport_person "
            "WHERE archived_at IS NULL AND search_text LIKE %s AND id IN (SELECT person_id FROM "
            "rapport_membership WHERE group_id = %s) ORDER BY full_name, id LIMIT 50",
            [f"%{q}%", group],
        )
        return cursor.fetchall()


def page_url(name: str, pk: int | None = None) -> str | None:
    try:
        return reverse(name) if pk is None else reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def bench_page(
    client: Client,
    label: str,
    urls: list[str],
    target: float,
    rounds: int,
    bare: Callable[[int], object] | None = None,
    bare_name: str = "",
) -> Result:
    result = Result(label, target, bare_name=bare_name)
    for url in urls[:3]:
        client.get(url)
    failures = []
    for n in range(rounds):
        url = urls[n % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        result.times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            failures.append(f"{url} → {response.status_code}")
        if bare:
            result.bare.append(timed(lambda n=n: bare(n)))
    for url in urls[:10]:
        result.queries.append(queries_of(lambda url=url: client.get(url)))
    if failures:
        result.note = f"{len(failures)} failed, e.g. {failures[0]}"
    return result


# --- relationships: Today, refresh ---------------------------------------------------------

TODAY_SCOPE = 2_000


def today_librarian(minimum: int = TODAY_SCOPE) -> tuple[User, int]:
    """The librarian with the most people of their own (`my_people`); if that is fewer than
    `minimum`, they are given more groups to serve, largest first, until it is not. Call inside
    a transaction that the caller rolls back, so the bench database stays as built."""
    from rapport.people.models import Group
    from rapport.today.today import my_people

    users = User.objects.filter(role="librarian", served_groups__isnull=False).distinct()
    user = max(users, key=lambda u: (my_people(u).count(), -u.pk))
    size = my_people(user).count()
    if size < minimum:
        groups = (
            Group.objects.exclude(librarians=user)
            .annotate(n=Count("memberships"))
            .order_by("-n", "id")
        )
        for group in groups.iterator():
            group.librarians.add(user)
            size = my_people(user).count()
            if size >= minimum:
                break
    return user, size


def raw_today_people(user: User) -> list:
    """The bare minimum the Today page reads: my people with their last contact and stage."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id, p.full_name, p.last_contact_at, r.stage, r.last_real_contact_at "
            "FROM rapport_person p LEFT JOIN rapport_relationship r ON r.person_id = p.id "
            "WHERE p.archived_at IS NULL AND (p.id IN (SELECT m.person_id FROM "
            "rapport_membership m JOIN rapport_group_librarians gl ON gl.group_id = m.group_id "
            "WHERE gl.user_id = %s) OR p.id IN (SELECT person_id FROM rapport_contact "
            "WHERE user_id = %s))",
            [user.pk, user.pk],
        )
        return cursor.fetchall()


def bench_refresh(rounds: int = 2) -> Result:
    """`rapport refresh` over everyone, against one bare aggregation pass over the same rows."""
    from rapport.relationships.services import refresh_all

    result = Result("rapport refresh (all people)", 60_000.0, bare_name="one bare GROUP BY pass")
    for _ in range(rounds):
        result.times.append(timed(refresh_all))
        result.bare.append(timed(bare_aggregation))
    return result


def bare_aggregation() -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.person_id, MIN(p.occurred_at), MAX(p.occurred_at), COUNT(*), "
            "SUM(t.minutes), SUM(t.read_level), COUNT(t.read_level), COUNT(DISTINCT t.kind), "
            "SUM(CASE WHEN t.initiated_by = 'them' THEN 1 ELSE 0 END) "
            "FROM rapport_participation p JOIN rapport_touchpoint t ON t.id = p.touchpoint_id "
            "GROUP BY p.person_id"
        )
        return cursor.fetchall()
