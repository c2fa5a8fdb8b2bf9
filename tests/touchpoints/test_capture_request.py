"""`+request` and `due:` in the capture line: the parser, and capture() opening a request."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from rapport.audit.models import AuditEntry
from rapport.errors import Invalid
from rapport.requests.models import Request
from rapport.touchpoints.capture import parse_capture
from rapport.touchpoints.models import Touchpoint
from rapport.touchpoints.services import NOT_LOGGED, capture

MADRID = ZoneInfo("Europe/Madrid")
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=MADRID)  # a Wednesday
NO_MARKER = "due:fri is a request's due date: add +request."


@pytest.mark.parametrize(
    ("line", "due", "text"),
    [
        ("+request due:fri wants stats help", dt.date(2026, 11, 27), "wants stats help"),
        ("+request due:wed", dt.date(2026, 12, 2), ""),  # a week on, not today
        ("+request due:today", dt.date(2026, 11, 25), ""),
        ("+request due:Tomorrow,", dt.date(2026, 11, 26), ""),
        ("+request due:2027-01-15", dt.date(2027, 1, 15), ""),
        ("+request due:3d", dt.date(2026, 11, 28), ""),
        ("+request due:2w", dt.date(2026, 12, 9), ""),
        ("+request due:in 3 days now", dt.date(2026, 11, 28), "now"),
        ("+request due:in 1 week", dt.date(2026, 12, 2), ""),
        ("+REQUEST. no date", None, "no date"),
        ("+request due:fri due:friday", dt.date(2026, 11, 27), ""),
    ],
)
def test_parse_request_and_due(line, due, text):
    cap = parse_capture(line, now=NOW)

    assert (cap.request, cap.due_on, cap.text, cap.problems) == (True, due, text, ())


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("asked due:fri", "due:fri is a request's due date: add +request."),
        (
            "+request due:someday",
            "due:someday is not a due date like due:fri, due:tomorrow, due:2026-12-01, due:3d "
            "or due:in 3 days.",
        ),
        (
            "+request due:2026-02-30",
            "due:2026-02-30 is not a due date like due:fri, due:tomorrow, due:2026-12-01, "
            "due:3d or due:in 3 days.",
        ),
        ("+request due:fri due:mon", "due:mon conflicts with due:fri."),
    ],
)
def test_parse_due_problems_stay_in_the_text(line, problem):
    cap = parse_capture(line, now=NOW)

    assert cap.problems == (problem,)
    bad = problem.split(" ", 1)[0]
    assert bad in cap.text.split()


def test_parse_other_plus_words_are_prose():
    cap = parse_capture("+1 for the +requests idea", now=NOW)

    assert (cap.request, cap.text, cap.problems) == (False, "+1 for the +requests idea", ())


def test_parse_due_word_without_colon_is_still_a_touchpoint_day():
    cap = parse_capture("+request fri", now=NOW)

    assert (cap.due_on, cap.occurred_at.date()) == (None, dt.date(2026, 11, 20))


# capture() end to end


def test_capture_with_request_opens_and_links_one(world):
    now = dt.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    line = "@Ana Ruiz asked for a systematic search +request due:fri #sr"

    tp = capture(by=world.alice, line=line, now=now)

    req = Request.objects.get()
    assert tp.opened_request == req
    assert tp.question == "asked for a systematic search"
    assert (req.need, req.title, req.due_on) == (
        "asked for a systematic search",
        "asked for a systematic search",
        dt.date(2026, 11, 27),
    )
    assert (req.owner, req.created_by, req.group, req.status) == (
        world.alice,
        world.alice,
        world.chem,
        "new",
    )
    assert list(req.people.all()) == [world.ana]
    assert list(req.touchpoints.all()) == [tp]
    assert AuditEntry.objects.filter(object_type="request", action="create").count() == 1


def test_capture_without_marker_opens_nothing(world):
    tp = capture(by=world.alice, line="@Ana Ruiz asked for a search")

    assert tp.opened_request is None
    assert Request.objects.count() == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("asked for something +request", "A request needs at least one person who asked."),
        (
            "@Ana Ruiz asked +request due:2001-01-01",
            "Due: 1 Jan 2001 is more than a year ago; give the date still ahead.",
        ),
        ("@Ana Ruiz asked due:fri", NO_MARKER),
    ],
)
def test_capture_with_a_bad_request_saves_neither(world, line, message):
    with pytest.raises(Invalid) as err:
        capture(by=world.alice, line=line)

    assert err.value.message in (message, f"{message} {NOT_LOGGED}")
    assert Request.objects.count() == 0
    assert Touchpoint.objects.count() == 3


def test_capture_confidential_request_is_refused(world):
    with pytest.raises(Invalid) as err:
        capture(by=world.alice, line="@Ana Ruiz asked +request", confidential=True)

    assert err.value.message.startswith("A confidential touchpoint stays with its author")
    assert (Request.objects.count(), Touchpoint.objects.count()) == (0, 3)


def test_the_capture_result_links_the_opened_request(client, world):
    from django.urls import reverse

    from rapport.requests.models import Request

    client.force_login(world.alice)
    html = client.post(
        reverse("touchpoints:capture"),
        {"line": "@Ana Ruiz needs a search for her grant +request due:tomorrow"},
        HTTP_HX_REQUEST="true",
    ).text
    req = Request.objects.get()
    assert (
        f'Opened request <a href="/requests/{req.pk}/">{req.title}</a>, '
        f"due {req.due_on:%a %-d %b}." in html
    )


def test_the_full_form_keeps_the_request_markers_in_the_text(world):
    import datetime as dt

    from rapport.touchpoints.forms import TouchpointForm

    now = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
    initial = TouchpointForm.initial_from_line(
        "@Ana Ruiz grant search +request due:2026-12-04", now
    )
    assert initial["question"] == "grant search +request due:2026-12-04"
