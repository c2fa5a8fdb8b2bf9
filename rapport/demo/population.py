"""People, groups and memberships of a generated library.

Institutions hold departments (50–400 staff and research students), each with research teams
(5–30, led by a PI) and taught courses (20–200 students per run of the course); committees
draw on several departments and units have their own staff. Each person gets an activity
weight from a Pareto distribution, so a few people account for most touchpoints and many
appear once or never, and a window of presence (a PhD lasts four years, a student a year).

Rows go out as batches as soon as a department is done; what the touchpoint generator needs
later stays behind in compact arrays (`Population`), so memory grows with people, not rows.
"""

import datetime as dt
import itertools
import json
import math
import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

from rapport.demo import names
from rapport.demo.base import (
    GROUP,
    GROUP_LIBRARIAN,
    MEMBERSHIP,
    PERSON,
    Batch,
    Buffer,
    Calendar,
    ascii_name,
    stamp,
)
from rapport.demo.disciplines import DISCIPLINES, Discipline
from rapport.demo.institutions import (
    COMMITTEES,
    RESEARCH,
    ROLES,
    STAFF_MIX,
    UNITS,
    Institution,
    orcid,
)
from rapport.demo.text import PERSON_NOTES

YEAR = 365
FOREVER = 10**6  # a leaving day past any period: still here
PARETO_ALPHA = 0.9
PARETO_CAP = 8.0  # keeps the busiest person of a small tier from owning the whole timeline
QUIET_SHARE, QUIET_FACTOR = 0.72, 0.05


@dataclass
class Population:
    """What the touchpoint generator needs about people (by index; id = index + 1)."""

    cum: array = field(default_factory=lambda: array("d"))  # cumulative activity weight
    start: array = field(default_factory=lambda: array("i"))  # first day present
    stop: array = field(default_factory=lambda: array("i"))  # last day present
    discipline: array = field(default_factory=lambda: array("b"))
    student: bytearray = field(default_factory=bytearray)
    primary: array = field(default_factory=lambda: array("l"))  # group index, -1 for none
    secondary: array = field(default_factory=lambda: array("l"))
    referred: bytearray = field(default_factory=bytearray)
    group_librarians: list[tuple[int, ...]] = field(default_factory=list)
    group_members: list[array] = field(default_factory=list)
    group_cum: list[array] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.start)


class Builder:
    """Writes people, groups and memberships, and fills a `Population` along the way."""

    def __init__(self, rng: random.Random, cal: Calendar) -> None:
        self.rng, self.cal = rng, cal
        self.pop = Population()
        self.weights: list[float] = []
        self.group_weights: list[list[float]] = []
        self.out = {spec: Buffer(spec) for spec in (GROUP, GROUP_LIBRARIAN, PERSON, MEMBERSHIP)}
        self.ids = {spec: itertools.count(1) for spec in (GROUP_LIBRARIAN, MEMBERSHIP)}
        first = cal.first.year - 1
        self.terms = [(s, e) for s, e in (
            (cal.day_of(dt.date(y, 9, 22)), cal.day_of(dt.date(y + 1, 6, 14)))
            for y in range(first, cal.date(cal.days - 1).year + 1)
        ) if e >= 0 and s < cal.days]  # fmt: skip
        self.created = stamp(cal.at(-30, 9 * 3600))
        self.last_name = ("", "")

    # -- rows ------------------------------------------------------------------------------
    def flush(self, force: bool = False) -> Iterator[Batch]:
        """Hand over every buffer, parents first, once any of them is full."""
        if force or any(b.full for b in self.out.values()):
            for buffer in self.out.values():
                if buffer.rows:
                    yield buffer.take()

    def group(self, name: str, kind: str, description: str, libs: tuple[int, ...]) -> int:
        index = len(self.pop.group_librarians)
        self.out[GROUP].rows.append((index + 1, name, kind, description, self.created, None))
        for user in libs:
            self.out[GROUP_LIBRARIAN].rows.append(
                (next(self.ids[GROUP_LIBRARIAN]), index + 1, user)
            )
        self.pop.group_librarians.append(libs)
        self.pop.group_members.append(array("l"))
        self.group_weights.append([])
        return index

    def join(self, person: int, group: int, role: str, start: int, stop: int) -> None:
        cal = self.cal
        ended = cal.iso(stop) if stop < FOREVER else None
        self.out[MEMBERSHIP].rows.append(
            (next(self.ids[MEMBERSHIP]), role, cal.iso(start), ended, group + 1, person + 1)
        )
        self.pop.group_members[group].append(person)
        self.group_weights[group].append(self.weights[person])

    def window(self, role: str) -> tuple[int, int]:
        """First and last day present, relative to the period (before it is negative)."""
        rng, days = self.rng, self.cal.days
        if role in ("faculty", "staff", "other", "unit"):
            start = (
                -rng.randint(YEAR, 25 * YEAR) if rng.random() < 0.88 else rng.randint(0, days - 30)
            )
            leaves = rng.random() < 0.06 and max(start, 0) + 90 < days - 1
            return start, rng.randint(max(start, 0) + 90, days - 1) if leaves else FOREVER
        if role == "visitor":
            start = rng.randint(-60, days - 60)
            return start, start + rng.randint(90, YEAR)
        length = rng.randint(2 * YEAR, 4 * YEAR) if role != "phd" else rng.randint(1280, 1640)
        start = rng.randint(-length + 60, days - 30)
        return start, start + length

    def person(
        self, role: str, d: int, inst: Institution, span: tuple[int, int], colleagues: list[int]
    ) -> int:
        rng, cal, pop = self.rng, self.cal, self.pop
        disc: Discipline = DISCIPLINES[d]
        index = pop.size
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.SURNAMES)
        full = f"{first} {last}"
        local = f"{ascii_name(first)}.{ascii_name(last)}"
        n = inst.seen.get(local, 0) + 1
        inst.seen[local] = n
        domain = f"student.{inst.domain}" if role == "undergrad" else inst.domain
        email = f"{local}{n if n > 1 else ''}@{domain}"
        others = (
            [f"{ascii_name(first)}{ascii_name(last)[:4]}{rng.randint(1, 99)}@mail.example"]
            if rng.random() < 0.08
            else []
        )
        status, titles, factor, _ = ROLES[role]
        researcher = role in RESEARCH or role == "faculty"
        office = role not in ("undergrad", "visitor")
        building = rng.choice(disc.buildings) if office else ""
        room = f"{rng.randint(0, 4)}.{rng.randint(1, 40):02d}" if office else ""
        desk = f"D{rng.randint(1, 60)}" if role in RESEARCH else ""
        referrer = rng.choice(colleagues) + 1 if colleagues and rng.random() < 0.04 else None
        start, stop = span
        days = cal.days
        archived = (
            stamp(cal.at(stop + 30, 10 * 3600))
            if stop + 30 < days and rng.random() < 0.25
            else None
        )
        # Before office hours, so no touchpoint ever predates the record of its person.
        created = stamp(cal.at(max(start, -30), 7 * 3600 + rng.randrange(0, 3600, 60)))
        search = " ".join([full, email, *others]).lower()[:600]
        self.out[PERSON].rows.append((
            index + 1, full, email, json.dumps(others), orcid(rng) if researcher
            and rng.random() < 0.6 else "", rng.choice(titles).format(disc.name), status,
            disc.name if role != "unit" else "", building, room, desk,
            rng.choice(PERSON_NOTES) if rng.random() < 0.06 else "", referrer, search, None,
            None, 0, None, created, created, archived, f"U{index + 1:07d}", 1,
        ))  # fmt: skip
        weight = min(rng.paretovariate(PARETO_ALPHA), PARETO_CAP) * factor
        if rng.random() < QUIET_SHARE:
            weight *= QUIET_FACTOR  # many people hardly ever need the library
        self.weights.append(weight)
        pop.start.append(max(start, 0))
        pop.stop.append(min(stop, days - 1))
        pop.discipline.append(d)
        pop.student.append(role == "undergrad")
        pop.primary.append(-1)
        pop.secondary.append(-1)
        pop.referred.append(referrer is not None)
        self.last_name = (full, last)
        return index

    # -- structure -------------------------------------------------------------------------
    def build(
        self, institutions: list[Institution], dept_librarians: list[tuple[int, ...]]
    ) -> Iterator[Batch]:
        k = 0
        for inst in institutions:
            leads: list[int] = []  # faculty and staff who may sit on committees or lead units
            libs_here = []
            for d, staff, students in inst.departments:
                libs = dept_librarians[k]
                libs_here.append(libs)
                k += 1
                leads += self.department(inst, d, staff, students, libs)
                yield from self.flush()
            self.cross_groups(inst, leads, libs_here)
            yield from self.flush()
        yield from self.flush(force=True)
        pop = self.pop
        pop.cum = array("d", itertools.accumulate(self.weights))
        # Who else comes to a meeting is less skewed than who asks: the square root of weight.
        pop.group_cum = [
            array("d", itertools.accumulate(math.sqrt(x) for x in w)) for w in self.group_weights
        ]
        self.weights, self.group_weights = [], []

    def department(
        self, inst: Institution, d: int, n_staff: int, n_students: int, libs: tuple[int, ...]
    ) -> list[int]:
        rng, pop = self.rng, self.pop
        disc = DISCIPLINES[d]
        n_teams = max(1, math.ceil(n_staff / 30))
        roles = rng.choices(*STAFF_MIX, k=n_staff)
        roles[: n_teams + 1] = ["faculty"] * min(n_staff, n_teams + 1)
        dept = self.group(
            f"Department of {disc.name}{inst.suffix}",
            "department",
            f"Liaison with the Department of {disc.name}: academic staff, "
            "researchers and research students.",
            libs,
        )
        people: list[tuple[int, str, int, int]] = []
        named: dict[int, tuple[str, str]] = {}
        colleagues: list[int] = []
        for n, role in enumerate(roles):
            span = self.window(role)
            p = self.person(role, d, inst, span, colleagues)
            colleagues.append(p)
            people.append((p, role, *span))
            named[p] = self.last_name
            self.join(p, dept, "head of department" if n == 0 else ROLES[role][3], *span)
            pop.primary[p] = dept
        faculty = [x for x in people if x[1] == "faculty"]
        pool = [x for x in people if x[1] in RESEARCH or (x[1] == "staff" and rng.random() < 0.3)]
        # Teams differ in size: a new PI's group of five, an established lab of thirty.
        weights = [rng.uniform(0.6, 1.4) for _ in range(n_teams)]
        which = rng.choices(range(n_teams), weights=weights, k=len(pool))
        themes = rng.sample(disc.themes, min(n_teams, len(disc.themes)))
        for t in range(n_teams):
            pi = faculty[t + 1] if len(faculty) > t + 1 else faculty[0]
            theme = themes[t % len(themes)]
            full, surname = named[pi[0]]
            team = self.group(
                f"{surname} Lab · {theme}{inst.suffix}",
                "research_team",
                f"Research team working on {theme.lower()}, led by {full}.",
                libs,
            )
            self.join(pi[0], team, "PI", *pi[2:])
            pop.primary[pi[0]], pop.secondary[pi[0]] = team, dept
            for member in (m for m, w in zip(pool, which, strict=True) if w == t):
                role = {
                    "phd": "PhD student",
                    "postdoc": "postdoc",
                    "researcher": "research fellow",
                }.get(member[1], "technician")
                self.join(member[0], team, role, *member[2:])
                pop.primary[member[0]], pop.secondary[member[0]] = team, dept
            for other in faculty[n_teams + 1 :]:
                if rng.random() < 0.3 / n_teams:
                    self.join(other[0], team, "co-investigator", *other[2:])
        if n_students:
            self.courses(inst, d, n_students, libs, faculty, pool)
        return [x[0] for x in people if x[1] in ("faculty", "staff")]

    def courses(
        self,
        inst: Institution,
        d: int,
        n_students: int,
        libs: tuple[int, ...],
        faculty: list,
        pool: list,
    ) -> None:
        rng = self.rng
        pop = self.pop
        disc = DISCIPLINES[d]
        n_courses = max(1, round(n_students / 70))
        courses = []
        for c in range(n_courses):
            title = disc.courses[c % len(disc.courses)]
            code = f"{disc.code} {100 * (1 + c % 3) + 1 + c}"
            course = self.group(
                f"{code} {title}{inst.suffix}",
                "course",
                f"{title}: taught every year; reading lists and sessions with the library.",
                libs,
            )
            for x in rng.sample(faculty, min(len(faculty), rng.randint(1, 2))):
                self.join(x[0], course, "instructor", *x[2:])
            tas = [x for x in pool if x[1] == "phd"]
            for x in rng.sample(tas, min(len(tas), rng.randint(0, 2))):
                self.join(x[0], course, "teaching assistant", *x[2:])
            courses.append(course)
        for _ in range(n_students):
            first = rng.randrange(len(self.terms))
            last = min(len(self.terms) - 1, first + (rng.random() < 0.3))
            span = (self.terms[first][0], self.terms[last][1])
            p = self.person("undergrad", d, inst, span, [])
            taken = rng.sample(courses, min(len(courses), 1 + (rng.random() < 0.4)))
            for term in self.terms[first : last + 1]:
                for course in taken:
                    self.join(p, course, "student", *term)
            pop.primary[p] = taken[0]
            pop.secondary[p] = taken[1] if len(taken) > 1 else -1

    def cross_groups(
        self, inst: Institution, leads: list[int], libs_here: list[tuple[int, ...]]
    ) -> None:
        """Committees drawn from several departments; units with their own staff."""
        rng, pop = self.rng, self.pop
        n_committees = 1 + (len(inst.departments) >= 6) + (len(inst.departments) >= 11)
        for name in COMMITTEES[:n_committees]:
            group = self.group(
                f"{name}{inst.suffix}",
                "committee",
                f"The {name.lower()}: meets twice a term.",
                rng.choice(libs_here),
            )
            chosen = rng.sample(leads, min(len(leads), rng.randint(6, 14)))
            for n, p in enumerate(chosen):
                role = "chair" if n == 0 else "secretary" if n == 1 else "member"
                # Sitting since before the period only if they were here before it.
                since = pop.start[p] - (rng.randint(0, 2 * YEAR) if pop.start[p] == 0 else 0)
                self.join(p, group, role, since, FOREVER)
                if pop.secondary[p] == -1 or rng.random() < 0.5:
                    pop.secondary[p] = group
        for name, size in zip(UNITS, inst.units, strict=False):
            libs = rng.choice(libs_here)
            group = self.group(
                f"{name}{inst.suffix}",
                "unit",
                f"The {name}: professional staff the library works with.",
                libs,
            )
            d = inst.departments[0][0]
            for _ in range(size):
                span = self.window("unit")
                p = self.person("unit", d, inst, span, [])
                self.join(p, group, "member", *span)
                pop.primary[p] = group
            for p in rng.sample(leads, min(len(leads), 2)):
                self.join(p, group, "academic lead", pop.start[p], FOREVER)
