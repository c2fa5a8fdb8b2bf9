"""The capture box's target: one line in, one touchpoint out, or a message and nothing saved."""

import pytest
from django.urls import reverse

from rapport.people.models import Person
from rapport.touchpoints.models import Touchpoint
from tests.factories import make_person

LINE = "@Ana Ruiz asked for PRISMA strings for her review #systematic-review ~20m read:4"
HTMX = {"HTTP_HX_REQUEST": "true"}


def post(client, data, **headers):
    return client.post(reverse("touchpoints:capture"), data, **headers)


def test_capture_htmx_creates_exactly_the_touchpoint_typed(client, world):
    client.force_login(world.alice)
    before = set(Touchpoint.objects.values_list("pk", flat=True))

    response = post(client, {"line": LINE}, **HTMX)

    assert response.status_code == 200
    new = Touchpoint.objects.exclude(pk__in=before)
    assert new.count() == 1
    tp = new.get()
    assert list(tp.people.all()) == [world.ana]
    assert (tp.author, tp.group, tp.minutes, tp.read_level) == (world.alice, world.chem, 20, 4)
    assert tp.tags == ["systematic-review"]
    assert tp.question == "asked for PRISMA strings for her review"
    assert tp.capture_line == LINE
    assert "data-capture-saved" in response.text
    assert f'href="/touchpoints/{tp.pk}/"' in response.text
    assert "Ana Ruiz" in response.text
    assert "20 min" in response.text
    assert "READ 4" in response.text
    assert "<html" not in response.text  # a partial, not a page


def test_capture_plain_post_redirects_back_with_a_message(client, world):
    client.force_login(world.alice)
    back = reverse("people:person_detail", args=[world.ana.pk])

    response = post(client, {"line": LINE, "next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    page = client.get(back).text
    assert "Logged question with Ana Ruiz." in page
    assert Touchpoint.objects.filter(capture_line=LINE).count() == 1


def test_capture_plain_post_ignores_a_next_on_another_site(client, world):
    client.force_login(world.alice)

    response = post(client, {"line": LINE, "next": "https://evil.example/"})

    assert response["Location"] == reverse("home")


BAD_LINES = [
    ("", "Type what happened"),
    ("   ", "Type what happened"),
    ("@Ana Ruiz asked read:9", "read:9 is not on the READ scale (1–6)."),
    ("@Ana Ruiz asked 2999-01-01", "is in the future"),
    ("@Zed Nobody asked for a book", "No one called “Zed Nobody” yet"),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES)
def test_capture_bad_line_shows_message_and_creates_nothing(client, world, line, message):
    client.force_login(world.alice)
    touchpoints, people = Touchpoint.objects.count(), Person.objects.count()

    response = post(client, {"line": line}, **HTMX)

    assert response.status_code == 422
    assert message in response.text
    assert "data-capture-saved" not in response.text
    assert (Touchpoint.objects.count(), Person.objects.count()) == (touchpoints, people)


@pytest.mark.parametrize(("line", "message"), BAD_LINES)
def test_capture_bad_line_without_js_keeps_the_line(client, world, line, message):
    client.force_login(world.alice)
    touchpoints = Touchpoint.objects.count()

    response = post(client, {"line": line})

    assert response.status_code == 422
    assert message in response.text
    assert "<html" in response.text
    assert Touchpoint.objects.count() == touchpoints


def test_capture_bad_line_without_js_is_back_in_the_box(client, world):
    client.force_login(world.alice)

    response = post(client, {"line": "@Ana Ruiz asked read:9"})

    box = 'id="capture-line" name="line" type="text" value="@Ana Ruiz asked read:9"'
    assert box in response.text


def test_capture_unknown_person_offers_to_create_them(client, world):
    client.force_login(world.alice)

    response = post(client, {"line": "@Zed Nobody asked for a book"}, **HTMX)

    assert 'id="capture-create-missing"' in response.text
    assert "Create Zed Nobody and log" in response.text
    assert '<input type="hidden" name="create_missing" value="1">' in response.text
    assert '<input type="hidden" name="line" value="@Zed Nobody asked for a book">' in response.text


def test_capture_create_missing_creates_the_person_and_logs(client, world):
    client.force_login(world.alice)

    response = post(client, {"line": "@Zed Nobody asked for a book", "create_missing": "1"}, **HTMX)

    assert response.status_code == 200
    zed = Person.objects.get(full_name="Zed Nobody")
    tp = Touchpoint.objects.get(capture_line="@Zed Nobody asked for a book")
    assert list(tp.people.all()) == [zed]
    assert zed.created_by == world.alice
    assert "data-capture-saved" in response.text


def test_capture_ambiguous_name_lists_the_candidates(client, world):
    annie = make_person("Ana Ruiz Solis", groups=[world.chem], email="annie@uni.example")
    client.force_login(world.alice)

    response = post(client, {"line": "@Ana asked for a book"}, **HTMX)

    assert response.status_code == 422
    assert "“Ana” could be" in response.text
    assert "Ana Ruiz &lt;ana.ruiz@uni.example&gt;" in response.text
    assert "Ana Ruiz Solis &lt;annie@uni.example&gt;" in response.text
    # Each candidate resubmits the line naming that person exactly, by e-mail.
    assert 'value="@annie@uni.example asked for a book"' in response.text
    assert Touchpoint.objects.filter(capture_line__contains="a book").count() == 0
    assert annie.pk


def test_capture_manager_is_refused(client, world):
    client.force_login(world.mia)
    count = Touchpoint.objects.count()

    response = post(client, {"line": "@Ana Ruiz asked"}, **HTMX)

    assert response.status_code == 403
    assert "Managers see aggregate figures only" in response.text
    assert Touchpoint.objects.count() == count


def test_capture_get_is_not_allowed(client, world):
    client.force_login(world.alice)

    assert client.get(reverse("touchpoints:capture")).status_code == 405


def test_capture_bob_cannot_log_with_alices_people_by_name(client, world):
    client.force_login(world.bob)
    count = Touchpoint.objects.count()

    response = post(client, {"line": "@Ana Ruiz asked"}, **HTMX)

    assert response.status_code == 422
    assert "No one called “Ana Ruiz” yet" in response.text
    assert Touchpoint.objects.count() == count
