"""Requests opened from touchpoints, each with its status timeline, deliverable and follow-up.

About one in ten substantial conversations (a consultation, question or deliverable at READ 3
or more, not confidential) becomes a request: the touchpoint's question is the need, its people
and group are the request's, its author owns it, and the touchpoint is linked to it. Each
request gets a planned life when it is opened — started within a few days, delivered in time
for its due date more often than not, followed up `follow_up_days` after delivery (often a few
days late), then closed; a few are declined — and the rows show that life as far as it has got
by the end of the period, so old requests are closed and recent ones still open.

The last few requests of each owner are held back until the stream ends, then written with a
guarantee: every owner with recent requests has one that is due (or overdue) and one delivered
request whose follow-up is due, so the Today page has something to show whenever the demo
ends. Only those few are held; everything else is written as soon as it leaves that tail.
"""

import bisect
import json
import random
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rapport.demo.base import (
    DELIVERABLE,
    REQUEST,
    REQUEST_PERSON,
    REQUEST_TOUCHPOINT,
    STATUS_CHANGE,
    Batch,
    Buffer,
    Calendar,
    stamp,
)
from rapport.demo.disciplines import DISCIPLINES, PURPOSES, Discipline
from rapport.demo.text import OUTCOMES

KINDS = frozenset({"consultation", "question", "deliverable"})
SHARE = 0.1  # of the eligible touchpoints, the share that opens a request
DECLINED = 0.07
HELD = 5  # the requests per owner held back until the end
# READ level -> due in (days), and the days of work once started
DUE_DAYS = {3: (3, 5, 7, 10), 4: (5, 7, 10, 14), 5: (7, 10, 14, 21), 6: (14, 21, 28, 42)}
FOLLOW_UP_DAYS = ((14, 7, 30), (80, 10, 10))
OFFICE = (9 * 3600, 17 * 3600 + 1800)

FUNDERS = (
    "Research Council project grant",
    "Foundation fellowship",
    "Seed fund award",
    "Doctoral training grant",
    "Innovation voucher",
)
SCOPES = (
    "Peer-reviewed articles since 2015, English only.",
    "Anything from the last ten years, including grey literature.",
    "Key texts only; they have limited time to read.",
    "Primary sources first, secondary literature later.",
    "International comparisons welcome.",
    "UK and European material.",
    "Both published data and data on request from authors.",
)
FORMATS = (
    "A short list of key sources",
    "The search strategy as a document",
    "A Zotero group library",
    "A spreadsheet of sources",
    "A 30-minute walk-through",
    "An e-mail summary",
    "Slides for the session",
)
DELIVERABLES = (
    ("Search strategy: {topic}", "Search strings for {database} and {database2}, with hit "
     "counts and notes on which subject headings worked.", "search-strategies"),
    ("Reading list on {topic}", "Twenty key sources, grouped by theme, with a line on each.",
     "reading-lists"),
    ("Data sources: {dataset}", "Where to get {dataset}, the licence terms and how to cite "
     "them.", "data"),
    ("Guide to {database}", "A short guide to searching {database}, written for this group.",
     "guides"),
    ("Literature summary: {topic}", "A summary of the main findings and gaps on {topic}.",
     "summaries"),
    ("{method}: methods sources", "Methods papers and textbooks on {method}, with the ones to "
     "read first marked.", "reading-lists"),
)  # fmt: skip
REQUEST_OUTCOMES = (
    *OUTCOMES,
    "They used the search strategy unchanged",
    "The reading list went to the whole team",
    "Found what they needed; no more help wanted",
    "Booked a session for their students",
)
STORIES = (
    "The search strategy we built went into {purpose}; the reviewers called the method thorough.",
    "With {dataset} in hand the team could finish {purpose} on time.",
    "Our sources on {topic} changed the argument of {purpose}.",
    "The session on {database} is now part of the {course} induction.",
    "After the work on {topic} the group asked us to join their next project.",
)
STORY_TAGS = (
    "grants", "publications", "teaching", "theses", "systematic-reviews", "open-research",
    "data", "policy", "collaboration", "student-success",
)  # fmt: skip
DECLINE_NOTES = (
    "Outside what the library can do; pointed to the graduate school.",
    "They found it themselves before we started.",
    "Duplicate of a request from a colleague.",
    "The project was cancelled.",
)
START_NOTES = ("", "", "", "Booked time for it this week.", "Asked a colleague to help.")
DELIVER_NOTES = ("", "", "Sent by e-mail.", "Walked them through it.")
FOLLOW_NOTES = ("", "Checked in by e-mail.", "Asked in passing; it helped.")


@dataclass(slots=True)
class Planned:
    """A request as opened, with its planned life; `steps` are (status, epoch, day, note)."""

    id: int
    touchpoint: int
    owner: int
    group: int | None
    people: tuple[int, ...]
    need: str
    discipline: int
    student: bool
    created: int
    day: int
    due: int  # due day
    follow_up_days: int
    steps: list[tuple[str, int, int, str]]


def headline(need: str) -> str:
    """A short title: the need's first sentence, cut at a word before 70 characters."""
    first = need.split(". ", 1)[0].split("; ", 1)[0].rstrip(".?")
    if len(first) <= 70:
        return first
    return first[:70].rsplit(" ", 1)[0].rstrip(",") + "…"


class Requests:
    """Collects the requests opened as touchpoints stream by and writes their rows."""

    def __init__(self, cal: Calendar, rng: random.Random) -> None:
        self.cal, self.rng = cal, rng
        self.end = cal.end_epoch
        self.end_day = cal.days - 1
        self.held: dict[int, deque[Planned]] = {}
        self.out = {
            name: Buffer(spec)
            for name, spec in (
                ("request", REQUEST),
                ("person", REQUEST_PERSON),
                ("touchpoint", REQUEST_TOUCHPOINT),
                ("change", STATUS_CHANGE),
                ("deliverable", DELIVERABLE),
            )
        }
        self.ids = dict.fromkeys(self.out, 0)
        self.draw = {
            "topic": lambda d: rng.choice(d.topics),
            "dataset": lambda d: rng.choice(d.datasets),
            "database": lambda d: rng.choice(d.databases),
            "database2": lambda d: rng.choice(d.databases),
            "method": lambda d: rng.choice(d.methods),
            "course": lambda d: f"{d.code} {rng.choice(d.courses)}",
            "purpose": lambda d: rng.choice(PURPOSES),
        }

    # Time ---------------------------------------------------------------------------------

    def workday(self, day: int, back: bool = False) -> int:
        weekday = self.cal.date(day).weekday()
        if weekday < 5:
            return day
        return day - (weekday - 4) if back else day + (7 - weekday)

    def moment(self, day: int, after: int) -> tuple[int, int]:
        """An office-hours time on `day` (moved off weekends) and its day, later than `after`
        (which lies on that day or before): a while after it, or the next working morning."""
        rng = self.rng
        day = self.workday(day)
        at = self.cal.at(day, rng.randrange(*OFFICE, 60))
        if at > after:
            return at, day
        at = after + rng.randint(300, 3600)
        if at < self.cal.at(day + 1, 0):
            return at, day
        day = self.workday(day + 1)
        return self.cal.at(day, rng.randrange(*OFFICE, 60)), day

    def day_of(self, epoch: int) -> int:
        return bisect.bisect_right(self.cal.midnight, epoch) - 1

    # Opening and planning --------------------------------------------------------------------

    def consider(
        self,
        touchpoint: int,
        logged: int,
        read: int,
        author: int,
        group: int | None,
        people: tuple[int, ...],
        need: str,
        discipline: int,
        student: bool,
    ) -> None:
        """Called for each eligible touchpoint; opens a request from about one in ten."""
        rng = self.rng
        if rng.random() >= SHARE:
            return
        self.ids["request"] += 1
        day = self.day_of(logged)
        req = Planned(
            self.ids["request"], touchpoint, author, group, people, need, discipline, student,
            logged, day, day + rng.choice(DUE_DAYS[read]),
            rng.choices(*FOLLOW_UP_DAYS)[0], [],
        )  # fmt: skip
        self.plan(req)
        tail = self.held.setdefault(author, deque())
        tail.append(req)
        if len(tail) > HELD:
            self.write(tail.popleft())

    def plan(self, req: Planned) -> None:
        rng, steps = self.rng, req.steps
        if rng.random() < DECLINED:
            at, day = self.moment(req.day + rng.randint(0, 4), req.created)
            steps.append(("declined", at, day, rng.choice(DECLINE_NOTES)))
            return
        at, day = self.moment(req.day + rng.choice((0, 0, 1, 1, 2, 3)), req.created)
        steps.append(("in_progress", at, day, rng.choice(START_NOTES)))
        if rng.random() < 0.75:  # in time
            work = rng.randint(0, max(0, req.due - day))
        else:
            work = max(0, req.due - day) + rng.randint(1, 10)
        at, day = self.moment(day + work, at)
        steps.append(("delivered", at, day, rng.choice(DELIVER_NOTES)))
        roll = rng.random()
        late = rng.randint(0, 2) if roll < 0.6 else rng.randint(3, 7) if roll < 0.9 else 14
        at, day = self.moment(day + req.follow_up_days + late, at)
        steps.append(("followed_up", at, day, rng.choice(FOLLOW_NOTES)))
        roll = rng.random()
        if roll < 0.55:  # closed at the check-in itself
            steps.append(("closed", at + rng.randint(120, 900), day, ""))
        elif roll < 0.97:
            at, day = self.moment(day + rng.randint(1, 10), at)
            steps.append(("closed", at, day, ""))

    def stage(self, tail: deque[Planned]) -> None:
        """Make sure an owner's latest requests include one due and one follow-up due."""
        end, end_day, rng = self.end, self.end_day, self.rng

        def status(req: Planned) -> str:
            done = [s for s in req.steps if s[1] <= end]
            return done[-1][0] if done else "new"

        live = [r for r in tail if r.steps[0][0] != "declined"]
        if not live:
            return
        due = [r for r in live if status(r) in ("new", "in_progress") and r.due <= end_day + 7]
        if not due:  # the newest is not delivered yet and falls due about now
            req = live[-1]
            req.steps = [s for s in req.steps[:1] if s[1] <= end]
            if req.due > end_day + 7:
                req.due = max(req.day + 1, end_day + rng.randint(-3, 7))
            due = [req]
        follow = [
            r
            for r in live
            if status(r) == "delivered"
            and next(s[2] for s in r.steps if s[0] == "delivered") + r.follow_up_days <= end_day
        ]
        candidates = [r for r in live if r.day <= end_day - 8 and (len(due) > 1 or r is not due[0])]
        if follow or not candidates:
            return
        req = candidates[-1]  # delivered a fortnight (or a week) ago, not yet followed up
        req.follow_up_days = 14 if req.day <= end_day - 16 else 7
        start_at, start_day = self.moment(req.day, req.created)
        latest = self.workday(end_day - req.follow_up_days - rng.randint(0, 3), back=True)
        if latest < start_day:
            latest = self.workday(end_day - req.follow_up_days, back=True)
        if latest < start_day:
            return
        at, day = self.moment(latest, start_at)
        if day + req.follow_up_days > end_day:
            return
        req.steps = [("in_progress", start_at, start_day, ""), ("delivered", at, day, "")]
        if req.due > day + 7:
            req.due = day + rng.randint(0, 3)

    def finish(self) -> Iterator[Batch]:
        """Stage and write the held requests, then hand over the last rows."""
        for owner in sorted(self.held):
            tail = self.held[owner]
            self.stage(tail)
            for req in tail:
                self.write(req)
        self.held.clear()
        yield from self.flush()

    # Rows -----------------------------------------------------------------------------------

    def flush(self) -> Iterator[Batch]:
        """The rows so far, requests before the rows that point at them."""
        for buffer in self.out.values():
            if buffer.rows:
                yield buffer.take()

    def next_id(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    def slots(self, d: Discipline) -> "_Slots":
        """Template slots for one request: drawn when first named, the same when named again."""
        return _Slots(self.draw, d)

    def write(self, req: Planned) -> None:
        rng, cal, out, end = self.rng, self.cal, self.out, self.end
        d = DISCIPLINES[req.discipline]
        slots = self.slots(d)
        steps = [s for s in req.steps if s[1] <= end]
        changes, previous = out["change"].rows, "new"
        changes.append(
            (self.next_id("change"), req.id, "", "new", stamp(req.created), req.owner, "")
        )
        for status, at, _, note in steps:
            changes.append(
                (self.next_id("change"), req.id, previous, status, stamp(at), req.owner, note)
            )
            previous = status
        status = previous
        changed = steps[-1][1] if steps else req.created
        delivered = next((s for s in steps if s[0] == "delivered"), None)
        followed = next((s for s in steps if s[0] == "followed_up"), None)
        follow_up_on = None
        if delivered:
            follow_up_on = cal.iso(delivered[2] + req.follow_up_days)
            title, text, folder = rng.choice(DELIVERABLES)
            title = title.format_map(slots)
            title = title[0].upper() + title[1:]
            url = f"https://library.example/{folder}/{d.key}-{req.id}" if rng.random() < 0.4 else ""
            out["deliverable"].rows.append((
                self.next_id("deliverable"), req.id, title[:200], url, "", text.format_map(slots),
                stamp(delivered[1]), req.owner,
            ))  # fmt: skip
        outcome = story = ""
        tags: list[str] = []
        story_at = None
        if followed:
            outcome = rng.choice(REQUEST_OUTCOMES)
            if rng.random() < 0.33:
                story = rng.choice(STORIES).format_map(slots)
                tags = rng.sample(STORY_TAGS, rng.randint(1, 2))
                story_at = followed[1]
        purpose = f"For {rng.choice(PURPOSES)}." if rng.random() < 0.6 else ""
        project = grant = course = ""
        if req.student:
            if rng.random() < 0.6:
                course = f"{d.code} {rng.choice(d.courses)}"
        elif rng.random() < 0.5:
            project = f"{rng.choice(d.themes)}: {rng.choice(d.topics)}"
            if rng.random() < 0.35:
                grant = f"{rng.choice(FUNDERS)} {cal.date(req.day).year}/{rng.randint(1, 9999):04d}"
        deadline = cal.iso(req.day + rng.randint(10, 70)) if rng.random() < 0.35 else None
        scope = rng.choice(SCOPES) if rng.random() < 0.5 else ""
        preferred = rng.choice(FORMATS) if rng.random() < 0.5 else ""
        updated = max(changed, story_at or 0)
        out["request"].rows.append((
            req.id, headline(req.need), req.need, purpose, project, grant, course, deadline,
            scope, preferred, cal.iso(req.due), status, stamp(changed), req.follow_up_days,
            follow_up_on, stamp(followed[1]) if followed else None, outcome, story,
            json.dumps(tags), stamp(story_at) if story_at else None, stamp(req.created),
            stamp(updated), req.owner, req.group, req.owner, 1,
        ))  # fmt: skip
        for person in req.people:
            out["person"].rows.append((self.next_id("person"), req.id, person))
        out["touchpoint"].rows.append((self.next_id("touchpoint"), req.id, req.touchpoint))


class _Slots(dict):
    """Template slots, drawn only when a template names them and kept for the next one."""

    def __init__(self, draw: dict[str, Callable[[Discipline], str]], d: Discipline) -> None:
        super().__init__()
        self.draw_slot, self.d = draw, d

    def __missing__(self, key: str) -> str:
        value = self[key] = self.draw_slot[key](self.d)
        return value
