"""Full-text search: what is found, kept in step on every write, filters, and who finds what.

Runs on SQLite (FTS5 and its triggers) and, with RAPPORT_DATABASE_URL set to PostgreSQL, on
its GIN-indexed tsvector expressions: every assertion holds on both.
"""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from rapport.awareness.models import Item
from rapport.requests.models import Request
from rapport.search.queries import search
from rapport.search.text import marked, terms
from rapport.touchpoints.models import Touchpoint
from tests.factories import make_touchpoint, make_user


def found(user, q, **filters):
    return [(h.kind, h.object.pk) for h in search(user, q, **filters)]


def make_request(owner, people, **fields):
    now = timezone.now()
    req = Request.objects.create(owner=owner, created_by=owner, status_changed_at=now, **fields)
    req.people.set(people)
    return req


@pytest.fixture
def notebook(world):
    """alice's touchpoint with a telling answer, in her group."""
    return make_touchpoint(
        world.alice,
        [world.ana],
        group=world.chem,
        topic="Lab notebooks",
        question="Where do electronic lab notebooks keep their data?",
        answer="Suggested the institutional repository for the raw spectra.",
        tags=["research-data"],
    )


def test_search_word_in_an_answer_finds_the_touchpoint_with_a_marked_snippet(world, notebook):
    hits = search(world.alice, "spectra")

    assert [(h.kind, h.object.pk) for h in hits] == [("touchpoint", notebook.pk)]
    assert "<mark>spectra</mark>" in str(hits[0].snippet)
    assert hits[0].url == f"/touchpoints/{notebook.pk}/"
    assert hits[0].score > 0


def test_search_stems_words(world, notebook):
    assert found(world.alice, "suggesting repositories") == [("touchpoint", notebook.pk)]


def test_search_needs_every_word(world, notebook):
    assert found(world.alice, "spectra tenure") == []


def test_search_edit_changes_what_is_found(world, notebook):
    Touchpoint.objects.filter(pk=notebook.pk).update(answer="Pointed to the chromatograms.")

    assert found(world.alice, "spectra") == []
    assert found(world.alice, "chromatograms") == [("touchpoint", notebook.pk)]


def test_search_save_keeps_the_index_in_step(world, notebook):
    notebook.topic = "Thermogravimetry"
    notebook.save()

    assert found(world.alice, "thermogravimetry") == [("touchpoint", notebook.pk)]
    assert found(world.alice, "notebooks lab") == [("touchpoint", notebook.pk)]  # the question


def test_search_delete_removes_it(world, notebook):
    notebook.delete()

    assert found(world.alice, "spectra") == []


def test_search_bulk_insert_is_found(world):
    Touchpoint.objects.bulk_create(
        [
            Touchpoint(author=world.alice, occurred_at=timezone.now(), topic=f"Bulk {n} zeolites")
            for n in range(3)
        ]
    )

    assert len(found(world.alice, "zeolites")) == 3


def test_search_people_by_name_job_and_notes(world):
    world.ben.job_title = "Doctoral researcher"
    world.ben.notes = "Prefers mornings; works on perovskites"
    world.ben.save()

    assert found(world.alice, "perovskites") == [("person", world.ben.pk)]
    assert found(world.alice, "okafor") == [("person", world.ben.pk)]


def test_search_requests_by_need_and_story(world):
    req = make_request(
        world.alice, [world.ana], title="Patent landscape", need="All patents on solid electrolytes"
    )
    Request.objects.filter(pk=req.pk).update(story="Won the industry grant")

    assert found(world.alice, "electrolytes") == [("request", req.pk)]
    assert found(world.alice, "industry grant") == [("request", req.pk)]
    assert found(world.bob, "electrolytes") == []


def test_search_items_are_found_by_everyone_who_may_search(world):
    item = Item.objects.create(
        title="Graphene membranes",
        abstract="Desalination at scale",
        authors=["Ng, K."],
        source_kind="manual",
    )

    assert found(world.alice, "desalination") == [("item", item.pk)]
    assert found(world.mia, "desalination") == [("item", item.pk)]


def test_search_filter_by_kind(world, notebook):
    world.ana.notes = "spectra enthusiast"
    world.ana.save()

    assert found(world.alice, "spectra", kinds=["person"]) == [("person", world.ana.pk)]
    assert found(world.alice, "spectra", kinds=["touchpoint"]) == [("touchpoint", notebook.pk)]


def test_search_filter_by_group_touchpoint_kind_date_and_tag(world, notebook):
    other = make_touchpoint(
        world.alice, [world.ben], topic="More spectra", kind="email", days_ago=40
    )
    today = timezone.localdate()

    assert found(world.alice, "spectra", group=world.chem.pk) == [("touchpoint", notebook.pk)]
    assert found(world.alice, "spectra", touchpoint_kind="email") == [("touchpoint", other.pk)]
    assert found(world.ada, "spectra", touchpoint_kind="email") == [("touchpoint", other.pk)]
    assert found(world.alice, "spectra", date_from=today - dt.timedelta(days=3), date_to=today) == [
        ("touchpoint", notebook.pk)
    ]
    assert found(world.alice, "spectra", date_to=today - dt.timedelta(days=30)) == [
        ("touchpoint", other.pk)
    ]
    assert found(world.alice, "spectra", tag="research-data") == [("touchpoint", notebook.pk)]
    assert found(world.alice, "spectra", tag="#Research-Data") == [("touchpoint", notebook.pk)]
    assert found(world.alice, "spectra", tag="data") == []


def test_search_another_librarians_group_is_not_found(world, notebook):
    assert found(world.bob, "spectra") == []
    assert found(world.alice, "archive") == []  # bob's hugo_question
    assert found(world.bob, "archive") == [("touchpoint", world.hugo_question.pk)]
    assert found(world.alice, "hugo") == []  # a person outside alice's groups


def test_search_confidential_is_found_by_its_author_only(world):
    assert found(world.alice, "tenure") == [("touchpoint", world.ana_secret.pk)]
    assert found(world.bob, "tenure") == []
    assert found(world.ada, "tenure") == []  # not even an administrator


def test_search_administrator_finds_everything_not_confidential(world, notebook):
    assert found(world.ada, "spectra") == [("touchpoint", notebook.pk)]
    assert found(world.ada, "archive") == [("touchpoint", world.hugo_question.pk)]


def test_search_manager_finds_no_question_text_or_people(world, notebook):
    assert found(world.mia, "spectra") == []
    assert found(world.mia, "ruiz") == []
    assert found(world.mia, "spectra", kinds=["touchpoint", "request"]) == []


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "*",
        "AND",
        "(",
        "-",
        'spectra"',
        "spectra*",
        "spectra AND",
        "(spectra",
        "-spectra",
        "NEAR(spectra",
        "spectra:",
        "^spectra",
        "{spectra}",
        "spectra OR NOT",
        "'",
        "\\",
    ],
)
def test_search_query_syntax_is_never_an_error(world, notebook, q):
    hits = found(world.alice, q)

    # Operators are plain words: "spectra AND" needs the word "and" too on SQLite (PostgreSQL
    # drops it as a stop word), so only a query of "spectra" alone must find it.
    assert hits in ([], [("touchpoint", notebook.pk)])
    if terms(q) == ["spectra"]:
        assert hits == [("touchpoint", notebook.pk)]


@pytest.mark.parametrize("q", ["", "   ", "?!", "--", "()", '""'])
def test_search_empty_or_punctuation_finds_nothing(world, notebook, q):
    assert search(world.alice, q) == []


def test_search_snippet_is_escaped_before_marking(world):
    tp = make_touchpoint(
        world.alice, [world.ana], topic="<script>alert(1)</script> R&D perovskite", question=""
    )

    [hit] = search(world.alice, "perovskite")

    assert hit.object.pk == tp.pk
    html = str(hit.snippet)
    assert "<mark>perovskite</mark>" in html
    assert "<" not in html.replace("<mark>", "").replace("</mark>", "")
    if connection.vendor == "sqlite":  # PostgreSQL's headline may leave the neighbours out
        assert html == "&lt;script&gt;alert(1)&lt;/script&gt; R&amp;D <mark>perovskite</mark>"


def test_marked_balances_stray_markers():
    assert str(marked("a\x02b<i>\x02c")) == "a<mark>b&lt;i&gt;c</mark>"
    assert str(marked("\x03x\x02y")) == "x<mark>y</mark>"


def test_search_limit(world):
    for n in range(5):
        make_touchpoint(world.alice, [world.ana], topic=f"Ontology {n}")

    assert len(search(world.alice, "ontology", limit=3)) == 3


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL-specific: its query plans"
)
def test_search_postgres_uses_the_gin_indexes(world, notebook):
    from rapport.search.documents import DOCUMENTS

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        for doc in DOCUMENTS.values():
            cursor.execute(
                f"EXPLAIN SELECT id FROM {doc.table} d WHERE {doc.pg_vector('d')} @@ "
                "websearch_to_tsquery('english', 'spectra')"
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert f"{doc.fts}_vector" in plan, plan


def test_search_others_confidential_entries_do_not_crowd_out_what_you_may_see(world):
    carol = make_user("carol")
    world.chem.librarians.add(carol)
    shared = make_touchpoint(carol, [world.ana], group=world.chem, topic="Zeolite catalysts")
    for n in range(25):
        make_touchpoint(
            carol, [world.ana], group=world.chem, topic=f"Zeolite worry {n}", confidential=True
        )

    assert found(world.alice, "zeolite", limit=3) == [("touchpoint", shared.pk)]
    assert len(found(carol, "zeolite", limit=30)) == 26


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite-specific: its triggers")
def test_search_index_triggers_exist_after_every_migration(db):
    """A later migration that rebuilds one of these tables (SQLite copies it and drops the old
    one) would silently drop its triggers; this catches it."""
    from rapport.search.documents import DOCUMENTS

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        triggers = set(cursor.fetchall())
    for doc in DOCUMENTS.values():
        for suffix in ("ai", "ad", "au"):
            assert (f"{doc.fts}_{suffix}", doc.table) in triggers
