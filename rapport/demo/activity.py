"""Touchpoints and participations over the academic years, in time order.

Each day gets a share of the tier's touchpoints from the academic calendar (busy October–
November and February–March, quiet in August and over the winter closure, weekdays rather
than weekends) and each touchpoint a time in office hours. Who takes part follows the people's
Pareto weights, within the window each person is around; the librarian is one who serves the
group it is logged against. Kind decides the likely channel, origin, initiative, READ level and
minutes, and the discipline decides the words.

Contact figures are tallied while rows stream out, so `Person.first_contact_at`,
`last_contact_at` and `touchpoint_count` come out exactly as `relationships.services.refresh` would
compute them from the participations, and `Person.contacts` lists each person's authors.
Touchpoints that may open a request are handed to `requests.Requests` as they stream by.
"""

import bisect
import itertools
import json
import random
from array import array
from collections.abc import Iterator

from rapport.demo.base import (
    BATCH,
    CONTACT,
    PARTICIPATION,
    PERSON_STATS,
    TOUCHPOINT,
    Batch,
    Buffer,
    Calendar,
    stamp,
)
from rapport.demo.disciplines import DISCIPLINES
from rapport.demo.population import Population
from rapport.demo.requests import KINDS as REQUEST_KINDS
from rapport.demo.requests import Requests
from rapport.demo.text import Writer, topic_of

MONTHS = (0.8, 1.15, 1.2, 0.8, 0.95, 0.7, 0.45, 0.35, 0.9, 1.3, 1.3, 0.7)  # Jan..Dec
WEEKDAYS = (1.0, 1.1, 1.05, 1.0, 0.8, 0.06, 0.04)  # Mon..Sun
HOURS = {8: 1, 9: 4, 10: 8, 11: 9, 12: 5, 13: 5, 14: 8, 15: 8, 16: 6, 17: 3, 18: 1, 19: 0.5}
_HOURS = tuple(HOURS)
_HOUR_CUM = tuple(itertools.accumulate(HOURS.values()))

KINDS = ("question", "hallway", "email", "consultation", "meeting", "instruction", "deliverable")
KIND_WEIGHTS = {0: (34, 18, 17, 10, 8, 5, 8), 1: (40, 10, 20, 12, 0, 15, 3)}  # 1: a student
CHANNELS = {
    "question": (("in_person", "email", "chat", "phone", "video"), (35, 35, 20, 5, 5)),
    "hallway": (("in_person",), (1,)),
    "email": (("email",), (1,)),
    "consultation": (("in_person", "video", "phone"), (55, 40, 5)),
    "instruction": (("in_person", "video"), (85, 15)),
    "meeting": (("in_person", "video"), (75, 25)),
    "deliverable": (("email", "other"), (80, 20)),
}
ORIGINS = {
    "question": (
        ("direct", "desk", "walkby", "routine", "referral", "alert", "campaign"),
        (40, 20, 10, 10, 10, 5, 5),
    ),
    "hallway": (("walkby", "routine"), (70, 30)),
    "email": (("direct", "alert", "campaign", "referral", "other"), (60, 15, 10, 10, 5)),
    "consultation": (("scheduled", "referral", "direct"), (55, 25, 20)),
    "instruction": (("scheduled", "campaign"), (90, 10)),
    "meeting": (("scheduled", "routine"), (70, 30)),
    "deliverable": (("direct", "scheduled"), (80, 20)),
}
# Who reached out: how the contact came about decides first, then the kind of contact.
BY_ORIGIN = {"walkby": 0.9, "desk": 0.97, "referral": 0.95, "campaign": 0.05, "alert": 0.1}
BY_KIND = {
    "question": 0.9,
    "hallway": 0.7,
    "email": 0.8,
    "consultation": 0.75,
    "instruction": 0.35,
    "meeting": 0.4,
    "deliverable": 0.15,
}
# READ level by kind (None: not rated, as for many meetings), then minutes by READ level.
READ = {
    "question": ((1, 2, 3, 4, 5), (25, 35, 25, 12, 3)),
    "hallway": ((1, 2, 3), (60, 32, 8)),
    "email": ((1, 2, 3, 4), (30, 40, 22, 8)),
    "consultation": ((3, 4, 5, 6), (20, 40, 28, 12)),
    "instruction": ((3, 4, 5), (40, 45, 15)),
    "meeting": ((None, 2, 3, 4), (45, 20, 25, 10)),
    "deliverable": ((3, 4, 5, 6), (25, 35, 28, 12)),
}
MINUTES = {
    None: (20, 90),
    1: (1, 5),
    2: (3, 15),
    3: (10, 30),
    4: (20, 60),
    5: (45, 150),
    6: (90, 480),
}
ANSWERED = {"question": 0.65, "email": 0.55, "hallway": 0.35, "consultation": 0.5}
EXTRA_PEOPLE = {"meeting": (1, 3), "instruction": (1, 6)}


def _cum(weights: tuple) -> tuple:
    return tuple(itertools.accumulate(weights))


def day_counts(cal: Calendar, total: int, rng: random.Random) -> list[int]:
    """Split `total` over the days by the academic calendar, exactly (largest remainder)."""
    weights = []
    for day in range(cal.days):
        date = cal.date(day)
        w = MONTHS[date.month - 1] * WEEKDAYS[date.weekday()]
        if (date.month == 12 and date.day >= 22) or (date.month == 1 and date.day <= 2):
            w *= 0.05  # the winter closure
        w *= 0.85 + 0.3 * day / cal.days  # the service grows over the years
        w *= rng.lognormvariate(0, 0.25)
        weights.append(w)
    # The last day ends now: only the office hours already gone count.
    done = sum(v for h, v in HOURS.items() if (h + 1) * 3600 <= cal.end_second)
    weights[-1] *= done / sum(HOURS.values())
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(cal.days), key=lambda i: counts[i] - exact[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class Activity:
    """Generates touchpoints and participations, tallying each person's contact figures."""

    def __init__(
        self,
        pop: Population,
        cal: Calendar,
        rng: random.Random,
        user_space: int,
        requests: Requests | None = None,
    ):
        self.pop, self.cal, self.rng = pop, cal, rng
        self.requests = requests  # sees the touchpoints that may open a request
        self.writer = Writer(rng)
        n = pop.size
        self.first = array("q", [0]) * n
        self.last = array("q", [0]) * n
        self.count = array("l", [0]) * n
        self.contacts: set[int] = set()  # person index * user_space + user id
        self.user_space = user_space
        self.channels = {k: (v[0], _cum(v[1])) for k, v in CHANNELS.items()}
        self.origins = {k: (v[0], _cum(v[1])) for k, v in ORIGINS.items()}
        self.reads = {k: (v[0], _cum(v[1])) for k, v in READ.items()}
        self.kinds = {k: _cum(v) for k, v in KIND_WEIGHTS.items()}

    def pick(self, day: int) -> int:
        """A person present on `day`, chosen by activity weight."""
        pop, rng = self.pop, self.rng
        cum, start, stop = pop.cum, pop.start, pop.stop
        top = cum[-1]
        p = 0
        for _ in range(12):
            p = bisect.bisect(cum, rng.random() * top)
            if start[p] <= day <= stop[p]:
                return p
        return p  # someone rare on a quiet day: accept the last draw

    def others(self, group: int, day: int, k: int, chosen: list[int]) -> None:
        members, cum = self.pop.group_members[group], self.pop.group_cum[group]
        if not members:
            return
        start, stop, rng = self.pop.start, self.pop.stop, self.rng
        top = cum[-1]
        for _ in range(k * 2):
            p = members[bisect.bisect(cum, rng.random() * top)]
            if p not in chosen and start[p] <= day <= stop[p]:
                chosen.append(p)
                if len(chosen) > k:
                    return

    def generate(self, total: int) -> Iterator[Batch]:
        rng, cal, pop, writer = self.rng, self.cal, self.pop, self.writer
        choices, rand, randint = rng.choices, rng.random, rng.randint
        tps, parts = Buffer(TOUCHPOINT), Buffer(PARTICIPATION)
        first, last, count = self.first, self.last, self.count
        contacts, space = self.contacts, self.user_space
        libs_of = pop.group_librarians
        end = cal.end_epoch
        requests = self.requests
        tp_id = part_id = 0
        for day, n in enumerate(day_counts(cal, total, rng)):
            if not n:
                continue
            limit = cal.end_second if day == cal.days - 1 else 86_400
            seconds: list[int] = []
            while len(seconds) < n:
                hour = _HOURS[bisect.bisect(_HOUR_CUM, rand() * _HOUR_CUM[-1])]
                second = hour * 3600 + rng.randrange(0, 3600, 60)
                if second < limit:
                    seconds.append(second)
            seconds.sort()
            for second in seconds:
                at = cal.midnight[day] + second
                p = self.pick(day)
                student = pop.student[p]
                kind = choices(KINDS, cum_weights=self.kinds[student])[0]
                primary, secondary = pop.primary[p], pop.secondary[p]
                roll = rand()
                if kind in EXTRA_PEOPLE or roll < 0.6 or secondary < 0:
                    group = primary
                else:
                    group = secondary if roll < 0.85 else -1
                libs = libs_of[group if group >= 0 else primary]
                author = libs[0] if len(libs) == 1 else libs[randint(0, len(libs) - 1)]
                chosen = [p]
                if kind in EXTRA_PEOPLE:
                    self.others(group, day, randint(*EXTRA_PEOPLE[kind]), chosen)
                elif rand() < 0.08 and primary >= 0:
                    self.others(primary, day, 1, chosen)
                names, cum = self.channels[kind]
                channel = names[0] if len(names) == 1 else choices(names, cum_weights=cum)[0]
                names, cum = self.origins[kind]
                origin = choices(names, cum_weights=cum)[0]
                if pop.referred[p] and not count[p]:
                    origin = "referral"  # how a referred person first came to us
                by = "them" if rand() < BY_ORIGIN.get(origin, BY_KIND[kind]) else "us"
                levels, cum = self.reads[kind]
                read = choices(levels, cum_weights=cum)[0]
                minutes = randint(*MINUTES[read])
                d = DISCIPLINES[pop.discipline[p]]
                confidential = rand() < (0.06 if kind == "consultation" else 0.012)
                if confidential:
                    question, tags = writer.confidential(), list[str]()
                else:
                    question, tags = writer.question(kind, d)
                answer = writer.answer(d) if rand() < ANSWERED.get(kind, 0) else ""
                outcome = (
                    writer.outcome()
                    if kind in ("deliverable", "consultation") and rand() < 0.3
                    else ""
                )
                roll = rand()  # logged at once, later that day, or a day or three after
                delay = (
                    randint(0, 1200)
                    if roll < 0.7
                    else randint(1800, 14_400)
                    if roll < 0.9
                    else randint(1, 3) * 86_400 + randint(0, 3600)
                )
                occurred, logged = stamp(at), stamp(min(at + delay, end))
                tp_id += 1
                tps.rows.append((
                    tp_id, occurred, logged, author, group + 1 if group >= 0 else None, kind,
                    channel, origin, by, read, minutes, topic_of(question), question, answer,
                    outcome, confidential, json.dumps(tags), "", "", "", logged, None, 1,
                ))  # fmt: skip
                for q in chosen:
                    part_id += 1
                    parts.rows.append((part_id, tp_id, q + 1, occurred))
                    if not count[q]:
                        first[q] = at
                    last[q] = at
                    count[q] += 1
                    contacts.add(q * space + author)
                if requests and kind in REQUEST_KINDS and read and read >= 3 and not confidential:
                    requests.consider(
                        tp_id, min(at + delay, end), read, author,
                        group + 1 if group >= 0 else None, tuple(q + 1 for q in chosen),
                        question, pop.discipline[p], bool(student),
                    )  # fmt: skip
                if tps.full or parts.full:
                    yield tps.take()  # touchpoints before the participations that point at them
                    yield parts.take()
                    if requests:  # and before the requests linked to them
                        yield from requests.flush()
        for buffer in (tps, parts):
            if buffer.rows:
                yield buffer.take()

    def person_stats(self) -> Iterator[Batch]:
        """The contact figures of everyone with a touchpoint, as updates by id."""
        batch = Batch(*PERSON_STATS, op="update")
        for p, n in enumerate(self.count):
            if n:
                batch.rows.append((stamp(self.first[p]), stamp(self.last[p]), n, p + 1))
                if len(batch.rows) >= BATCH:
                    yield batch
                    batch = Batch(*PERSON_STATS, op="update")
        if batch.rows:
            yield batch

    def contact_rows(self) -> Iterator[Batch]:
        out = Buffer(CONTACT)
        for n, key in enumerate(sorted(self.contacts), 1):
            out.rows.append((n, key // self.user_space + 1, key % self.user_space))
            if out.full:
                yield out.take()
        if out.rows:
            yield out.take()
