"""Links of items and publications: only web addresses are stored, a bad one in a file costs the
link and not the record, and a bad one already stored is never rendered as a link."""

import json

import pytest
from django.urls import reverse

from rapport.audit.models import AuditEntry
from rapport.awareness import services
from rapport.awareness.formats import Problem, Record
from rapport.awareness.models import Item, Match, MatchRun, Publication
from rapport.errors import Invalid
from tests.awareness.conftest import make_item, make_publication

pytestmark = pytest.mark.django_db

BAD = "javascript:alert(document.cookie)"
NOT_WEB = f"“{BAD}” is not a web address (https://…)."


def _problems(result) -> list[tuple[str, str]]:
    return [(p.where, p.message) for p in result.problems]


def test_add_item_refuses_a_link_that_is_not_a_web_address_and_saves_nothing(world):
    with pytest.raises(Invalid) as err:
        services.add_item(by=world.alice, title="Open lab notebooks", link=f" {BAD}")

    assert (err.value.message, err.value.fields) == (f"link: {NOT_WEB}", {"link": [NOT_WEB]})
    assert (Item.objects.count(), MatchRun.objects.count(), AuditEntry.objects.count()) == (0, 0, 0)


def test_the_item_form_shows_the_refusal_on_the_link_field(client, world):
    client.force_login(world.alice)

    response = client.post(
        reverse("awareness:add_item"),
        {"title": "Open lab notebooks", "kind": "article", "link": "ftp://files.example/oln"},
    )

    assert response.status_code == 422
    assert response.context["item_form"].errors == {
        "link": ["“ftp://files.example/oln” is not a web address (https://…)."]
    }
    assert Item.objects.count() == 0


def test_import_feed_refuses_an_address_that_is_not_a_web_address(world):
    with pytest.raises(Invalid) as err:
        services.import_feed(by=world.alice, url="JaVaScRiPt:alert(1)")

    message = "“JaVaScRiPt:alert(1)” is not a web address (https://…)."
    assert (err.value.message, err.value.fields) == (f"feed address: {message}", {"url": [message]})
    assert Item.objects.count() == 0


def test_ingest_keeps_a_record_without_its_bad_link_and_reports_it(world):
    records = [
        Record(title="Evil link", link=BAD),
        Record(title="Tab in the scheme", link="java\tscript:alert(1)"),
        Record(title="Trimmed link", link="  https://journal.example/ok  "),
    ]

    result = services.ingest_records(
        by=world.alice, records=records, source_kind="bibtex", source="x.bib", match=False
    )

    assert result.created == 3
    assert sorted(Item.objects.values_list("title", "link")) == [
        ("Evil link", ""),
        ("Tab in the scheme", ""),
        ("Trimmed link", "https://journal.example/ok"),
    ]
    kept = "The item was kept without this link."
    assert _problems(result) == [
        ("“Evil link”", f"{NOT_WEB} {kept}"),
        (
            "“Tab in the scheme”",
            f"“java\\tscript:alert(1)” is not a web address (https://…). {kept}",
        ),
    ]


BIBTEX = f"""@article{{evil,
  title = {{Search filters for scoping reviews}},
  journal = {{Research Synthesis Methods}},
  year = {{2024}},
  doi = {{10.1000/rsm.2024.1}},
  url = {{{BAD}}}
}}
""".encode()

RIS = f"""TY  - JOUR
TI  - Data management plans for chemistry labs
PY  - 2025
UR  - {BAD}
ER  -\x20
""".encode()

FEED = f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Journal</title><link>https://journal.example/</link>
<item><title>Open lab notebooks</title><link>{BAD}</link></item>
</channel></rss>
""".encode()

CROSSREF = json.dumps(
    {"status": "ok", "message": {"DOI": "10.5555/cr.1", "title": ["Crossref work"], "URL": BAD}}
).encode()


@pytest.mark.parametrize(
    ("data", "filename", "fmt", "title", "link"),
    [
        (
            BIBTEX,
            "refs.bib",
            "bibtex",
            "Search filters for scoping reviews",
            "https://doi.org/10.1000/rsm.2024.1",
        ),
        (RIS, "refs.ris", "ris", "Data management plans for chemistry labs", ""),
        (FEED, "toc.rss", "feed", "Open lab notebooks", ""),
        (CROSSREF, "works.json", "crossref", "Crossref work", "https://doi.org/10.5555/cr.1"),
    ],
)
def test_an_imported_file_keeps_the_record_drops_the_bad_link_and_says_so(
    world, data, filename, fmt, title, link
):
    result = services.import_items(by=world.alice, data=data, filename=filename, match=False)

    assert (result.format, result.created) == (fmt, 1)
    assert list(Item.objects.values_list("title", "link")) == [(title, link)]
    assert _problems(result) == [(f"“{title}”", f"{NOT_WEB} The item was kept without this link.")]


def test_imported_publications_keep_the_record_without_the_bad_link(world):
    orcid_work = json.dumps(
        {
            "put-code": 7,
            "type": "journal-article",
            "title": {"title": {"value": "Reporting PRISMA flow diagrams"}},
            "url": {"value": BAD},
        }
    ).encode()

    result = services.import_publications(
        by=world.alice, person=world.ana, data=orcid_work, filename="work.json"
    )

    assert (result.format, result.created) == ("orcid", 1)
    assert list(Publication.objects.values_list("title", "link")) == [
        ("Reporting PRISMA flow diagrams", "")
    ]
    assert _problems(result) == [
        (
            "“Reporting PRISMA flow diagrams”",
            f"{NOT_WEB} The publication was kept without this link.",
        )
    ]


def test_add_publications_drops_a_bad_link_a_caller_passes(world):
    result = services.add_publications(
        by=world.alice,
        person=world.ana,
        records=[Record(title="A paper", link="vbscript:msgbox(1)")],
        source_kind="bibtex",
        problems=[Problem("file", "an earlier problem")],
    )

    assert Publication.objects.get().link == ""
    assert _problems(result) == [
        ("file", "an earlier problem"),
        (
            "“A paper”",
            "“vbscript:msgbox(1)” is not a web address (https://…). The publication was kept "
            "without this link.",
        ),
    ]


# Rows written before the check (or restored from an old backup) hold anything: the pages
# must still show no link for them.


@pytest.fixture
def stored(world):
    """An item and a publication of ana's with script in their links, straight in the DB."""
    item = make_item("Evil item", link=BAD)
    Match.objects.create(person=world.ana, item=item, score=0.5)
    make_publication(world.ana, "Evil paper", link="JaVaScRiPt:alert(1)")
    return item


def _page(client, user, name, *args) -> str:
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def _item_line(item: Item) -> str:
    """The start of an item's line as the lists show it: its page, and no "source" link."""
    url = reverse("awareness:item_detail", args=[item.pk])
    return f'<a href="{url}">Evil item</a>\n<span class="meta">Article</span>'


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("awareness:items", ()),
        ("awareness:home", ()),
        ("awareness:review", ()),
    ],
)
def test_a_stored_bad_link_is_no_link_in_item_lists(client, world, stored, name, args):
    page = _page(client, world.alice, name, *args)

    assert _item_line(stored) in page
    assert "alert(" not in page


def test_a_stored_bad_link_is_no_link_on_the_item_page(client, world, stored):
    page = _page(client, world.alice, "awareness:item_detail", stored.pk)

    assert (
        f'<dt>Link</dt><dd>{BAD} <span class="meta">(not a web address, so not linked)</span></dd>'
        in page
    )
    assert 'href="javascript' not in page.lower()


def test_stored_bad_links_are_no_links_on_the_persons_alerts_page(client, world, stored):
    page = _page(client, world.alice, "awareness:profile", world.ana.pk)

    assert _item_line(stored) in page
    assert "<li>Evil paper\n" in page
    assert "alert(" not in page


def test_a_good_stored_link_is_still_a_link(client, world):
    item = make_item("Good item", link="https://journal.example/good")

    page = _page(client, world.alice, "awareness:items")

    assert (
        '<a href="https://journal.example/good" rel="noopener" class="meta">source'
        '<span class="visually-hidden"> of Good item</span></a>'
    ) in page
    assert item.link == "https://journal.example/good"
