"""What the person sees of an item whose stored link is not a web address (a row from before
links were checked): its title, never a link, on their pages and in their email."""

import pytest

from rapport.awareness.models import Digest, MatchStatus
from rapport.awareness.sending import Sent, send_digests
from tests.awareness.conftest import make_publication
from tests.awareness.digests.conftest import NOW, make_item, make_match, subscribe
from tests.awareness.digests.test_send import body

BAD = "javascript:alert(document.cookie)"


@pytest.fixture
def evil(world):
    """ana's subscription, a paper of hers and an item sent to her, both with script links."""
    sub = subscribe(world.ana)
    digest = Digest.objects.create(person=world.ana, status=Digest.Status.SENT, sent_at=NOW)
    match = make_match(
        world.ana,
        make_item("Evil item", link=f" {BAD}"),
        status=MatchStatus.SENT,
        by=world.alice,
        digest=digest,
    )
    make_publication(world.ana, "Evil paper", link="java\tscript:alert(1)", venue="")
    return sub, match


def test_the_preferences_page_shows_bad_links_as_plain_titles(client, evil):
    sub, _ = evil

    page = client.get(f"/alerts/{sub.token}/").content.decode()

    assert '<li>Evil paper<span class="meta">2025</span></li>' in page
    assert "<li>Evil item\n" in page
    assert "alert(" not in page


def test_the_feedback_page_shows_a_bad_link_as_a_plain_title(client, evil):
    sub, match = evil

    response = client.get(f"/alerts/{sub.token}/feedback/{match.pk}/useful/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<p><strong>Evil item</strong></p>" in page
    assert "alert(" not in page


def test_a_digest_links_only_web_addresses(world, inbox):
    subscribe(world.ana)
    make_match(world.ana, make_item("No address at all", link=BAD), by=world.alice, score=0.9)
    make_match(
        world.ana,
        make_item("Falls back to the DOI", link="vbscript:msgbox(1)", doi="10.1234/doi"),
        by=world.alice,
        score=0.5,
    )

    assert send_digests(NOW) == Sent(composed=1, sent=1)

    _, msg = inbox.messages[0]
    html, text = body(msg, "html"), body(msg, "plain")
    assert "<p><strong>No address at all</strong></p>" in html
    assert (
        '<p><strong><a href="https://doi.org/10.1234/doi">Falls back to the DOI</a></strong></p>'
        in html
    )
    assert "1. No address at all\n   Why:" in text
    assert "2. Falls back to the DOI\n   https://doi.org/10.1234/doi\n" in text
    for part in (html, text):
        assert "alert(" not in part
        assert "msgbox" not in part
