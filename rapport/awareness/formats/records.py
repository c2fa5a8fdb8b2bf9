"""The plain records every reader returns, whatever the file looked like."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from rapport.text import first_bad_text, printable

#: What a record can be; the awareness app stores the same words as item kinds.
KINDS = ("article", "preprint", "dataset", "news", "tool")


@dataclass
class Record:
    """One work, item or feed entry, reduced to what Rapport stores."""

    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    venue: str = ""
    published_on: date | None = None
    link: str = ""
    doi: str = ""
    arxiv_id: str = ""
    keywords: list[str] = field(default_factory=list)
    kind: str = "article"
    external_id: str = ""
    #: A link the source gave that is not a web address (`javascript:`, `ftp:`, a typo): not
    #: kept as `link`, and reported by the services that store the record.
    refused_link: str = ""


@dataclass
class Problem:
    """Something a reader had to skip, guess or repair, said so a librarian understands it."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class ParseResult:
    """What a reader made of one file: the format it read, the records and the problems."""

    format: str
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def storable(
    records: Iterable[Record], problems: Iterable[Problem] = ()
) -> tuple[list[Record], list[Problem]]:
    """The records whose text a database can store, and the problems with one more for each
    record left out (`rapport.text`: a NUL byte, a lone surrogate from a JSON escape). Every
    problem is made storable too, since a reader's message may quote the file."""
    kept: list[Record] = []
    said = [Problem(printable(p.where), printable(p.message)) for p in problems]
    for record in records:
        refused = first_bad_text(vars(record).items())
        if refused:
            where = printable(record.title[:80]) or "A record"
            said.append(Problem(where, f"{refused[1]} Left out."))
        else:
            kept.append(record)
    return kept, said
