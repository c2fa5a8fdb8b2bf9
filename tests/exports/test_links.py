"""The download links on the list pages carry the page's filters (never its page number)."""

from django.urls import reverse


def test_people_list_links_carry_the_filters_and_offer_vcards(client, world):
    client.force_login(world.alice)

    html = client.get(reverse("people:person_list"), {"q": "ana", "sort": "name", "page": 2}).text

    assert (
        '<p class="meta export-links" id="export-people">Download '
        '<a href="/exports/people.csv?q=ana&amp;sort=name" download>CSV</a> · '
        '<a href="/exports/people.xlsx?q=ana&amp;sort=name" download>XLSX</a> · '
        f'<a href="{reverse("contacts:export")}?q=ana&amp;sort=name" download>vCard</a></p>'
    ) in html


def test_group_page_links_name_the_group(client, world):
    client.force_login(world.alice)

    html = client.get(reverse("people:group_detail", args=[world.chem.pk])).text

    assert f'href="/exports/group-members.csv?group={world.chem.pk}"' in html
    assert f'href="/exports/touchpoints.xlsx?group={world.chem.pk}"' in html


def test_person_page_links_to_the_timeline_export(client, world):
    client.force_login(world.alice)

    html = client.get(reverse("people:person_detail", args=[world.ana.pk])).text

    assert f'href="/exports/touchpoints.csv?person={world.ana.pk}"' in html


def test_report_pages_link_each_table(client, world):
    client.force_login(world.mia)

    coverage = client.get(reverse("reports:coverage"), {"period": "12m"}).text
    report = client.get(reverse("reports:relationships")).text

    assert 'href="/exports/coverage-groups.csv?period=12m"' in coverage
    assert 'href="/exports/coverage-librarians.xlsx?period=12m"' in coverage
    for name in ["report-months", "report-stages", "report-read"]:
        assert f'href="/exports/{name}.csv"' in report


def test_other_list_pages_link_their_exports(client, world):
    client.force_login(world.alice)

    pages = {
        "requests:list": "requests",
        "requests:stories": "stories",
        "awareness:items": "items",
        "awareness:review": "review",
        "people:group_list": "groups",
    }
    for url_name, name in pages.items():
        html = client.get(reverse(url_name)).text
        assert f'id="export-{name}"' in html, url_name
    search = client.get(reverse("search:search"), {"q": "PRISMA"}).text
    assert 'href="/exports/search.csv?q=PRISMA"' in search
