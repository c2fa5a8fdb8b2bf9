"""Current awareness for the demo library: items worth telling people about, publications of
the research staff, some people subscribed, and a first matching run so the review queue has
suggestions. Written for this project from the disciplines' own vocabulary.

Like the rest of the loader this writes rows directly and is not audited."""

import datetime as dt
import random
from collections.abc import Iterable

from django.utils import timezone

from rapport.awareness.formats import title_key
from rapport.awareness.matching import run_matching
from rapport.awareness.models import Item, MatchRun, Publication, SourceKind, Subscription
from rapport.demo.disciplines import DISCIPLINES, Discipline
from rapport.people.models import Person

ITEMS_PER_DISCIPLINE = 8
RESEARCH_STATUSES = ("faculty", "researcher")

TITLES = (
    "{method} reveals new evidence on {topic}",
    "A systematic review of {topic}",
    "{topic}: a dataset built from {dataset}",
    "Rethinking {topic} with {method}",
    "Open {dataset} for research on {topic}",
    "What {method} can and cannot tell us about {topic}",
)
ABSTRACT = (
    "We study {topic} using {method}. Drawing on {dataset}, we report findings that matter "
    "for {theme} and discuss how researchers can find and reuse the evidence."
)


def _words(d: Discipline, rng: random.Random) -> dict[str, str]:
    return {
        "topic": rng.choice(d.topics),
        "method": rng.choice(d.methods),
        "dataset": rng.choice(d.datasets),
        "theme": rng.choice(d.themes).lower(),
    }


def _fill(text: str, words: dict[str, str]) -> str:
    """A template filled in, its first letter capitalised; title and abstract share words."""
    filled = text.format(**words)
    return filled[0].upper() + filled[1:]


def _items(rng: random.Random, today: dt.date) -> list[Item]:
    items = []
    for d in DISCIPLINES:
        for n in range(ITEMS_PER_DISCIPLINE):
            words = _words(d, rng)
            title = _fill(rng.choice(TITLES), words)
            items.append(
                Item(
                    kind="dataset" if "dataset" in title.lower() else "article",
                    title=title,
                    abstract=_fill(ABSTRACT, words),
                    authors=[f"Author {d.code}-{n + 1}"],
                    venue=rng.choice(d.journals),
                    published_on=today - dt.timedelta(days=rng.randrange(1, 60)),
                    doi=f"10.5555/demo.{d.key}.{n + 1}",
                    link=f"https://doi.org/10.5555/demo.{d.key}.{n + 1}",
                    title_key=title_key(title),
                    source_kind=SourceKind.MANUAL,
                    source="demo library",
                )
            )
    unique = {i.title_key: i for i in items}
    return list(unique.values())


def _discipline_of(person: Person) -> Discipline | None:
    for d in DISCIPLINES:
        if person.department.removeprefix("Department of ").startswith(d.name):
            return d
    return None


def _publications(people: Iterable[Person], rng: random.Random, today: dt.date) -> list:
    rows = []
    for person in people:
        d = _discipline_of(person)
        if d is None:
            continue
        seen = set()
        for _ in range(rng.randint(2, 4)):
            words = _words(d, rng)
            title = _fill(rng.choice(TITLES), words)
            key = title_key(title)
            if key in seen:
                continue
            seen.add(key)
            rows.append(
                Publication(
                    person=person,
                    title=title,
                    abstract=_fill(ABSTRACT, words),
                    authors=[person.full_name],
                    venue=rng.choice(d.journals),
                    published_on=today - dt.timedelta(days=rng.randrange(60, 2000)),
                    keywords=[words["topic"]],
                    title_key=key,
                    source_kind=SourceKind.BIBTEX,
                )
            )
    return rows


def add_awareness(seed: int = 1, *, match: bool = True) -> dict[str, int]:
    """Items, publications and subscriptions for the demo, then one matching run."""
    rng = random.Random(f"awareness:{seed}")
    today = timezone.localdate()
    items = Item.objects.bulk_create(_items(rng, today))
    research = list(
        Person.objects.filter(status__in=RESEARCH_STATUSES, archived_at__isnull=True).order_by("pk")
    )
    pubs = Publication.objects.bulk_create(_publications(research, rng, today))
    subscribed = [p for p in research if rng.random() < 0.5]
    Subscription.objects.bulk_create(
        Subscription(person=p, consented_at=timezone.now(), frequency="weekly") for p in subscribed
    )
    kept = 0
    if match:
        run = MatchRun.objects.create(scope="all")
        kept = run_matching(run.pk).matches_kept
    return {
        "items": len(items),
        "publications": len(pubs),
        "subscriptions": len(subscribed),
        "suggestions": kept,
    }
