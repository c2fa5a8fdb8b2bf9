"""The alerts pages: items in, the review queue, a person's interests, run progress."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rapport.audit.models import AuditEntry
from rapport.awareness import links
from rapport.awareness.models import Digest, Interest, Item, Match, MatchRun, MatchStatus
from tests.awareness.conftest import make_item, make_publication
from tests.factories import make_touchpoint

pytestmark = pytest.mark.django_db

RIS = b"""TY  - JOUR
TI  - Data management plans for chemistry labs
AU  - Diaz, Carla
PY  - 2025
JO  - Journal of Chemical Information
DO  - 10.1000/jci.2025.7
ER  -\x20
"""


@pytest.fixture
def suggestion(world):
    item = make_item("PRISMA extension for scoping reviews", link="https://journal.example/prisma")
    return Match.objects.create(
        person=world.ana,
        item=item,
        score=0.42,
        explanation={
            "mode": "lexical",
            "terms": ["scoping review", "prisma"],
            "evidence": [{"ref": "touchpoint:1", "source": "touchpoint", "label": "PRISMA flow"}],
        },
    )


def test_home_lists_runs_and_waiting_count(client, world, suggestion):
    MatchRun.objects.create(
        scope="items", item_ids=[suggestion.item_id], status="done", matches_kept=1
    )
    client.force_login(world.alice)
    response = client.get(reverse("awareness:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'Review suggestions <span class="count">1</span>' in page
    assert "1 new item" in page


def test_upload_a_file_of_items(client, world):
    client.force_login(world.alice)
    upload = SimpleUploadedFile("new.ris", RIS, content_type="application/x-research-info-systems")
    response = client.post(reverse("awareness:import_file"), {"file": upload}, follow=True)
    assert response.redirect_chain == [(reverse("awareness:home"), 302)]
    assert "Items from new.ris: 1 added." in response.content.decode()
    item = Item.objects.get()
    assert (item.title, item.doi, item.source_kind, item.source) == (
        "Data management plans for chemistry labs",
        "10.1000/jci.2025.7",
        "ris",
        "new.ris",
    )


def test_upload_of_an_unreadable_file_shows_why_and_adds_nothing(client, world):
    client.force_login(world.alice)
    upload = SimpleUploadedFile("notes.txt", b"just some words")
    response = client.post(reverse("awareness:import_file"), {"file": upload})
    assert response.status_code == 422
    assert "Could not read notes.txt" in response.content.decode()
    assert Item.objects.count() == 0


def test_review_shows_why_and_approve_by_htmx(client, world, suggestion):
    client.force_login(world.alice)
    page = client.get(reverse("awareness:review")).content.decode()
    assert "PRISMA extension for scoping reviews" in page
    assert "Why: scoping review, prisma — like “PRISMA flow”" in page
    response = client.post(
        reverse("awareness:decide", args=[suggestion.pk]),
        {"decision": "approve", "note": "For your review"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert (
        "Approved: PRISMA extension for scoping reviews for Ana Ruiz." in response.content.decode()
    )
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.note) == (MatchStatus.APPROVED, "For your review")


def test_review_hides_other_librarians_people(client, world, suggestion):
    client.force_login(world.bob)
    page = client.get(reverse("awareness:review")).content.decode()
    assert "PRISMA extension" not in page
    response = client.post(
        reverse("awareness:decide", args=[suggestion.pk]), {"decision": "reject"}
    )
    assert response.status_code == 404
    assert Match.objects.get().status == MatchStatus.SUGGESTED


def test_managers_get_no_review_queue(client, world, suggestion):
    client.force_login(world.mia)
    assert client.get(reverse("awareness:review")).status_code == 403


def test_profile_page_shows_terms_with_evidence(client, world):
    make_touchpoint(world.alice, [world.ana], question="PRISMA flow diagram")
    make_publication(world.ana, "Reporting PRISMA diagrams")
    client.force_login(world.alice)
    page = client.get(reverse("awareness:profile", args=[world.ana.pk])).content.decode()
    assert "<strong>prisma</strong>" in page
    assert "from 2 questions, 1 paper" in page
    assert "Reporting PRISMA diagrams" in page


def test_remove_a_term_from_the_profile_page(client, world):
    make_touchpoint(world.alice, [world.ana], question="PRISMA flow diagram")
    client.force_login(world.alice)
    response = client.post(
        reverse("awareness:interest", args=[world.ana.pk]), {"term": "PRISMA", "state": "removed"}
    )
    assert response.status_code == 302
    assert list(Interest.objects.values_list("term", "state")) == [("prisma", "removed")]
    page = client.get(reverse("awareness:profile", args=[world.ana.pk])).content.decode()
    assert "<strong>prisma</strong>" not in page
    assert "Removed, never matched:" in page


def test_run_progress_partial_polls_while_busy(client, world):
    run = MatchRun.objects.create(scope="all", status="running", total=10, done=4)
    client.force_login(world.alice)
    response = client.get(reverse("awareness:run", args=[run.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert '<progress id="run-bar" max="10" value="4">' in body
    run.status = "done"
    run.save()
    body = client.get(
        reverse("awareness:run", args=[run.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "hx-trigger" not in body


def test_invite_emails_a_link_the_profile_cannot_show_again(client, world, inbox):
    client.force_login(world.alice)
    response = client.post(reverse("awareness:invite", args=[world.ana.pk]), follow=True)
    assert "Sent Ana Ruiz the link to their alerts page." in response.content.decode()
    [(to, message)] = inbox.messages
    assert to == ["ana.ruiz@uni.example"]
    emailed = re.search(r"/alerts/([^/]+)/", message.get_body(("plain",)).get_content())
    assert emailed is not None and emailed[1].startswith("alr_")
    assert links.find(emailed[1]).person == world.ana

    page = client.get(reverse("awareness:profile", args=[world.ana.pk])).content.decode()
    assert emailed[1] not in page  # only its hash is kept: there is nothing to show
    assert 'id="link-note"' in page


def test_new_link_revokes_every_link_sent_and_shows_the_new_one_once(client, world, inbox):
    client.force_login(world.alice)
    client.post(reverse("awareness:invite", args=[world.ana.pk]))
    client.post(reverse("awareness:invite", args=[world.ana.pk]))
    sent = [
        re.findall(r"/alerts/([^/]+)/", m.get_body(("plain",)).get_content())[0]
        for _, m in inbox.messages
    ]
    assert len(set(sent)) == 2  # each email has a link of its own, and both work
    assert [client.get(f"/alerts/{t}/").status_code for t in sent] == [200, 200]

    response = client.post(reverse("awareness:new_link", args=[world.ana.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    shown = re.search(r'<a href="[^"]+/alerts/([^/"]+)/">', page)
    assert shown is not None and shown[1] not in sent
    assert "shown this once" in page
    assert [client.get(f"/alerts/{t}/").status_code for t in sent] == [404, 404]
    assert client.get(f"/alerts/{shown[1]}/").status_code == 200
    again = client.get(reverse("awareness:profile", args=[world.ana.pk])).content.decode()
    assert shown[1] not in again
    entry = AuditEntry.objects.get(action="subscription.new_link")
    assert entry.changes == {"links_revoked": 2}
    assert not any(
        t in json.dumps(e.changes) + e.summary
        for e in AuditEntry.objects.all()
        for t in [*sent, shown[1]]
    )


def test_item_page_shows_who_it_matched_among_my_people(client, world, suggestion):
    Match.objects.create(person=world.hugo, item=suggestion.item, score=0.9)
    client.force_login(world.alice)
    page = client.get(reverse("awareness:item_detail", args=[suggestion.item_id])).content.decode()
    assert '<h1 id="item-title">PRISMA extension for scoping reviews</h1>' in page
    assert "Ana Ruiz" in page
    assert "Hugo Marsh" not in page
    assert client.get(reverse("awareness:item_detail", args=[999999])).status_code == 404


def test_managers_see_items_but_not_who_they_matched(client, world, suggestion):
    client.force_login(world.mia)
    page = client.get(reverse("awareness:item_detail", args=[suggestion.item_id])).content.decode()
    assert "PRISMA extension for scoping reviews" in page
    assert "Ana Ruiz" not in page


def test_managers_cannot_start_a_matching_run(client, world):
    client.force_login(world.mia)
    assert client.post(reverse("awareness:match_everyone")).status_code == 403
    assert MatchRun.objects.count() == 0


def test_profile_page_says_which_digests_failed_and_whether_they_are_retried(client, world):
    client.force_login(world.alice)
    Digest.objects.create(
        person=world.ana, status="failed", attempts=2, last_error="The mail server was down"
    )
    Digest.objects.create(
        person=world.ana,
        status="refused",
        attempts=1,
        address=world.ana.email,
        last_error="The mail server refused the address: 550 No such mailbox",
    )
    Digest.objects.create(person=world.ana, status="refused", address="old@uni.example")

    page = client.get(reverse("awareness:profile", args=[world.ana.pk])).content.decode()

    assert page.count("was not accepted by the mail server") == 2
    assert "(2 attempts): The mail server was down. It is tried again on every run." in page
    assert (
        "(1 attempt): The mail server refused the address: 550 No such mailbox. It is not tried "
        f"again: no alerts go to {world.ana.email} until their address is corrected"
    ) in page
    assert "old@uni.example" not in page


def test_new_link_is_shown_at_the_address_the_page_was_reached_by(client, world, settings, inbox):
    """The link on the profile page starts where the librarian reached Rapport, not at the
    configured site address; the e-mailed link, made with no request, starts at the latter."""
    settings.SITE_URL = "https://rapport.library.example"
    settings.ALLOWED_HOSTS = ["testserver", "10.0.0.7"]
    client.force_login(world.alice)
    client.post(reverse("awareness:invite", args=[world.ana.pk]))
    [(_, message)] = inbox.messages
    mailed = message.get_body(("plain",)).get_content()

    response = client.post(
        reverse("awareness:new_link", args=[world.ana.pk]), HTTP_HOST="10.0.0.7:8080"
    )

    page = response.content.decode()
    shown = re.search(r'<a href="([^"]+/alerts/[^"]+)">', page)
    assert shown is not None
    assert shown[1].startswith("http://10.0.0.7:8080/alerts/alr_")
    assert "rapport.library.example" not in page
    assert "https://rapport.library.example/alerts/alr_" in mailed
