"""The person's own pages, reached by the secret token without an account."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.awareness import subscriptions
from rapport.awareness.models import (
    Digest,
    Frequency,
    Interest,
    InterestState,
    MatchStatus,
    Publication,
    SourceKind,
    Subscription,
)
from rapport.errors import Invalid
from rapport.people.models import Membership
from rapport.touchpoints.models import Channel, Initiator, Kind, Origin, Touchpoint
from tests.awareness.digests.conftest import NOW, make_item, make_match, subscribe
from tests.conftest import free_port
from tests.factories import make_person, make_touchpoint


def page(token: str, rest: str = "") -> str:
    return f"/alerts/{token}/{rest}"


@pytest.fixture
def sent(world):
    """ana's subscription and an item alice approved and a digest carried to her."""
    sub = subscribe(world.ana)
    digest = Digest.objects.create(person=world.ana, status=Digest.Status.SENT, sent_at=NOW)
    match = make_match(
        world.ana,
        make_item("PRISMA 2020 explained", link="https://journal.example/prisma-2020"),
        status=MatchStatus.SENT,
        by=world.alice,
        digest=digest,
    )
    return sub, match


def test_unknown_and_revoked_links_get_the_same_404(world, client):
    sub = subscribe(world.ana)
    old = sub.token
    sub = subscriptions.new_link(by=world.alice, subscription=sub)

    unknown = client.get(page("not-a-real-token"))
    revoked = client.get(page(old))
    feedback = client.get(page(old, "feedback/1/useful/"))

    for response in (unknown, revoked, feedback):
        assert response.status_code == 404
        assert response.context["error"].message == subscriptions.BAD_LINK
        assert response["Cache-Control"] == "private, no-store"
    assert client.get(page(sub.token)).status_code == 200


def test_the_page_shows_what_we_keep_and_never_confidential_notes(world, client, sent):
    sub, _ = sent
    Publication.objects.create(
        person=world.ana,
        title="Search strings for systematic reviews",
        title_key="search strings for systematic reviews",
        keywords=["prisma"],
        source_kind=SourceKind.BIBTEX,
        published_on=dt.date(2025, 5, 1),
    )
    Interest.objects.create(person=world.ana, term="green chemistry", state=InterestState.STATED)

    response = client.get(page(sub.token))

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    html = response.content.decode()
    assert "<dt>Name</dt><dd>Ana Ruiz</dd>" in html
    assert "<dt>Email</dt><dd>ana.ruiz@uni.example</dd>" in html
    assert "<dt>Groups</dt><dd>Chemistry Lab (member)</dd>" in html
    terms = {t["term"]: t for t in response.context["terms"]}
    assert terms["prisma"]["because"] == "from 1 question, 1 paper"
    assert {e.label for _, e in terms["prisma"]["evidence"]} == {
        "PRISMA search strings",
        "Search strings for systematic reviews",
    }
    assert "A question or contact: PRISMA search strings" in html
    assert "Your paper: Search strings for systematic reviews" in html
    assert "green chemistry" in html
    assert "Private worry" not in html  # confidential: never part of the profile
    assert '<a href="https://journal.example/prisma-2020">PRISMA 2020 explained</a>' in html
    assert "sent 2 Mar 2026" in html
    assert 'id="consent"' not in html  # she already said yes


def test_the_page_shows_the_persons_words_never_the_librarians_notes(world, client):
    sub = subscribe(world.ana)
    for question in ("outreach: report findings", "report findings follow-up"):
        make_touchpoint(
            world.alice,
            [world.ana],
            question=question,
            initiated_by=Initiator.US,
            tags=["outreach"],
        )
    make_touchpoint(world.alice, [world.ana], question="PRISMA flow diagram")

    response = client.get(page(sub.token))

    assert [t["term"] for t in response.context["terms"]] == ["prisma"]
    html = response.content.decode()
    assert "report" not in html.lower()
    assert "outreach" not in html.lower()


def test_consent_is_recorded_only_by_the_button(world, client):
    sub = subscribe(world.ana, consented_at=None)
    assert 'id="consent"' in client.get(page(sub.token)).content.decode()
    assert Subscription.objects.get().consented_at is None

    response = client.post(page(sub.token, "consent/"))

    assert response.status_code == 302
    assert response["Location"] == page(sub.token)
    sub.refresh_from_db()
    assert sub.consented_at is not None
    entry = AuditEntry.objects.get(action="subscription.consented")
    assert (entry.actor, entry.object_type, entry.object_id) == (None, "person", str(world.ana.pk))
    assert entry.summary == "Opted in to alerts on their preferences page (by the person)"


def test_writes_need_a_post(world, client):
    sub = subscribe(world.ana, consented_at=None)
    for rest in ("consent/", "frequency/", "pause/", "topics/add/", "topics/remove/"):
        assert client.get(page(sub.token, rest)).status_code == 405
    assert Subscription.objects.get().consented_at is None


def test_frequency_and_pause(world, client):
    sub = subscribe(world.ana)

    client.post(page(sub.token, "frequency/"), {"frequency": "monthly"})
    client.post(page(sub.token, "pause/"), {"paused": "1"})

    sub.refresh_from_db()
    assert (sub.frequency, sub.paused) == (Frequency.MONTHLY, True)
    html = client.get(page(sub.token)).content.decode()
    assert "Paused: nothing is sent until you resume." in html
    assert "Resume alerts" in html

    client.post(page(sub.token, "pause/"), {"paused": "0"})
    wrong = client.post(page(sub.token, "frequency/"), {"frequency": "hourly"}, follow=True)

    sub.refresh_from_db()
    assert (sub.frequency, sub.paused) == (Frequency.MONTHLY, False)
    assert [str(m) for m in wrong.context["messages"]] == [
        "Alerts resumed.",
        "Choose weekly or monthly.",
    ]
    assert list(
        AuditEntry.objects.filter(action__startswith="subscription.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["subscription.frequency", "subscription.paused", "subscription.resumed"]


def test_topics_added_on_the_page_become_interests_stated_by_the_person(world, client):
    sub = subscribe(world.ana)

    response = client.post(page(sub.token, "topics/add/"), {"term": "  Green Chemistry "})

    assert response["Location"] == page(sub.token) + "#topics"
    interest = Interest.objects.get(person=world.ana)
    assert (interest.term, interest.state, interest.by_person) == (
        "green chemistry",
        InterestState.STATED,
        True,
    )

    client.post(page(sub.token, "topics/remove/"), {"term": "green chemistry"})

    interest.refresh_from_db()
    assert (interest.state, interest.by_person) == (InterestState.REMOVED, True)
    html = client.get(page(sub.token)).content.decode()
    assert "Topics you took out" in html
    empty = client.post(page(sub.token, "topics/add/"), {"term": "  "}, follow=True)
    assert [str(m) for m in empty.context["messages"]] == ["Type a topic, e.g. “scoping reviews”."]
    assert Interest.objects.count() == 1


def test_unsubscribe_asks_on_get_and_takes_the_one_click_post_without_csrf(world):
    sub = subscribe(world.ana)
    client = Client(enforce_csrf_checks=True)

    asked = client.get(page(sub.token, "unsubscribe/"))
    assert asked.status_code == 200
    assert "Unsubscribe from library alerts?" in asked.content.decode()
    assert Subscription.objects.get().unsubscribed_at is None

    done = client.post(
        page(sub.token, "unsubscribe/"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    sub.refresh_from_db()
    assert sub.unsubscribed_at is not None
    assert AuditEntry.objects.get(action="subscription.unsubscribed").summary == (
        "Unsubscribed (one-click from the email) (by the person)"
    )
    # Everywhere else a POST needs the page's CSRF token.
    assert client.post(page(sub.token, "consent/")).status_code == 403


def test_the_unsubscribe_button_on_the_page(world, client):
    sub = subscribe(world.ana)

    response = client.post(page(sub.token, "unsubscribe/"), follow=True)

    assert response.redirect_chain == [(page(sub.token), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "You are unsubscribed: no more alerts."
    ]
    assert 'id="consent"' in response.content.decode()  # they may say yes again


def test_feedback_get_changes_nothing(world, client, sent):
    sub, match = sent

    response = client.get(page(sub.token, f"feedback/{match.pk}/useful/"))

    assert response.status_code == 200
    assert "Mark as useful" in response.content.decode()
    match.refresh_from_db()
    assert match.feedback == ""
    assert Touchpoint.objects.filter(origin=Origin.ALERT).count() == 0


def test_feedback_post_records_it_and_logs_one_touchpoint(world, client, sent):
    sub, match = sent
    gone = make_person("Gone Student", groups=[world.chem])
    Membership.objects.filter(person=gone).update(ended_on=dt.date(2025, 1, 1))
    url = page(sub.token, f"feedback/{match.pk}/not_useful/")

    response = client.post(url)
    client.post(url)  # a second press changes nothing

    assert response["Location"] == page(sub.token) + "#sent"
    match.refresh_from_db()
    assert match.feedback == "not_useful"
    tp = Touchpoint.objects.get(origin=Origin.ALERT)
    assert list(tp.people.all()) == [world.ana]
    assert (tp.author, tp.group, tp.kind, tp.channel, tp.initiated_by) == (
        world.alice,
        world.chem,
        Kind.EMAIL,
        Channel.EMAIL,
        Initiator.US,
    )
    assert tp.topic == "Alert not useful: PRISMA 2020 explained"
    assert AuditEntry.objects.get(action="match.feedback").changes == {
        "feedback": ["", "not_useful"]
    }

    client.post(page(sub.token, f"feedback/{match.pk}/useful/"))  # a change of mind

    match.refresh_from_db()
    assert match.feedback == "useful"
    assert Touchpoint.objects.filter(origin=Origin.ALERT).count() == 2


def test_feedback_only_for_items_sent_to_that_person(world, client, sent):
    sub, _ = sent
    bens = make_match(world.ben, make_item("For Ben"), status=MatchStatus.SENT, by=world.alice)
    waiting = make_match(world.ana, make_item("Not sent yet"), by=world.alice)

    for match in (bens, waiting):
        url = page(sub.token, f"feedback/{match.pk}/useful/")
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert client.get(page(sub.token, f"feedback/{waiting.pk}/maybe/")).status_code == 404
    assert not bens.__class__.objects.exclude(feedback="").exists()


def test_feedback_without_any_librarian_is_stored_but_not_logged(world, client):
    sub = subscribe(world.carla)
    match = make_match(world.carla, make_item("For Carla"), status=MatchStatus.SENT)

    client.post(page(sub.token, f"feedback/{match.pk}/useful/"))

    match.refresh_from_db()
    assert match.feedback == "useful"
    assert Touchpoint.objects.filter(origin=Origin.ALERT).count() == 0


def test_invite_with_the_mail_server_down_says_so_in_words(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens

    with pytest.raises(Invalid) as err:
        subscriptions.invite(by=world.alice, person=world.ben)

    assert err.value.message == (
        "The invitation could not be sent: the library's mail server is not answering. "
        "Nothing was sent; try again later, and if it keeps failing, tell your administrator."
    )
    assert "Errno" not in err.value.message


def test_invite_emails_the_link_and_asks_before_anything_is_sent(world, inbox, settings):
    sub = subscriptions.invite(by=world.alice, person=world.ben)

    assert sub.consented_at is None
    ((to, msg),) = inbox.messages
    assert to == ["ben@uni.example"]
    assert msg["Subject"] == "Would you like library alerts?"
    assert msg["Reply-To"] == "alice@library.example"
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert f"https://rapport.example/alerts/{sub.token}/\n" in text
    assert "Alice Liddell, your librarian, would like to send you" in text

    Subscription.objects.filter(pk=sub.pk).update(unsubscribed_at=timezone.now())
    with pytest.raises(Invalid, match="only they can subscribe again"):
        subscriptions.invite(by=world.alice, person=world.ben)
    assert len(inbox.messages) == 1
