"""What the capture box asks instead of guessing: a line naming nobody, the same line again
within a minute, and "tomorrow" in a line that opens no request."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from rapport.requests.models import Request
from rapport.touchpoints.capture import parse_capture
from rapport.touchpoints.confirm import AGAIN, LATER, NO_ONE, Unconfirmed
from rapport.touchpoints.models import Touchpoint
from rapport.touchpoints.services import capture

MADRID = ZoneInfo("Europe/Madrid")
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=MADRID)  # a Wednesday
HTMX = {"HTTP_HX_REQUEST": "true"}
NO_ONE_ASK = "Who was it with? Add them to the line as @Name, or log it with no one in particular."


def post(client, data):
    return client.post(reverse("touchpoints:capture"), data, **HTMX)


# The parser


@pytest.mark.parametrize(
    ("line", "later", "later_on", "text"),
    [
        (
            "@Ana Ruiz asked, will send tomorrow",
            "tomorrow",
            dt.date(2026, 11, 26),
            "asked, will send tomorrow",
        ),
        ("asked; answer Tomorrow.", "Tomorrow", dt.date(2026, 11, 26), "asked; answer Tomorrow."),
        ("meet next week", "next week", dt.date(2026, 12, 2), "meet next week"),
        ("meet next Week.", "next Week", dt.date(2026, 12, 2), "meet next Week."),
        ("the next weekend", None, None, "the next weekend"),
        ("asked yesterday", None, None, "asked"),
    ],
)
def test_a_word_for_a_day_to_come_is_noted_and_kept_in_the_text(line, later, later_on, text):
    cap = parse_capture(line, now=NOW)

    assert (cap.later, cap.later_on, cap.text, cap.problems) == (later, later_on, text, ())


def test_with_a_request_tomorrow_is_its_due_date():
    cap = parse_capture("@Ana Ruiz wants stats +request tomorrow", now=NOW)

    assert (cap.request, cap.due_on, cap.later, cap.text) == (
        True,
        dt.date(2026, 11, 26),
        None,
        "wants stats",
    )
    assert cap.consumed == ("@Ana", "Ruiz", "+request", "tomorrow")


def test_with_a_due_marker_tomorrow_stays_prose():
    cap = parse_capture("+request due:fri call tomorrow", now=NOW)

    assert (cap.due_on, cap.later, cap.text) == (dt.date(2026, 11, 27), None, "call tomorrow")


# The service


def test_the_service_asks_and_logs_nothing_until_confirmed(world):
    before = Touchpoint.objects.count()

    with pytest.raises(Unconfirmed) as err:
        capture(by=world.alice, line="answered a phone query tomorrow", now=NOW, confirmed=())

    assert list(err.value.asks) == [NO_ONE, LATER]
    assert err.value.asks[NO_ONE] == NO_ONE_ASK
    assert err.value.asks[LATER] == (
        "“tomorrow” (Thu 26 Nov) is still to come, and a touchpoint records what happened: "
        "to be reminded then, open a request due that day; or keep the words in the note."
    )
    assert Touchpoint.objects.count() == before
    tp = capture(
        by=world.alice, line="answered a phone query tomorrow", now=NOW, confirmed={NO_ONE, LATER}
    )
    assert (tp.question, list(tp.people.all())) == ("answered a phone query tomorrow", [])


def test_the_same_line_within_a_minute_is_asked_about(world):
    line = "@Ana Ruiz asked for the PRISMA template"
    capture(by=world.alice, line=line, confirmed=())

    with pytest.raises(Unconfirmed) as err:
        capture(by=world.alice, line=line, confirmed=())

    at = f"{timezone.localtime(Touchpoint.objects.latest('pk').logged_at):%H:%M}"
    assert err.value.message == (
        f"You logged this same line at {at}, less than a minute ago. "
        "Log it again only if it happened twice."
    )
    assert Touchpoint.objects.filter(capture_line=line).count() == 1
    capture(by=world.alice, line=line, confirmed={AGAIN})
    assert Touchpoint.objects.filter(capture_line=line).count() == 2


def test_the_same_line_after_a_minute_is_not_asked_about(world):
    line = "@Ana Ruiz asked for the PRISMA template"
    first = capture(by=world.alice, line=line, confirmed=())
    Touchpoint.objects.filter(pk=first.pk).update(
        logged_at=timezone.now() - dt.timedelta(seconds=61)
    )

    capture(by=world.alice, line=line, confirmed=())

    assert Touchpoint.objects.filter(capture_line=line).count() == 2


def test_callers_that_confirm_nothing_by_default_log_as_before(world):
    tp = capture(by=world.alice, line="walk-in, general question", now=NOW)

    assert list(tp.people.all()) == []


# The capture box


def test_the_box_asks_who_it_was_with(client, world):
    client.force_login(world.alice)
    before = Touchpoint.objects.count()

    response = post(client, {"line": "helped with a citation"})

    assert response.status_code == 422
    assert NO_ONE_ASK in response.text
    assert '<input type="hidden" name="confirm" value="no_one">' in response.text
    assert "Log with no one in particular</button>" in response.text
    assert Touchpoint.objects.count() == before


def test_the_box_logs_with_no_one_in_particular_when_confirmed(client, world):
    client.force_login(world.alice)

    response = post(client, {"line": "helped with a citation", "confirm": "no_one"})

    assert response.status_code == 200
    assert "with no one in particular" in response.text
    tp = Touchpoint.objects.get(capture_line="helped with a citation")
    assert list(tp.people.all()) == []


def test_the_box_warns_about_the_same_line_twice_and_logs_it_on_request(client, world):
    client.force_login(world.alice)
    line = "@Ana Ruiz asked for the PRISMA template"
    post(client, {"line": line})

    again = post(client, {"line": line})
    anyway = post(client, {"line": line, "confirm": "again"})

    assert again.status_code == 422
    assert "You logged this same line at" in again.text
    assert "Log it again</button>" in again.text
    assert anyway.status_code == 200
    assert Touchpoint.objects.filter(capture_line=line).count() == 2


def test_the_box_offers_a_request_due_tomorrow(client, world):
    client.force_login(world.alice)
    line = "@Ana Ruiz asked for stats, will send tomorrow"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    asked = post(client, {"line": line})
    opened = post(client, {"line": f"{line} +request"})

    label = f"Open a request due {tomorrow:%a} {tomorrow.day} {tomorrow:%b} and log"
    assert f"{label}</button>" in asked.text
    assert f'<input type="hidden" name="line" value="{line} +request">' in asked.text
    assert "Keep the words in the note and log</button>" in asked.text
    assert opened.status_code == 200
    req = Request.objects.get()
    assert (req.due_on, req.need) == (tomorrow, "asked for stats, will send")


def test_the_box_keeps_earlier_answers_when_it_asks_again(client, world):
    client.force_login(world.alice)

    response = post(client, {"line": "phone call tomorrow", "confirm": "no_one"})

    assert "Keep the words in the note and log</button>" in response.text
    assert '<input type="hidden" name="confirm" value="later">' in response.text
    assert '<input type="hidden" name="confirm" value="no_one">' in response.text
    assert NO_ONE_ASK not in response.text
