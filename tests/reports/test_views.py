"""The report pages and briefs for each role: what each shows, and what it must never show."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rapport.relationships.services import refresh_all
from rapport.reports import views
from rapport.requests.models import Deliverable, Request, Status
from tests.factories import make_group, make_person, make_touchpoint

SECRETS = ["Ana Ruiz", "Ben Okafor", "Hugo Marsh", "PRISMA search strings", "tenure"]
PRINT_CSS = '<link rel="stylesheet" href="/static/rapport/print.css" media="print">'


def page(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


@pytest.mark.parametrize("name", ["reports:coverage", "reports:relationships"])
def test_reports_manager_sees_counts_but_no_names_or_text(client, world, name):
    refresh_all()

    html = page(client, world.mia, name).text

    for secret in SECRETS:
        assert secret not in html
    assert "Chemistry Lab" in html
    assert "Counts only: no people, no questions, no notes." in html


def test_reports_index_goes_to_coverage(client, world):
    response = page(client, world.alice, "reports:index")

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:coverage")


def test_coverage_librarian_sees_only_her_groups_each_linked_to_its_brief(client, world):
    refresh_all()

    html = page(client, world.alice, "reports:coverage").text

    brief = reverse("reports:group_brief", args=[world.chem.pk])
    assert f'<a href="{brief}">Chemistry Lab</a>' in html
    assert "History Department" not in html
    assert "Bob Bibby" not in html
    assert f'id="coverage-librarian-{world.alice.pk}"' in html
    assert '<td class="num members" data-label="Members">2</td>' in html  # ana and ben


def test_coverage_manager_links_groups_to_their_figures_not_briefs(client, world):
    html = page(client, world.mia, "reports:coverage").text

    assert f'<a href="{reverse("people:group_detail", args=[world.chem.pk])}">' in html
    assert "/reports/brief/" not in html
    assert "Bob Bibby" in html


def test_coverage_period_choice_is_kept_and_a_bad_one_ignored(client, world):
    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1

    chosen = page(client, world.alice, "reports:coverage", period=f"ay{year - 1}").text
    bad = page(client, world.alice, "reports:coverage", period="forever").text

    assert f'<option value="ay{year - 1}" selected>' in chosen
    assert f"Academic year {year - 1}–" in chosen
    assert "Last 12 months:" in bad


def test_report_counts_confidential_touchpoints_but_shows_nothing_of_them(client, world):
    for role, total in [("mia", 3), ("alice", 2), ("ada", 2), ("bob", 1)]:
        html = page(client, getattr(world, role), "reports:relationships").text
        assert f'<strong id="report-total">{total}</strong>' in html, role
        assert "Private worry about tenure" not in html


def test_report_has_four_accessible_charts_with_their_tables(client, world):
    html = page(client, world.alice, "reports:relationships").text

    for chart in ["origins", "people", "funnel", "read"]:
        assert f'role="img" aria-labelledby="chart-{chart}-title chart-{chart}-desc"' in html
        assert f'<table class="figures" id="table-{chart}">' in html
    assert "style=" not in html
    assert "<script>" not in html


def test_report_group_filter_narrows_to_the_group(client, world):
    html = page(client, world.mia, "reports:relationships", group=world.history.pk).text

    assert "<h1>Relationship report: History Department</h1>" in html
    assert '<strong id="report-total">1</strong>' in html
    assert f'<option value="{world.history.pk}" selected>History Department</option>' in html


@pytest.mark.parametrize("group", ["chem", "nonsense"])
def test_report_group_out_of_scope_is_not_found(client, world, group):
    pk = getattr(world, group).pk if group == "chem" else "x"

    response = page(client, world.bob, "reports:relationships", group=pk)

    assert response.status_code == 404
    assert "Chemistry Lab" not in response.text


def test_reports_nav_link_is_current_on_report_pages(client, world):
    html = page(client, world.mia, "reports:relationships").text

    assert f'<a href="{reverse("reports:coverage")}" aria-current="page">Reports</a>' in html


@pytest.fixture
def ana_work(world):
    """An open request for Ana with a follow-up, a delivered one with a story, tagged work."""
    now = timezone.now()
    open_request = Request.objects.create(
        title="Systematic review search",
        need="Help with the search strategy",
        owner=world.alice,
        status=Status.DELIVERED,
        status_changed_at=now,
        follow_up_on=timezone.localdate() + dt.timedelta(days=3),
        group=world.chem,
    )
    open_request.people.add(world.ana)
    done = Request.objects.create(
        title="Data management plan",
        need="A DMP for the grant",
        owner=world.alice,
        status=Status.CLOSED,
        status_changed_at=now,
        story="The grant was funded on the first try.",
        story_tags=["grants"],
        story_at=now,
    )
    done.people.add(world.ana)
    Deliverable.objects.create(request=done, title="DMP draft v2", delivered_at=now)
    make_touchpoint(
        world.alice,
        [world.ana],
        days_ago=40,
        question="Long consultation on meta-analysis",
        read_level=6,
        minutes=90,
        tags=["meta-analysis", "statistics"],
        group=world.chem,
    )
    for days in range(2, 8):
        make_touchpoint(world.alice, [world.ana], days_ago=days, tags=["statistics"])
    refresh_all()


def test_person_brief_gathers_who_state_work_and_interests(client, world, ana_work):
    html = page(client, world.alice, "reports:person_brief", world.ana.pk).text

    assert '<h1 id="brief-title">Ana Ruiz</h1>' in html
    assert "Chemistry Lab <span" in html
    assert 'id="brief-stage">Client</span>' in html
    assert re.search(r"/100 health \(was \d+ thirty days ago\)", html)
    assert "Systematic review search" in html
    assert "follow up" in html
    assert "DMP draft v2" in html
    assert "The grant was funded on the first try." in html
    assert "Data management plan" in html  # its story; closed, so not among the open ones
    assert "Long consultation on meta-analysis" in html  # notable: READ 6, beyond the last 5
    assert html.index("#statistics") < html.index("#meta-analysis")
    assert "Private worry about tenure" in html  # her own confidential touchpoint


def test_person_brief_confidential_touchpoint_hidden_from_others(client, world, ana_work):
    html = page(client, world.ada, "reports:person_brief", world.ana.pk).text

    assert "Ana Ruiz" in html
    assert "Private worry about tenure" not in html


def test_group_brief_lists_members_by_stage_activity_and_requests(client, world, ana_work):
    html = page(client, world.alice, "reports:group_brief", world.chem.pk).text

    assert '<h1 id="brief-title">Chemistry Lab</h1>' in html
    assert "2 current members · served by Alice Liddell" in html
    ana = reverse("reports:person_brief", args=[world.ana.pk])
    assert f'<a href="{ana}">Ana Ruiz</a> <span class="meta">9 touchpoints in the last year' in html
    assert "Systematic review search" in html
    ben = reverse("reports:person_brief", args=[world.ben.pk])
    assert (
        f'<th scope="row">Client</th><td class="num">1</td>\n          <td><a href="{ana}">' in html
    )
    assert (
        f'<th scope="row">Prospect</th><td class="num">1</td>\n          <td><a href="{ben}">'
        in html
    )
    assert "PRISMA search strings" in html
    assert "Private worry about tenure" not in html  # logged against no group


@pytest.mark.parametrize(
    ("name", "arg"), [("reports:person_brief", "ana"), ("reports:group_brief", "chem")]
)
def test_brief_prints_cleanly_and_works_without_script(client, world, name, arg):
    html = page(client, world.alice, name, getattr(world, arg).pk).text

    assert PRINT_CSS in html
    assert '<button type="button" class="print-button" data-print hidden>Print</button>' in html
    assert '<script src="/static/rapport/print.js" defer></script>' in html
    assert "press Ctrl+P" in html


@pytest.mark.parametrize(
    ("name", "arg"), [("reports:person_brief", "ana"), ("reports:group_brief", "chem")]
)
def test_brief_refused_to_managers_without_naming_anyone(client, world, name, arg):
    response = page(client, world.mia, name, getattr(world, arg).pk)

    assert response.status_code == 403
    assert "Managers see aggregate figures only" in response.text
    for secret in SECRETS:
        assert secret not in response.text


def test_print_stylesheet_hides_navigation_and_capture_box():
    from django.contrib.staticfiles import finders

    with open(finders.find("rapport/print.css")) as css:
        rules = css.read()

    assert ".site-header, .capture, .skip-link, .no-print" in rules
    assert "text-decoration: none" in rules


@pytest.mark.parametrize(
    ("name", "arg"),
    [
        ("reports:person_brief", "ana"),
        ("reports:group_brief", "chem"),
        ("reports:coverage", None),
        ("reports:relationships", None),
    ],
)
def test_report_pages_query_count_does_not_grow_with_touchpoints(
    client, world, name, arg, django_assert_num_queries
):
    client.force_login(world.alice)
    url = reverse(name, args=[getattr(world, arg).pk] if arg else [])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for days in range(2, 30):
        make_touchpoint(world.alice, [world.ana, world.ben], days_ago=days, group=world.chem)
    refresh_all()

    with django_assert_num_queries(len(before.captured_queries)):
        client.get(url)


def test_coverage_second_page_shows_the_next_groups(client, world, monkeypatch):
    monkeypatch.setattr(views, "GROUPS_PER_PAGE", 1)

    first = page(client, world.mia, "reports:coverage").text
    second = page(client, world.mia, "reports:coverage", page=2).text

    assert f'id="coverage-group-{world.chem.pk}"' in first
    assert f'id="coverage-group-{world.history.pk}"' not in first
    assert '<a rel="next" id="coverage-groups-next" href="?page=2">Next groups</a>' in first
    assert f'id="coverage-group-{world.history.pk}"' in second
    assert f'id="coverage-group-{world.chem.pk}"' not in second
    assert "Groups 2–2 by name" in second
    assert '<a rel="prev" href="?page=1">Previous groups</a>' in second


def test_coverage_librarians_page_apart_from_groups(client, world, monkeypatch):
    monkeypatch.setattr(views, "LIBRARIANS_PER_PAGE", 2)

    html = page(client, world.mia, "reports:coverage", page=2, lpage=2).text

    # ada, Alice Liddell on the first page; Bob Bibby alone on the second
    assert f'id="coverage-librarian-{world.bob.pk}"' in html
    assert f'id="coverage-librarian-{world.alice.pk}"' not in html
    assert '<a rel="prev" href="?page=2&amp;lpage=1">Previous librarians</a>' in html
    assert "No group matches on page 2." in html


def test_coverage_name_filter_keeps_matching_groups(client, world):
    html = page(client, world.mia, "reports:coverage", q="  hist ").text

    assert f'id="coverage-group-{world.history.pk}"' in html
    assert f'id="coverage-group-{world.chem.pk}"' not in html
    assert "Groups 1–1 by name, named like “hist”" in html
    assert 'value="  hist "' in html  # the box keeps what was typed


def test_coverage_name_filter_without_match_says_so(client, world):
    html = page(client, world.alice, "reports:coverage", q="history").text

    assert "No group matches “history”." in html  # Bob's group, not hers
    assert "History Department" not in html


def test_coverage_query_count_does_not_grow_with_groups_beyond_the_page(
    client, world, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(views, "GROUPS_PER_PAGE", 2)
    client.force_login(world.mia)
    url = reverse("reports:coverage")
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(12):
        group = make_group(f"Added Group {n:02}", librarians=[world.bob])
        make_person(f"Added Member {n}", groups=[group], status="faculty")

    with django_assert_num_queries(len(before.captured_queries)):
        html = client.get(url).text

    assert html.count('id="coverage-group-') == 2
    assert "Added Group 00" in html  # "Added…" sorts before "Chemistry…"


@pytest.mark.parametrize("name", ["reports:coverage", "reports:relationships"])
def test_report_links_to_its_print_view_keeping_the_filters(client, world, name):
    html = page(client, world.mia, name, period="ay2023").text

    assert (
        '<a class="button secondary" id="report-print-link" href="?period=ay2023&amp;print=1">'
        "Print</a>"
    ) in html
    assert "report-print.css" not in html


def test_relationship_print_view_has_numbers_open_and_no_filters(client, world):
    html = page(client, world.mia, "reports:relationships", period="ay2023", print="1").text

    assert '<link rel="stylesheet" href="/static/rapport/report-print.css" media="print">' in html
    assert PRINT_CSS in html
    assert '<button type="button" class="print-button" data-print hidden>Print</button>' in html
    assert '<a class="button secondary" id="report-back" href="?period=ay2023">' in html
    assert 'id="report-filters"' not in html
    assert 'class="report-tabs"' not in html
    assert "export-links" not in html
    assert html.count("<details open>") == 4
    assert "Academic year 2023–24: Sep 2023 to Aug 2024" in html


def test_coverage_print_view_has_no_filters_or_downloads(client, world):
    html = page(client, world.alice, "reports:coverage", print="1").text

    assert 'id="report-filters"' not in html
    assert "export-links" not in html
    assert f'id="coverage-librarian-{world.alice.pk}"' in html
    assert '<a class="button secondary" id="report-back" href="?">' in html
