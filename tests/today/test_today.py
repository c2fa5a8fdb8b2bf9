"""The Today page: what is due, ranked, with snoozes respected, in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from rapport.errors import Forbidden
from rapport.people.models import Membership, Person
from rapport.relationships.models import Snooze
from rapport.relationships.services import refresh_all, set_cadence, snooze
from rapport.today.today import build
from rapport.touchpoints.services import create_touchpoint
from tests.factories import local_days_ago, make_person

NOW = timezone.now()


def log(world, person, days_ago):
    create_touchpoint(
        by=world.alice,
        people=[person],
        occurred_at=local_days_ago(days_ago, NOW),
        question="Checking in",
    )


@pytest.fixture
def desk(world):
    """alice's groups with one person in every situation."""
    refresh_all()  # the world's rows were written by factories
    olga = make_person("Olga Old", groups=[world.chem], status="faculty")
    log(world, olga, 200)
    set_cadence(by=world.alice, person=world.ben, ideal_days=7, max_days=14)
    log(world, world.ben, 10)
    pia = make_person("Pia Lead", groups=[world.chem])
    Membership.objects.filter(person=pia).update(role="PI")
    log(world, pia, 40)
    dee = make_person("Dee Drift", groups=[world.chem])
    for n in range(12):
        log(world, dee, 370 + n)
    sam = make_person("Sam Snoozed", groups=[world.chem], status="faculty")
    log(world, sam, 300)
    snooze(by=world.alice, person=sam, until=timezone.localdate() + dt.timedelta(days=7))
    nora = make_person("Nora New", groups=[world.chem])
    return {"olga": olga, "pia": pia, "dee": dee, "sam": sam, "nora": nora}


def names(today, key):
    return [row.person.full_name for row in today.section(key).rows]


def test_sections_rank_what_is_due(world, desk):
    today = build(world.alice, NOW)

    assert names(today, "past_max") == ["Olga Old"]
    assert names(today, "past_ideal") == ["Ben Okafor", "Pia Lead"]
    assert names(today, "dropped") == ["Dee Drift"]
    assert names(today, "never") == ["Nora New"]
    ben, pia = today.section("past_ideal").rows
    assert (ben.due.days_over, ben.due.cadence.source) == (3, "set for this person")
    assert (pia.due.days_over, pia.due.cadence.source) == (10, "rule: Principal investigators")
    assert (ben.health, pia.health) == (54, 52)
    assert round(ben.rank, 3) == round(2 * 3 / 7, 3)  # (1 + first contact) × 3 days / 7
    dee = today.section("dropped").rows[0]
    # then: recency 7 (340 days), frequency 100 (12 in the year), breadth 25, initiative 100
    # now: recency 0, frequency 0 → (7×30 + 100×25 + 25×10 + 100×20)/100 = 50 → 22
    assert (dee.health_before, dee.health) == (50, 22)
    olga = today.section("past_max").rows[0]
    assert (olga.due.state, olga.due.days_over) == ("overdue", 110)


def test_a_contact_takes_someone_off_and_snoozes_end(world, desk):
    log(world, desk["olga"], 0)
    Snooze.objects.update(until=timezone.localdate())  # the snooze ends today

    today = build(world.alice, NOW)

    assert names(today, "past_max") == ["Sam Snoozed"]


def test_other_librarians_people_and_managers(world, desk):
    assert [s.total for s in build(world.bob, NOW).sections][2:6] == [0, 0, 0, 0]
    with pytest.raises(Forbidden):
        build(world.mia, NOW)


def test_query_count_does_not_grow_with_people(world, desk):
    def extra(start, n):
        for k in range(start, start + n):
            person = make_person(f"Extra {k:02d}", groups=[world.chem], status="faculty")
            log(world, person, 100 + k % 60)

    extra(0, 30)
    with CaptureQueriesContext(connection) as some:
        today = build(world.alice, NOW)
    assert len(today.section("past_ideal").rows) == 15
    assert today.section("past_ideal").more == 17
    extra(30, 40)
    with CaptureQueriesContext(connection) as many:
        today = build(world.alice, NOW)
    assert today.section("past_ideal").total == 72
    # Ranked and cut in SQL: the count is read only when a section has more than it shows.
    assert len(many.captured_queries) == len(some.captured_queries)


def test_today_page_title_is_plain_text(client, world, desk):
    client.force_login(world.alice)

    html = client.get("/").text

    title = html[html.index("<title>") : html.index("</title>") + len("</title>")]
    assert title == "<title>Today · Rapport</title>"
    assert html.count("csrfmiddlewaretoken") == html.count('name="csrfmiddlewaretoken"')


def test_today_page_lists_rows_with_log_contact_and_snooze(client, world, desk):
    client.force_login(world.alice)

    html = client.get(reverse("home")).text

    assert 'id="today-past_max"' in html
    assert 'href="?log=%40Olga%20Old%20#capture-line"' in html
    assert f'action="/today/snooze/{desk["olga"].pk}/"' in html
    assert (
        "110 days later than the ideal interval of 90 days (at most 180 days; rule: Faculty)"
        in " ".join(html.split())
    )
    assert "health 50 → 22 in 30 days" in html


def test_log_contact_prefills_the_capture_box(client, world, desk):
    client.force_login(world.alice)

    html = client.get(reverse("home") + "?log=%40Olga%20Old%20").text

    assert 'value="@Olga Old " autofocus' in html


def test_snoozing_from_today_takes_the_row_off(client, world, desk):
    client.force_login(world.alice)
    url = reverse("today:snooze", args=[desk["olga"].pk])

    response = client.post(url, {"days": "14"}, HTTP_HX_REQUEST="true")

    until = timezone.localdate() + dt.timedelta(days=14)
    assert response.text == (
        '<li class="snoozed" data-announce tabindex="-1">'
        f"Snoozed Olga Old until {until:%a %-d %b}.</li>"
    )
    assert names(build(world.alice, NOW), "past_max") == []
    assert client.post(url, {"days": "3650"}).status_code == 422
    assert Snooze.objects.get(person=desk["olga"]).until == until


def test_snoozing_someone_out_of_scope_is_not_found(client, world, desk):
    client.force_login(world.bob)
    assert (
        client.post(reverse("today:snooze", args=[desk["olga"].pk]), {"days": "7"}).status_code
        == 404
    )
    client.force_login(world.mia)
    assert (
        client.post(reverse("today:snooze", args=[desk["olga"].pk]), {"days": "7"}).status_code
        == 403
    )


def test_today_command_prints_the_same_list(world, desk, capsys):
    from django.core.management import call_command

    call_command("today", user="alice")

    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Today, ") and out[0].endswith("for Alice Liddell")
    assert "Past their maximum interval (1)" in out
    start = out.index("Past their maximum interval (1)")
    olga_last = local_days_ago(200, NOW)
    assert out[start + 1] == (
        f"  Olga Old (First contact, health 39) — last contact {olga_last:%d %b %Y}, "
        "110 days later than the ideal interval of 90 days (rule: Faculty)"
    )
    assert "  Dee Drift (Client, health 22) — health 50 → 22 in 30 days" in out


def test_never_contacted_says_why_someone_added_long_ago_is_new(client, world, desk):
    nora = desk["nora"]
    old = make_person("Olive Longago", status="other")
    Person.objects.filter(pk=old.pk).update(created_at=NOW - dt.timedelta(days=365))
    Membership.objects.create(
        person=old, group=world.chem, started_on=timezone.localdate() - dt.timedelta(days=3)
    )
    client.force_login(world.alice)

    rows = {
        r.person.full_name: r.new_because for r in build(world.alice, NOW).section("never").rows
    }
    html = " ".join(client.get(reverse("home")).text.split())

    joined = timezone.localdate() - dt.timedelta(days=3)
    added_old = f"{timezone.localtime(NOW - dt.timedelta(days=365)):%-d %b %Y}"
    assert rows["Olive Longago"] == (
        f"joined Chemistry Lab on {joined:%-d %b %Y} (added {added_old})"
    )
    assert rows["Nora New"] == f"added {timezone.localtime(nora.created_at):%-d %b %Y}"
    assert (
        f"joined Chemistry Lab on {joined:%-d %b %Y} (added {added_old}), no touchpoint yet" in html
    )


def test_today_command_refuses_a_manager_and_unknown_users(world):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="the dashboard has the figures"):
        call_command("today", user="mia")
    with pytest.raises(CommandError, match="There is no active user “zed”"):
        call_command("today", user="zed")


def test_people_who_left_are_not_due_but_external_contacts_are(world, desk):
    olga = desk["olga"]
    Membership.objects.filter(person=olga).update(ended_on=timezone.localdate() - dt.timedelta(1))
    outsider = make_person("Xena External", status="faculty")
    log(world, outsider, 200)  # alice worked with her: a contact with no membership at all

    today = build(world.alice, NOW)

    assert names(today, "past_max") == ["Xena External"]


@given(
    old=st.integers(0, 30),
    mid=st.integers(0, 30),
    new=st.integers(0, 30),
    since_then=st.integers(0, 2000),
    kinds=st.integers(1, 7),
    read=st.integers(0, 6),
    them=st.floats(0, 1),
)
def test_no_sharp_drop_escapes_the_candidate_filter(old, mid, new, since_then, kinds, read, them):
    """Whoever drops by SHARP_DROP in 30 days had at least _fewest_lost_contacts() contacts
    365–395 days ago: the filter that spares Today from scoring everyone loses no one."""
    from rapport.relationships.health import SHARP_DROP, Recent, value_now, value_then
    from rapport.today.today import Facts, Someone, _fewest_lost_contacts

    total = old + mid + new + 1
    facts = Facts(1, None, 30 * total, read * total, total if read else 0, kinds, int(them * total))
    then = NOW - dt.timedelta(days=30)
    last_then = then - dt.timedelta(days=since_then)
    last_now = NOW - dt.timedelta(days=1) if new else last_then
    person = Someone(1, "x", "faculty", last_now, total, False)
    recent = Recent(n30=new, n90=new, n365=mid + new, n365_then=old + mid, last_then=last_then)

    drop = value_then(facts, person, recent, NOW) - value_now(facts, person, recent, NOW)

    if drop >= SHARP_DROP:
        assert old >= _fewest_lost_contacts()
