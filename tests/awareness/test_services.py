import pytest

from rapport.audit.models import AuditEntry
from rapport.awareness import services
from rapport.awareness.formats import Record
from rapport.awareness.models import Interest, Item, Match, MatchRun, MatchStatus, Publication
from rapport.errors import Forbidden, Invalid
from tests.awareness.conftest import make_item

pytestmark = pytest.mark.django_db

BIBTEX = b"""@article{ruiz2024,
  title = {Search filters for scoping reviews},
  author = {Ruiz, Ana and Okafor, Ben},
  journal = {Research Synthesis Methods},
  year = {2024},
  doi = {10.1000/RSM.2024.1}
}
@article{ruiz2023,
  title = {Reporting {PRISMA} flow diagrams},
  author = {Ruiz, Ana},
  journal = {Systematic Reviews},
  year = {2023}
}
"""


def test_ingest_skips_duplicates_by_doi_arxiv_and_title(world):
    make_item("Known title", doi="10.1/known")
    make_item("Known preprint", arxiv_id="2101.00001")
    make_item("Plain Known Title")
    records = [
        Record(title="Different title, same DOI", doi="https://doi.org/10.1/KNOWN"),
        Record(title="Different, same arXiv id", arxiv_id="2101.00001"),
        Record(title="plain known title!"),
        Record(title="Fresh item", doi="10.1/fresh"),
        Record(title="Fresh item"),  # the same title twice in one file
    ]
    result = services.ingest_records(
        by=world.alice, records=records, source_kind="bibtex", source="x.bib", match=False
    )
    assert (result.created, result.duplicates) == (1, 4)
    assert Item.objects.get(pk=result.ids[0]).doi == "10.1/fresh"
    assert result.summary == "1 added, 4 already there"
    assert AuditEntry.objects.filter(action="item.created").count() == 1


def test_import_items_from_bibtex_queues_a_matching_run(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        result = services.import_items(by=world.alice, data=BIBTEX, filename="refs.bib")
    assert result.format == "bibtex"
    assert result.created == 2
    titles = sorted(Item.objects.values_list("title", flat=True))
    assert titles == ["Reporting PRISMA flow diagrams", "Search filters for scoping reviews"]
    run = MatchRun.objects.get()
    assert (run.scope, sorted(run.item_ids)) == ("items", sorted(result.ids))
    assert len(callbacks) == 1


def test_import_items_refuses_an_unreadable_file_and_adds_nothing(world):
    with pytest.raises(Invalid) as err:
        services.import_items(by=world.alice, data=b"\x00\x01 not a known format", filename="x")
    assert err.value.message.startswith("Could not read x: ")
    assert Item.objects.count() == 0
    assert MatchRun.objects.count() == 0


def test_managers_cannot_add_items(world):
    with pytest.raises(Forbidden):
        services.add_item(by=world.mia, title="Anything")


def test_add_item_by_hand_refuses_a_duplicate(world):
    services.add_item(by=world.alice, title="Open data in chemistry", doi="10.5/od")
    with pytest.raises(Invalid) as err:
        services.add_item(by=world.alice, title="Open Data in Chemistry")
    assert "already there" in err.value.message
    assert Item.objects.count() == 1


def test_import_publications_keeps_them_once(world):
    first = services.import_publications(
        by=world.alice, person=world.ana, data=BIBTEX, filename="a.bib"
    )
    again = services.import_publications(
        by=world.alice, person=world.ana, data=BIBTEX, filename="a.bib"
    )
    assert (first.created, again.created, again.duplicates) == (2, 0, 2)
    pub = Publication.objects.get(doi="10.1000/rsm.2024.1")
    assert (pub.person, pub.venue, pub.published_on.year) == (
        world.ana,
        "Research Synthesis Methods",
        2024,
    )
    assert pub.authors == ["Ana Ruiz", "Ben Okafor"]


def test_titles_without_letters_are_not_taken_for_ones_already_there(world):
    data = (
        b"@article{a, title = {{$\\langle$}100{$\\rangle$}}, year = 2014}\n"
        b"@article{b, title = {(100)}, year = 2015}\n"
        b"@article{c, title = {$\\emptyset$}, year = 2016}\n"
        b"@article{d, title = {$\\infty$}, year = 2017}\n"
    )
    make_item("100 ways to search")

    items = services.import_items(by=world.alice, data=data, filename="t.bib", match=False)
    pubs = services.import_publications(by=world.alice, person=world.ana, data=data)
    again = services.import_publications(by=world.alice, person=world.ana, data=data)

    assert (items.created, items.duplicates) == (4, 0)
    assert (pubs.created, pubs.duplicates, again.created, again.duplicates) == (4, 0, 0, 4)
    assert sorted(Publication.objects.values_list("title", flat=True)) == [
        "(100)",
        "∅",
        "∞",
        "⟨100⟩",
    ]


def test_set_interest_normalises_and_audits(world):
    interest = services.set_interest(
        by=world.alice, person=world.ana, term=" Scoping-Reviews ", state="pinned"
    )
    assert (interest.term, interest.state, interest.by_person) == (
        "scoping reviews",
        "pinned",
        False,
    )
    services.set_interest(by=world.alice, person=world.ana, term="scoping reviews", state="removed")
    assert Interest.objects.get().state == "removed"
    services.clear_interest(by=world.alice, person=world.ana, term="Scoping reviews")
    assert Interest.objects.count() == 0
    actions = list(
        AuditEntry.objects.filter(object_type="person")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["interest.pinned", "interest.removed", "interest.cleared"]


def test_set_interest_refuses_an_empty_topic(world):
    with pytest.raises(Invalid):
        services.set_interest(by=world.alice, person=world.ana, term=" -- ", state="stated")
    assert Interest.objects.count() == 0


def test_decide_match_approves_with_a_note_and_cannot_touch_sent(world):
    item = make_item("PRISMA 2020 explained")
    match = Match.objects.create(person=world.ana, item=item, score=0.5)
    services.decide_match(by=world.alice, match=match, approve=True, note="  Worth a look  ")
    match.refresh_from_db()
    assert (match.status, match.note, match.decided_by) == (
        MatchStatus.APPROVED,
        "Worth a look",
        world.alice,
    )
    match.status = MatchStatus.SENT
    match.save()
    with pytest.raises(Invalid):
        services.decide_match(by=world.alice, match=match, approve=False)
    assert Match.objects.get().status == MatchStatus.SENT


def test_set_auto_send_creates_the_subscription(world):
    sub = services.set_auto_send(by=world.alice, person=world.ben, on=True)
    assert (sub.person, sub.auto_send, sub.consented_at) == (world.ben, True, None)


def test_import_items_leaves_out_a_record_with_text_that_cannot_be_stored(world):
    """A NUL byte in a BibTeX entry (PostgreSQL cannot store it; SQLite would keep it) leaves
    that record out with a problem; the rest are added."""
    data = BIBTEX.replace(b"Search filters", b"Search\x00filters")

    result = services.import_items(by=world.alice, data=data, filename="refs.bib", match=False)

    assert (result.created, result.duplicates) == (1, 0)
    assert [str(p) for p in result.problems] == [
        "Search\ufffdfilters for scoping reviews: The text contains a character that cannot be "
        "stored (a NUL byte) in “title”. Left out."
    ]
    assert list(Item.objects.values_list("title", flat=True)) == ["Reporting PRISMA flow diagrams"]


def test_import_publications_leaves_out_a_lone_surrogate_from_json(world):
    """JSON can spell a lone surrogate ("\\ud83d" without its pair), which no database can
    store; the work is left out, the others kept."""
    data = (
        b'{"message": {"items": ['
        b'{"title": ["Emoji \\ud83d in a title"], "DOI": "10.1000/a"},'
        b'{"title": ["A clean title"], "DOI": "10.1000/b"}]}}'
    )

    result = services.import_publications(
        by=world.alice, person=world.ana, data=data, filename="works.json"
    )

    assert result.created == 1
    assert [str(p) for p in result.problems] == [
        "Emoji \ufffd in a title: The text contains a character that cannot be stored "
        "(a lone surrogate, U+D83D) in “title”. Left out."
    ]
    assert list(Publication.objects.values_list("title", flat=True)) == ["A clean title"]


def test_add_item_refuses_text_that_cannot_be_stored(world):
    with pytest.raises(Invalid) as err:
        services.add_item(by=world.alice, title="Open data", abstract="bad \x00")

    assert err.value.message == (
        "The text contains a character that cannot be stored (a NUL byte) in “abstract”."
    )
    assert Item.objects.count() == 0
