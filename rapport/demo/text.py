"""Question, answer and note text for generated touchpoints: templates per kind, filled with a
discipline's vocabulary, so lengths and wording vary the way a librarian's notes do.

Each template names only the slots it uses; `Writer` fills just those, because the benchmark
tiers write ten million of these and every random draw counts.
"""

import random
import string
from collections.abc import Callable

from rapport.demo.disciplines import DEADLINES, GENERAL_TOOLS, PURPOSES, Discipline

# kind -> (template, tags it implies)
TEMPLATES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "question": (
        ("Looking for {dataset} on {topic} for {purpose}.", ("data",)),
        ("Needs peer-reviewed sources on {topic}; has only found grey literature so far.", ()),
        (
            "Asked how to search {database} for {topic} without drowning in irrelevant hits.",
            ("searching",),
        ),
        (
            "Can we get the full text of an older article on {topic}? It is not in our holdings.",
            ("document-delivery",),
        ),
        ("How do I find {dataset}? It is for {purpose}, {deadline}.", ("data",)),
        ("Asked which database covers {topic} best, {database} or {database2}.", ("searching",)),
        ("Interlibrary loan request for a monograph on {topic}.", ("interlibrary-loan",)),
        ("Question about copyright for reusing figures on {topic} in {purpose}.", ("copyright",)),
        ("Wants an alert in {database} for new work on {topic}.", ("alerts",)),
        ("Where can I find statistics on {topic} going back to the 1990s?", ("statistics",)),
        ("Unsure how to cite {dataset} in {style} style.", ("citation",)),
        (
            "Asked whether we subscribe to {journal}, and if not how to get a paper from it.",
            ("access",),
        ),
        ("Wants to know who else here works on {topic}, with a view to {purpose}.", ()),
        ("Asked for help finding a review article on {method} applied to {topic}.", ()),
        ("Needs the original source of a much-quoted claim about {topic}.", ("fact-checking",)),
    ),
    "hallway": (
        (
            "Stopped me in the corridor with a quick question about {tool} and {topic}.",
            ("reference-management",),
        ),
        ("Walk-by chat about {topic}; promised to send a couple of starting points.", ()),
        ("Asked in passing whether the library can get {dataset}.", ("data",)),
        (
            "Quick one at the coffee machine: exporting references from {database} to {tool}.",
            ("reference-management",),
        ),
        ("Mentioned starting work on {topic}; offered a search session.", ()),
        (
            "Caught me after the seminar to ask about open access fees for {journal}.",
            ("open-access",),
        ),
        ("Said hello and asked when the next {tool} workshop runs.", ("training",)),
        ("Passing question: is {database} down, or is it just the VPN?", ("access",)),
    ),
    "email": (
        ("E-mail: cannot reach {database} off campus while working on {topic}.", ("access",)),
        ("Asked by e-mail for help formatting references in {style} for {purpose}.", ("citation",)),
        (
            "E-mailed to ask whether a paper on {topic} in {journal} is covered by our open access "
            "agreement.",
            ("open-access",),
        ),
        ("Sent a list of {n} references to check against our holdings.", ("holdings",)),
        (
            "Follow-up to the {course} session: asked for the slides and the {database} search "
            "strings.",
            ("training",),
        ),
        ("E-mail asking for a book on {topic} to be bought for the library.", ("acquisitions",)),
        (
            "Asked how to deposit a paper on {topic} in the repository before the deadline.",
            ("open-access", "repository"),
        ),
    ),
    "consultation": (
        (
            "Search strategy consultation for a systematic review on {topic}: built the {database} "
            "string together and agreed the inclusion criteria.",
            ("systematic-review",),
        ),
        (
            "One-to-one on data management for {purpose}: storage, sharing and what the funder "
            "requires.",
            ("research-data",),
        ),
        (
            "Consultation on the {method} literature: mapped the key authors and review articles "
            "on {topic}.",
            (),
        ),
        (
            "Met to plan the literature review for {purpose}; covered {database}, {database2} and "
            "citation chaining.",
            ("literature-review",),
        ),
        (
            "Helped design a search for {dataset} related to {topic}. Likely to need several "
            "sessions.",
            ("data",),
        ),
        (
            "Publishing consultation: where to submit a paper on {topic}, open access routes and "
            "how to spot a predatory journal.",
            ("publishing",),
        ),
        (
            "Research impact consultation: tracking citations and altmetrics for work on {topic}.",
            ("bibliometrics",),
        ),
    ),
    "instruction": (
        ("Taught a workshop on searching {database} for {course} students.", ("training",)),
        (
            "Information literacy session for {course}: evaluating sources on {topic}.",
            ("training", "information-literacy"),
        ),
        ("Ran a {tool} training session for the team.", ("training", "reference-management")),
        ("Guest lecture in {course} on finding {dataset}.", ("training", "data")),
        ("Drop-in clinic on reference management with {tool}.", ("training",)),
        (
            "Session on systematic searching for {course}, with exercises on {topic}.",
            ("training", "systematic-review"),
        ),
    ),
    "meeting": (
        ("Attended the lab meeting; discussion of {topic} and a new grant on {topic2}.", ()),
        ("Team meeting: presented the library's support for {purpose}.", ("outreach",)),
        ("Sat in on the journal club; the paper used {method}.", ()),
        (
            "Department meeting: update on the {database} subscription and open access deals.",
            ("open-access",),
        ),
        ("Project meeting on {topic}; agreed to scope the literature before the next one.", ()),
    ),
    "deliverable": (
        (
            "Sent a literature search on {topic}: {n} references, deduplicated in {tool}.",
            ("literature-search",),
        ),
        ("Delivered a curated list of {dataset} for {purpose}.", ("data",)),
        ("Shared a saved search and alert for {topic} in {database}.", ("alerts",)),
        ("Sent the bibliometric report for {purpose}.", ("bibliometrics",)),
        ("Delivered an annotated bibliography on {topic}.", ("literature-search",)),
        (
            "Sent the search strings and PRISMA flow numbers for the review on {topic}.",
            ("systematic-review",),
        ),
    ),
}

EXTRAS = (
    "Already tried {database} without much luck.",
    "A co-author in another department may need the same.",
    "The deadline is tight.",
    "Prefers e-mail for the follow-up.",
    "Second time this term this has come up.",
    "Their supervisor suggested asking the library.",
    "It is for {purpose}.",
    "Would like to be shown how, not just sent the answer.",
)

ANSWERS = (
    "Pointed to {database} and showed the subject headings for {topic}.",
    "Found it through interlibrary loan; it arrived three days later.",
    "Sent a short guide to {tool} and a link to the next workshop.",
    "We do not subscribe; suggested the open access version and writing to the author.",
    "Walked through advanced search in {database} and saved the search for them.",
    "Suggested {dataset}; they will check the licence terms.",
    "Explained {style} references and shared the guide.",
    "Set up the alert together; will check in next month.",
    "Booked a longer appointment to go through it properly.",
    "Passed it to the data librarian, copied in.",
)

OUTCOMES = (
    "Used in the grant proposal", "Search strategy adopted in the protocol", "Paper submitted",
    "Referred a colleague", "Asked for a follow-up session", "Added to the reading list",
    "No further action needed", "Thanked us in the acknowledgements", "Cited in the thesis",
)  # fmt: skip

CONFIDENTIAL = (
    "Talked through a difficult supervision situation; pointed to the graduate school's "
    "confidential support.",
    "Grant was rejected and the contract ends soon; discussed the next funding calls.",
    "Worried about a possible plagiarism allegation; explained how the checks work.",
    "Health problems are delaying the thesis; talked about extensions and what to ask for.",
)

CONFIDENTIAL_NEXT = (
    "Agreed to check in after the holidays.",
    "Will follow up next week.",
    "No notes kept beyond this.",
    "Offered another meeting if it helps.",
    "Suggested talking to the department's wellbeing lead.",
)

PERSON_NOTES = (
    "Prefers e-mail; rarely at the desk before 11.",
    "Very interested in open research; good advocate for the library.",
    "Co-author on the 2024 review with the library.",
    "Works part-time, Monday to Wednesday.",
    "Asked not to be sent newsletters.",
    "Runs the department's journal club.",
    "New to the country; likes a walk-through rather than a guide.",
    "Sits on the research committee.",
)

_FORMATTER = string.Formatter()


def _slots(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in _FORMATTER.parse(template) if name)


def _compile(pairs: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple:
    return tuple((t, _slots(t), tags) for t, tags in pairs)


_COMPILED = {kind: _compile(pairs) for kind, pairs in TEMPLATES.items()}
_EXTRAS = tuple((t, _slots(t)) for t in EXTRAS)
_ANSWERS = tuple((t, _slots(t)) for t in ANSWERS)


class Writer:
    """Fills templates from one random stream, so the same seed writes the same words."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        choice = rng.choice
        # slot -> draw(discipline); only the slots a template names are ever drawn.
        self.draw: dict[str, Callable[[Discipline], str]] = {
            "topic": lambda d: choice(d.topics),
            "topic2": lambda d: choice(d.topics),
            "dataset": lambda d: choice(d.datasets),
            "database": lambda d: choice(d.databases),
            "database2": lambda d: choice(d.databases),
            "method": lambda d: choice(d.methods),
            "course": lambda d: f"{d.code} {choice(d.courses)}",
            "journal": lambda d: choice(d.journals),
            "style": lambda d: d.style,
            "tool": lambda d: choice(GENERAL_TOOLS),
            "purpose": lambda d: choice(PURPOSES),
            "deadline": lambda d: choice(DEADLINES),
            "n": lambda d: str(rng.randint(12, 240)),
        }

    def fill(self, template: str, slots: tuple[str, ...], d: Discipline) -> str:
        draw = self.draw
        return template.format_map({s: draw[s](d) for s in slots})

    def question(self, kind: str, d: Discipline) -> tuple[str, list[str]]:
        """The question or note for a touchpoint, and the tags its template implies."""
        rng = self.rng
        template, slots, tags = rng.choice(_COMPILED[kind])
        text = self.fill(template, slots, d)
        roll = rng.random()
        if roll < 0.35:
            extra, extra_slots = rng.choice(_EXTRAS)
            text = f"{text} {self.fill(extra, extra_slots, d)}"
            if roll < 0.08:
                extra, extra_slots = rng.choice(_EXTRAS)
                text = f"{text} {self.fill(extra, extra_slots, d)}"
        tag_list = list(tags)
        if rng.random() < 0.3:
            tag = rng.choice(d.tags)
            if tag not in tag_list:
                tag_list.append(tag)
        return text, tag_list

    def answer(self, d: Discipline) -> str:
        template, slots = self.rng.choice(_ANSWERS)
        return self.fill(template, slots, d)

    def outcome(self) -> str:
        return self.rng.choice(OUTCOMES)

    def confidential(self) -> str:
        text = self.rng.choice(CONFIDENTIAL)
        return f"{text} {self.rng.choice(CONFIDENTIAL_NEXT)}"


def topic_of(text: str) -> str:
    """A short headline for lists: the same rule the touchpoint services apply on capture."""
    first = text.split("\n", 1)[0]
    if len(first) <= 120:
        return first
    return first[:120].rsplit(" ", 1)[0] + "…"
