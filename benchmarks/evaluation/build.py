"""Assemble the matching evaluation from the public samples and write it as small JSON Lines.

    .venv/bin/python -m benchmarks.evaluation.build [--samples /work/shared/samples]

Sources (each folder's SOURCE.txt): recorded arXiv API responses (arXiv metadata is CC0) and
Crossref REST API work records recorded by habanero's tests (Crossref metadata is reusable;
an abstract is kept only when the work carries a Creative Commons licence, otherwise the work
enters with its title alone).

Two tasks, each split into dev and test by a seeded draw (tune on dev only):

* authors — for each author with at least two papers, one paper (drawn with the seed) is
  hidden, the others make the profile, and the hidden paper must be found among all papers
  that are not the profile's own.
* titles — a paper's title is a one-document profile and its own abstract must be found among
  all abstracts (a known-item task: larger, but easier and more lexical than real alerts).
"""

import argparse
import html
import json
import random
import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SEED = 20261129
ATOM = "{http://www.w3.org/2005/Atom}"
TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    return SPACE.sub(" ", html.unescape(TAG.sub(" ", text or ""))).strip()


def person_key(given: str, family: str) -> str:
    """First given name and surname, folded: "Adrian del Maestro" → "adrian maestro".

    An initial stays an initial ("a maestro"); `merge_initials` later joins it to the one full
    name it can stand for. Initials alone would merge the many different "H. Wang"s.
    """
    fold = unicodedata.normalize("NFKD", f"{given} | {family}").encode("ascii", "ignore")
    given, family = fold.decode().lower().split(" | ")
    surname = re.findall(r"[a-z]+", family)
    first = re.findall(r"[a-z]+", given)
    return f"{first[0] if first else ''} {surname[-1] if surname else ''}".strip()


def merge_initials(papers: list[dict]) -> None:
    """Rewrite "a maestro" as "adrian maestro" where that is the only full name it fits."""
    full: dict[str, set[str]] = {}
    for paper in papers:
        for key in paper["authors"]:
            given, _, surname = key.partition(" ")
            if len(given) > 1:
                full.setdefault(f"{given[0]} {surname}", set()).add(key)
    for paper in papers:
        names = set()
        for key in paper["authors"]:
            candidates = full.get(key, set())
            names.add(next(iter(candidates)) if len(candidates) == 1 else key)
        paper["authors"] = sorted(names)


def arxiv_papers(folder: Path) -> dict[str, dict]:
    papers: dict[str, dict] = {}
    files = sorted((folder / "extracted_atom").glob("*.xml"))
    files += sorted((folder / "historical_xml").glob("*.xml"))
    for path in files:
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError:
            continue
        for entry in root.iter(f"{ATOM}entry"):
            link = entry.findtext(f"{ATOM}id") or ""
            if "/abs/" not in link:
                continue
            ident = re.sub(r"v\d+$", "", link.split("/abs/")[-1])
            title = clean(entry.findtext(f"{ATOM}title") or "")
            abstract = clean(entry.findtext(f"{ATOM}summary") or "")
            authors = []
            for author in entry.iter(f"{ATOM}author"):
                name = (author.findtext(f"{ATOM}name") or "").split()
                # First word and last word: "Adrian Del Maestro" → "adrian maestro".
                given, family = (name[0], name[-1]) if name else ("", "")
                authors.append(person_key(given, family))
            if title and ident not in papers:
                papers[f"arxiv:{ident}"] = {
                    "id": f"arxiv:{ident}",
                    "title": title,
                    "abstract": abstract,
                    "authors": sorted({a for a in authors if a}),
                    "source": "arXiv API (CC0 metadata)",
                }
    return papers


def crossref_papers(folder: Path) -> dict[str, dict]:
    papers: dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")):
        message = json.loads(path.read_text(encoding="utf-8")).get("message")
        works = message.get("items", [message]) if isinstance(message, dict) else []
        for work in works:
            if not isinstance(work, dict) or not work.get("DOI"):
                continue
            titles = work.get("title") or []
            title = clean(titles[0]) if titles else ""
            if not title:
                continue
            licences = [entry.get("URL", "") for entry in work.get("license", [])]
            open_licence = any("creativecommons.org" in url for url in licences)
            abstract = clean(work.get("abstract", "")) if open_licence else ""
            abstract = re.sub(r"^(abstract|summary)\s*:?\s*", "", abstract, flags=re.I)
            authors = [
                person_key(a.get("given", ""), a.get("family", ""))
                for a in work.get("author", [])
                if a.get("family")
            ]
            key = f"doi:{work['DOI'].lower()}"
            if key not in papers:
                papers[key] = {
                    "id": key,
                    "title": title,
                    "abstract": abstract,
                    "authors": sorted({a for a in authors if a}),
                    "source": "Crossref REST API"
                    + (" (abstract under a CC licence)" if abstract else ""),
                }
    return papers


def dedupe(papers: list[dict]) -> list[dict]:
    """One record per title: the same paper can come from both sources or several requests."""
    seen: dict[str, dict] = {}
    for paper in papers:
        key = " ".join(re.findall(r"[a-z0-9]+", paper["title"].lower()))
        if key not in seen or (paper["abstract"] and not seen[key]["abstract"]):
            seen[key] = paper
    return sorted(seen.values(), key=lambda p: p["id"])


def split_of(rng: random.Random, keys: list[str]) -> dict[str, str]:
    keys = sorted(keys)
    rng.shuffle(keys)
    half = len(keys) // 2
    return {k: ("dev" if i < half else "test") for i, k in enumerate(keys)}


def build(samples: Path) -> dict[str, int]:
    papers = dedupe(
        list(arxiv_papers(samples / "feeds-arxiv-api-fixtures").values())
        + list(crossref_papers(samples / "crossref-api-habanero").values())
    )
    merge_initials(papers)
    rng = random.Random(SEED)
    by_author: dict[str, list[str]] = {}
    for paper in papers:
        for author in paper["authors"]:
            by_author.setdefault(author, []).append(paper["id"])
    authors = {a: ids for a, ids in by_author.items() if len(ids) >= 2}
    splits = split_of(rng, list(authors))
    author_queries = []
    for author in sorted(authors):
        ids = sorted(authors[author])
        hidden = rng.choice(ids)
        author_queries.append(
            {
                "id": f"author:{author}",
                "split": splits[author],
                "profile": [i for i in ids if i != hidden],
                "relevant": [hidden],
            }
        )
    with_abstract = [p["id"] for p in papers if len(p["abstract"]) >= 100]
    title_splits = split_of(rng, with_abstract)
    title_queries = [
        {"id": f"title:{pid}", "split": title_splits[pid], "paper": pid}
        for pid in sorted(with_abstract)
    ]
    DATA.mkdir(parents=True, exist_ok=True)
    for name, rows in (
        ("papers", papers),
        ("authors", author_queries),
        ("titles", title_queries),
    ):
        with (DATA / f"{name}.jsonl").open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    return {
        "papers": len(papers),
        "with abstract": len(with_abstract),
        "author queries": len(author_queries),
        "title queries": len(title_queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.evaluation.build")
    parser.add_argument("--samples", type=Path, default=Path("/work/shared/samples"))
    args = parser.parse_args()
    for name, count in build(args.samples).items():
        print(f"{name}: {count}")


if __name__ == "__main__":
    main()
