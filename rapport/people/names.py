"""Finding a person by what a librarian typed: the one home of name matching.

The capture line's ``@Ana``, every form's people field, and the autocomplete that helps type
them all find people here, within the people the user may see (`queries.people_for`), so the
same words find the same person everywhere. How a mention is written is `mentions.py`.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

from rapport.accounts.models import User
from rapport.errors import Invalid
from rapport.people.mentions import mention_for, split_mentions
from rapport.people.models import Person
from rapport.people.queries import people_for, search_people

__all__ = [
    "UnknownPeople",
    "choices_for",
    "mention_for",
    "one_person",
    "people_from_mentions",
    "resolve_mentions",
    "suggest",
]

CANDIDATES = 6


class UnknownPeople(Invalid):
    """Mentions that match nobody (offer to create them) or several people (ask which)."""

    def __init__(self, unknown: list[str], ambiguous: dict[str, list[Person]]) -> None:
        parts = []
        if unknown:
            parts.append(
                "No one called "
                + ", ".join(f"“{n}”" for n in unknown)
                + " yet: create them, or check the spelling."
            )
        for name, matches in ambiguous.items():
            names = ", ".join(
                p.full_name + (f" <{p.email}>" if p.email else "") for p in matches[:5]
            )
            parts.append(f"“{name}” could be {names}: type more of the name.")
        super().__init__(" ".join(parts), {"people": parts})
        self.unknown = unknown
        self.ambiguous = ambiguous


def resolve_mentions(
    by: User, mentions: Iterable[str]
) -> tuple[list[Person], list[str], dict[str, list[Person]]]:
    """Match mentions to people the user may see: by e-mail, exact name, then name prefix.
    Returns the people found, the names matching nobody, and those matching several."""
    found: list[Person] = []
    unknown: list[str] = []
    ambiguous: dict[str, list[Person]] = {}
    scope = people_for(by)
    for mention in mentions:
        needle = " ".join(mention.split()).lower()
        if "@" in needle:
            matches = list(scope.filter(search_text__contains=needle)[:CANDIDATES])
            matches = [p for p in matches if needle in p.emails] or matches
            if not matches:
                # An exact address the user already knows identifies one person even outside
                # their groups, and avoids a duplicate; several matches reveal nothing.
                outside = list(Person.objects.filter(email=needle, archived_at=None)[:2])
                matches = outside if len(outside) == 1 else []
        else:
            matches = _by_name(scope, needle)
            if not matches and "." in needle:
                matches = list(scope.filter(search_text__contains=needle)[:CANDIDATES])
        if len(matches) == 1:
            if matches[0] not in found:
                found.append(matches[0])
        elif matches:
            ambiguous[mention] = matches
        else:
            unknown.append(mention)
    return found, unknown, ambiguous


def _by_name(scope: Any, needle: str) -> list[Person]:
    """People whose name is the needle, else whose name starts with it (at most six).

    Matches the lower-cased search_text rather than full_name with iexact, because SQLite folds
    case for ASCII letters only and "Łukasik" must be found as surely as "Lukasik".
    """
    candidates = list(scope.filter(search_text__startswith=needle).order_by("search_text")[:50])
    exact = [p for p in candidates if " ".join(p.full_name.split()).lower() == needle]
    if exact:
        return exact[:CANDIDATES]
    names = [p for p in candidates if p.full_name.lower().startswith(needle)]
    return sorted(names, key=lambda p: p.full_name)[:CANDIDATES]


def exact_mention(person: Person) -> str:
    """A mention that finds this person and no namesake: the e-mail when there is one."""
    return f"@{person.email}" if person.email else mention_for(person.full_name)


def choices_for(line: str, ambiguous: dict[str, list[Person]]) -> list[tuple[str, list]]:
    """For each ambiguous name: its candidates, each with the line rewritten to name them
    exactly (None when the name was typed in a form we cannot find again in the line)."""
    result = []
    for name, people in ambiguous.items():
        typed = f"@{name}"
        options = [
            (p, line.replace(typed, exact_mention(p), 1) if typed in line else None) for p in people
        ]
        result.append((name, options))
    return result


def suggest(user: User, typed: str, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` people for what is typed so far, as the autocomplete offers them: those
    whose name starts with it first, then a word of it, then anywhere; recent contacts first."""
    q = " ".join(typed.lstrip("@").strip('"{“').split()).lower()
    if not q:
        return []
    candidates = list(search_people(user, q=q, sort="-last_contact")[:50])

    def rank(p: Person) -> tuple[int, float, str]:
        name = p.full_name.casefold()
        where = 0 if name.startswith(q) else 1 if f" {q}" in f" {name}" else 2
        recency = -p.last_contact_at.timestamp() if p.last_contact_at else 0.0
        return where, recency, name

    best = sorted(candidates, key=rank)[:limit]
    names = [p.full_name.lower() for p in best]
    return [
        {
            "id": p.pk,
            "name": p.full_name,
            "email": p.email,
            # Two people of the same name are told apart by e-mail, which resolves exactly.
            "mention": exact_mention(p)
            if names.count(p.full_name.lower()) > 1
            else mention_for(p.full_name),
        }
        for p in best
    ]


def people_from_mentions(user: User, text: str) -> list[Person]:
    """The people named as @mentions in `text`; a ValidationError names any problem."""
    mentions, rest, problems = split_mentions(text)
    if problems:
        raise ValidationError(" ".join(problems))
    if rest.strip():
        raise ValidationError(
            f"“{rest.strip()}” is not a person: write each one as @Name, "
            'or @"name with spaces" when it has lower-case words.'
        )
    people, unknown, ambiguous = resolve_mentions(user, mentions)
    if unknown or ambiguous:
        raise ValidationError(UnknownPeople(unknown, ambiguous).message)
    return people


def one_person(user: User, text: str) -> Person:
    """The one person a single-person field names, with or without the leading @."""
    text = text.strip()
    if not text.startswith("@"):
        text = f'@"{text}"' if '"' not in text else f"@{{{text}}}"
    people = people_from_mentions(user, text)
    if len(people) != 1:
        raise ValidationError("Name one person.")
    return people[0]
