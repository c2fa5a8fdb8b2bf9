"""The shape of a generated library before any row exists: institutions, their departments
and units, sized so the people add up to the tier exactly, and the roles people hold.

Departments have 50–400 staff and research students (log-uniform, as real ones spread from a
small unit to a large school) plus taught students; each institution has up to one department
per discipline, so the larger tiers read as a consortium of universities.
"""

import itertools
import math
import random
from dataclasses import dataclass, field

from rapport.demo import names
from rapport.demo.base import Tier, ascii_name
from rapport.demo.disciplines import DISCIPLINES

# role -> status, job titles ({} is the discipline), activity factor, role in the department
# fmt: off
ROLES = {
    "faculty": ("faculty", ("Professor of {}", "Reader in {}", "Senior Lecturer in {}",
                            "Lecturer in {}", "Associate Professor of {}"), 1.3, "faculty"),
    "researcher": ("researcher", ("Research Fellow in {}", "Senior Research Fellow",
                                  "Research Scientist"), 1.2, "research staff"),
    "postdoc": ("postdoc", ("Postdoctoral Research Associate", "Research Associate in {}"),
                1.5, "postdoc"),
    "phd": ("student", ("PhD candidate in {}", "Doctoral researcher in {}"), 1.6, "PhD student"),
    "staff": ("staff", ("Department administrator", "Laboratory technician",
                        "Research manager", "Teaching coordinator"), 0.5, "professional staff"),
    "visitor": ("external", ("Visiting researcher", "Honorary fellow"), 0.5, "visitor"),
    "other": ("other", ("Emeritus Professor of {}", "Affiliate"), 0.3, "affiliate"),
    "undergrad": ("student", ("BSc student in {}", "MSc student in {}", "MA student in {}"),
                  0.3, "student"),
    "unit": ("staff", ("Research development manager", "Programme officer",
                       "Graduate school administrator", "Learning technologist"), 0.6, "member"),
}
STAFF_MIX = (("faculty", "researcher", "postdoc", "phd", "staff", "visitor", "other"),
             (22, 8, 13, 35, 12, 5, 5))
# fmt: on
RESEARCH = frozenset({"researcher", "postdoc", "phd"})
COMMITTEES = ("Library Committee", "Research Ethics Committee", "Open Research Working Group")
UNITS = ("Graduate School", "Research Office", "Teaching and Learning Centre")


@dataclass
class Institution:
    name: str
    domain: str
    suffix: str  # added to group names so two universities' departments stay apart
    departments: list[tuple[int, int, int]]  # (discipline index, staff, students)
    units: list[int]  # staff of each unit
    seen: dict[str, int] = field(default_factory=dict)  # e-mail local parts given out


def plan(tier: Tier, rng: random.Random) -> list[Institution]:
    """Departments and units sized so the people add up to exactly `tier.people`."""
    keys = [d.key for d in DISCIPLINES]
    chosen = [keys.index(k) for k in tier.disciplines]
    reserve = max(3, round(tier.people * 0.02))  # staff of units
    target, lo, hi = tier.people - reserve, *tier.staff
    blocks: list[list[int]] = []
    total = 0
    while total < target:
        staff = min(hi, round(math.exp(rng.uniform(math.log(lo), math.log(hi + 1)))))
        jitter = 1.0 if tier.disciplines else rng.uniform(0.6, 1.4)
        students = round(staff * tier.student_ratio * jitter)
        left = target - total
        if blocks and left < (staff + students) / 2:
            blocks[-1][1] += left  # too few for a department of its own: more students
            total = target
            break
        staff, students = min(staff, left), min(students, max(0, left - staff))
        blocks.append([staff, students])
        total += staff + students
    per = len(chosen) or len(keys)
    first = ("Northfield", "{} University")  # the demo's university, always the first
    places = [p for p in itertools.product(names.PLACES, names.INSTITUTION_FORMS) if p != first]
    rng.shuffle(places)
    places.insert(0, first)
    institutions = []
    for n, start in enumerate(range(0, len(blocks), per)):
        order = chosen or rng.sample(range(len(keys)), len(keys))
        depts = [(order[i], s, st) for i, (s, st) in enumerate(blocks[start : start + per])]
        place, form = places[n % len(places)]
        name = form.format(place) + (f" {n // len(places) + 1}" if n >= len(places) else "")
        units = 1 + (len(depts) >= 6) + (len(depts) >= 11)
        domain = ascii_name(place if n == 0 else name)
        institutions.append(
            Institution(
                name, f"{domain}.ac.example", "" if n == 0 else f" ({name})", depts, [0] * units
            )
        )
    slots = [(i, u) for i, inst in enumerate(institutions) for u in range(len(inst.units))]
    for k in range(reserve):
        i, u = slots[k % len(slots)]
        institutions[i].units[u] += 1
    return institutions


def orcid(rng: random.Random) -> str:
    digits = f"0000000{rng.randint(1, 3)}{rng.randrange(10**7):07d}"
    total = 0
    for ch in digits:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    digits += "X" if check == 10 else str(check)
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))
