"""The search page (a GET form that works without JavaScript, results as an HTMX partial) and
the similar-questions panel on the touchpoint, capture and request pages."""

from django.urls import reverse
from django.utils import timezone

from rapport.requests.models import Request
from tests.factories import make_touchpoint

SEARCH = "/search/"


def test_search_page_shows_marked_hits_with_links(client, world):
    tp = make_touchpoint(world.alice, [world.ana], topic="Raman spectra", group=world.chem)
    client.force_login(world.alice)

    response = client.get(SEARCH, {"q": "spectra"})

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a class="name" href="/touchpoints/{tp.pk}/">Raman spectra</a>' in html
    assert "Raman <mark>spectra</mark>" in html
    assert "1 best match</p>" in html
    assert '<label for="id_q">Search for</label>' in html


def test_search_page_htmx_gets_the_results_only(client, world):
    make_touchpoint(world.alice, [world.ana], topic="Raman spectra")
    client.force_login(world.alice)

    response = client.get(SEARCH, {"q": "spectra"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="search-results"')
    assert "<form" not in html
    assert response["Vary"] == "HX-Request, Cookie"


def test_search_page_punctuation_only_says_so(client, world):
    client.force_login(world.alice)

    response = client.get(SEARCH, {"q": '"*()'})

    message = (
        '<p class="empty" id="search-message" data-announce>Type a word or two to search for.</p>'
    )
    assert message in response.content.decode()


def test_search_page_nothing_found_says_so(client, world):
    client.force_login(world.alice)

    response = client.get(SEARCH, {"q": "archive"})  # bob's touchpoint

    assert "Nothing you may see matches." in response.content.decode()
    assert "/touchpoints/" not in response.content.decode().split('id="search-results"')[1]


def test_search_page_filters_and_bad_values(client, world):
    make_touchpoint(world.alice, [world.ana], topic="Raman spectra", kind="email")
    client.force_login(world.alice)

    kept = client.get(SEARCH, {"q": "spectra", "touchpoint_kind": "email", "group": "x"})
    dropped = client.get(SEARCH, {"q": "spectra", "touchpoint_kind": "meeting"})

    assert "Raman <mark>spectra</mark>" in kept.content.decode()
    assert "Nothing you may see matches." in dropped.content.decode()


def test_search_page_for_a_manager_offers_people_and_items_only(client, world):
    client.force_login(world.mia)

    response = client.get(SEARCH, {"q": "prisma"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="person"' in html and 'value="item"' in html
    assert 'value="touchpoint"' not in html
    assert 'name="group"' not in html
    assert "Nothing you may see matches." in html


def test_search_page_needs_sign_in(client, world):
    response = client.get(SEARCH, {"q": "x"})

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/search/%3Fq%3Dx"


def test_header_links_to_search(client, world):
    client.force_login(world.alice)

    html = client.get(reverse("home")).content.decode()

    assert '<a href="/search/">Search</a>' in html


def test_touchpoint_page_has_the_similar_panel(client, world):
    tp = world.ana_question
    client.force_login(world.alice)

    html = client.get(reverse("touchpoints:detail", args=[tp.pk])).content.decode()

    assert f'hx-get="/search/similar/?touchpoint={tp.pk}"' in html
    assert f'<a href="/search/similar/?touchpoint={tp.pk}">Show similar past questions</a>' in html


def test_similar_panel_lists_past_questions_with_answers(client, world):
    past = make_touchpoint(
        world.alice,
        [world.ben],
        topic="PRISMA flow",
        question="PRISMA flow diagram tools?",
        answer="Use the 2020 template.",
        days_ago=20,
    )
    client.force_login(world.alice)

    response = client.get(
        "/search/similar/", {"touchpoint": world.ana_question.pk}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert f'<a href="/touchpoints/{past.pk}/">PRISMA flow</a>' in html
    assert "Use the 2020 template." in html
    assert f"/touchpoints/{world.ana_question.pk}/" not in html
    assert "<h1>" not in html


def test_similar_page_without_javascript_for_a_request(client, world):
    past = make_touchpoint(world.alice, [world.ben], topic="PRISMA flow", days_ago=20)
    req = Request.objects.create(
        owner=world.alice,
        title="Review",
        need="PRISMA checklist help",
        status_changed_at=timezone.now(),
    )
    req.people.set([world.ana])
    client.force_login(world.alice)

    response = client.get("/search/similar/", {"request": req.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Similar past questions</h1>" in html
    assert f'<a href="/touchpoints/{past.pk}/">PRISMA flow</a>' in html


def test_similar_for_a_request_leaves_out_its_own_touchpoints(client, world):
    past = make_touchpoint(world.alice, [world.ben], topic="PRISMA flow", days_ago=20)
    own = make_touchpoint(world.alice, [world.ana], topic="PRISMA checklist help", days_ago=1)
    req = Request.objects.create(
        owner=world.alice,
        title="Review",
        need="PRISMA checklist help",
        status_changed_at=timezone.now(),
    )
    req.people.set([world.ana])
    req.touchpoints.set([own])
    client.force_login(world.alice)

    html = client.get("/search/similar/", {"request": req.pk}).content.decode()

    assert f'href="/touchpoints/{own.pk}/"' not in html
    assert f'<a href="/touchpoints/{past.pk}/">PRISMA flow</a>' in html


def test_request_page_has_the_similar_panel(client, world):
    req = Request.objects.create(
        owner=world.alice, title="Review", need="PRISMA help", status_changed_at=timezone.now()
    )
    client.force_login(world.alice)

    html = client.get(reverse("requests:detail", args=[req.pk])).content.decode()

    assert f'hx-get="/search/similar/?request={req.pk}"' in html


def test_similar_refuses_what_the_user_cannot_see(client, world):
    client.force_login(world.bob)

    hidden = client.get("/search/similar/", {"touchpoint": world.ana_question.pk})
    bad = client.get("/search/similar/", {"touchpoint": "x"})

    assert hidden.status_code == 404
    assert bad.status_code == 404


def test_capture_result_offers_similar_questions(client, world):
    client.force_login(world.alice)

    response = client.post(
        reverse("touchpoints:capture"),
        {"line": "@Ana Ruiz asked about PRISMA flow diagrams"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-get="/search/similar/?touchpoint=' in html
