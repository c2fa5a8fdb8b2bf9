"""Today's "and N more" opens the section's full list, and its counts are refreshed in place
after a snooze or a capture (the answer tells the page; the page asks for fresh counts)."""

import datetime as dt
import re

from django.utils import timezone

from rapport.people.forms import mention_for
from rapport.relationships.services import refresh_all
from rapport.today.today import SHOWN
from rapport.touchpoints.services import create_touchpoint
from tests.factories import make_person


def overdue_people(world, n):
    people = []
    for i in range(n):
        person = make_person(f"Olga Old {i:02d}", groups=[world.chem], status="faculty")
        create_touchpoint(
            by=world.alice,
            people=[person],
            occurred_at=timezone.now() - dt.timedelta(days=200 + i),
            question="An old question",
        )
        people.append(person)
    refresh_all()
    return people


def test_more_is_a_link_to_the_full_list(client, world):
    overdue_people(world, SHOWN + 2)
    client.force_login(world.alice)

    home = client.get("/").text
    full = client.get("/today/list/past_max/")

    assert (
        '<p class="meta more" id="today-past_max-more"><a href="/today/list/past_max/">and 2 more'
        '<span class="visually-hidden"> past their maximum interval</span></a></p>'
    ) in home
    assert '<span class="count" id="today-past_max-count">17</span>' in home
    assert full.status_code == 200
    assert "<h1>Past their maximum interval</h1>" in full.text
    names = re.findall(r'class="name">(Olga Old \d\d)</a>', full.text)
    assert len(names) == SHOWN + 2
    assert "and 2 more" not in full.text
    assert full.text.count('<button type="submit" class="secondary small">Snooze</button>') == 17
    assert '<a href="/" aria-current="page">Today</a>' in full.text


def test_unknown_list_is_not_found(client, world):
    client.force_login(world.alice)

    response = client.get("/today/list/nothing/")

    assert response.status_code == 404
    assert "Today has no such list." in response.text


def test_snooze_and_capture_tell_the_page_to_refresh_its_counts(client, world):
    [olga, *_] = overdue_people(world, 2)
    client.force_login(world.alice)

    snoozed = client.post(f"/today/snooze/{olga.pk}/", {"days": "7"}, HTTP_HX_REQUEST="true")
    logged = client.post(
        "/touchpoints/capture/",
        {"line": f"{mention_for('Olga Old 01')} asked ~5m"},
        HTTP_HX_REQUEST="true",
    )

    assert snoozed["HX-Trigger"] == "rapport:changed"
    assert logged.status_code == 200
    assert logged["HX-Trigger"] == "rapport:changed"


def test_counts_are_swapped_out_of_band(client, world):
    [olga, *_] = overdue_people(world, 2)
    client.force_login(world.alice)
    client.post(f"/today/snooze/{olga.pk}/", {"days": "7"}, HTTP_HX_REQUEST="true")

    html = client.get("/today/counts/", HTTP_HX_REQUEST="true").text

    assert '<span class="count" id="today-past_max-count" hx-swap-oob="true">1</span>' in html
    assert '<p class="meta more" id="today-past_max-more" hx-swap-oob="true"></p>' in html
    assert "<html" not in html
