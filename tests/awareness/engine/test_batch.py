"""rapport match: JSON Lines in, JSON Lines out, and clear errors that write nothing."""

import json

import pytest
from django.core.management import CommandError, call_command

PROFILES = [
    {"id": "ana", "documents": [{"title": "Scoping reviews", "text": "PRISMA flow diagrams"}]},
    {"id": 7, "documents": [{"title": "Parish registers", "weight": 2}]},
    {"id": "nobody", "documents": []},
]
ITEMS = [
    {"id": "prisma", "title": "PRISMA for scoping reviews", "text": "A reporting checklist."},
    {"id": "parish", "title": "Parish registers online"},
    {"id": "solar", "title": "Perovskite solar cells", "text": ""},
]


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    return write(tmp_path / "profiles.jsonl", PROFILES), write(tmp_path / "items.jsonl", ITEMS)


def run(profiles, items, *extra):
    call_command("match", "--profiles", str(profiles), "--items", str(items), *extra)


def output(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_match_writes_every_pair_without_top(files, capsys):
    run(*files)

    rows = output(capsys)
    assert [(r["profile"], r["item"]) for r in rows] == [
        ("ana", "prisma"),
        ("ana", "parish"),
        ("ana", "solar"),
        ("7", "prisma"),
        ("7", "parish"),
        ("7", "solar"),
    ]
    assert [r["score"] > 0 for r in rows] == [True, False, False, False, True, False]


def test_match_writes_each_profiles_best_with_top(files, capsys):
    run(*files, "--top", "1")

    rows = output(capsys)
    assert [(r["profile"], r["item"]) for r in rows] == [("ana", "prisma"), ("7", "parish")]
    assert all(set(r) == {"profile", "item", "score"} for r in rows)


def test_match_rejects_a_line_that_is_not_json(files, capsys):
    profiles, items = files
    profiles.write_text(json.dumps(PROFILES[0]) + "\n{not json\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"profiles\.jsonl, line 2: not JSON") as error:
        run(profiles, items)

    assert error.value.returncode == 2
    assert capsys.readouterr().out == ""


def test_match_rejects_an_item_without_id(files, capsys):
    profiles, items = files
    write(items, [ITEMS[0], {"title": "No id"}])

    with pytest.raises(CommandError, match=r"items\.jsonl, line 2: missing id") as error:
        run(profiles, items)

    assert error.value.returncode == 2
    assert capsys.readouterr().out == ""


def test_match_rejects_a_duplicate_id(files, capsys):
    profiles, items = files
    write(items, [*ITEMS, ITEMS[1]])

    with pytest.raises(
        CommandError, match=r"items\.jsonl, line 4: duplicate id 'parish' \(first on line 2\)"
    ):
        run(profiles, items)

    assert capsys.readouterr().out == ""


def test_match_rejects_an_unreadable_file(files, tmp_path, capsys):
    _, items = files

    with pytest.raises(CommandError, match=r"missing\.jsonl: cannot read the file") as error:
        run(tmp_path / "missing.jsonl", items)

    assert error.value.returncode == 2
    assert capsys.readouterr().out == ""


def test_match_rejects_a_negative_weight(files, capsys):
    profiles, items = files
    write(profiles, [{"id": "x", "documents": [{"title": "PRISMA", "weight": -1}]}])

    with pytest.raises(CommandError, match=r"line 1: document 1 weight must be zero or more"):
        run(profiles, items)

    assert capsys.readouterr().out == ""
