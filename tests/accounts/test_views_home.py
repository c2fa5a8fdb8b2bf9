"""The home page: a desk for librarians, a dashboard of figures for managers."""

from django.urls import reverse

from tests.factories import make_touchpoint


def section(html, element_id):
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def test_home_librarian_sees_her_groups_and_recent_touchpoints(client, world):
    make_touchpoint(world.bob, [world.hugo], question="Bob's other question", group=world.history)
    client.force_login(world.alice)

    html = client.get(reverse("home")).text

    groups = section(html, "my-groups")
    recent = section(html, "recent")
    assert "Chemistry Lab" in groups
    assert f'<a href="/people/groups/{world.chem.pk}/">Chemistry Lab</a>' in groups
    assert "History Department" not in groups
    assert recent.index("Private worry about tenure") < recent.index("PRISMA search strings")
    assert "Archive access" not in recent and "Bob's other question" not in recent
    assert 'href="/touchpoints/new/"' in html


def test_home_recent_includes_colleagues_touchpoints_in_my_groups(client, world):
    world.chem.librarians.add(world.bob)
    make_touchpoint(world.bob, [world.ana], question="Bob covered the lab", group=world.chem)
    make_touchpoint(
        world.bob, [world.ana], question="Bob's secret", group=world.chem, confidential=True
    )
    client.force_login(world.alice)

    recent = section(client.get(reverse("home")).text, "recent")

    assert "Bob covered the lab" in recent
    assert "Bob&#x27;s secret" not in recent and "Bob's secret" not in recent


def test_home_admin_serving_no_group_is_told_so(client, world):
    client.force_login(world.ada)

    html = client.get(reverse("home")).text

    assert "You serve no group yet." in html
    assert "Nothing logged this week." in html


def test_home_manager_dashboard_shows_figures(client, world):
    client.force_login(world.mia)

    html = " ".join(client.get(reverse("home")).text.split())

    assert "<h1>The library's touchpoints</h1>" in html
    assert '<strong id="figure-total">3</strong>' in html
    assert '<strong id="figure-them">100%</strong>' in html
    assert '<th scope="row">Question</th> <td class="num">3</td>' in html
    assert '<th scope="row">In person</th> <td class="num">3</td>' in html
    assert '<th scope="row">Chemistry Lab</th> <td class="num">1</td>' in html
    assert '<th scope="row">History Department</th> <td class="num">1</td>' in html
    assert '<th scope="row">No group</th> <td class="num">1</td>' in html
    assert '<svg class="chart chart-bar" id="chart-months"' in html
    assert "People" not in html.split("<main", 1)[0]  # no people link in the navigation
