"""The engine's data: what goes in (profiles, items) and what comes out (scored pairs)."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

Progress = Callable[[int, int], None]


class EngineUnavailable(RuntimeError):
    """The mode needs an optional dependency that is not installed."""


@dataclass(frozen=True)
class Document:
    """One piece of evidence of a person's interests: a question, a paper, a stated topic."""

    text: str
    weight: float = 1.0
    ref: str = ""  # where it came from, e.g. "touchpoint:12", "publication:3", "interest:7"


@dataclass(frozen=True)
class Profile:
    id: str
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class ItemText:
    id: str
    title: str
    text: str = ""


@dataclass(frozen=True)
class Scored:
    profile: str
    item: str
    score: float
    #: Up to five words or phrases that explain the match (lexical contributions).
    terms: tuple[str, ...] = ()
    #: Refs of the best-matching documents (up to three), best first.
    evidence: tuple[str, ...] = ()


class Engine(Protocol):
    mode: str

    def score(
        self,
        profiles: Sequence[Profile],
        items: Sequence[ItemText],
        *,
        top: int | None = None,
        explain: bool = True,
        progress: Progress | None = None,
    ) -> Iterator[Scored]: ...
