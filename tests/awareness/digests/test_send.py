"""Digests through a real local SMTP server: what the person receives, once, and when."""

import re

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command

from rapport.audit.models import AuditEntry
from rapport.awareness import links
from rapport.awareness.digest_tasks import send_digests_task
from rapport.awareness.models import Digest, Match, MatchStatus, Subscription
from rapport.awareness.sending import MAX_ATTEMPTS, Sent, send_digests
from tests.awareness.digests.conftest import NOW, SITE, later, make_item, make_match, subscribe
from tests.conftest import Inbox, free_port
from tests.factories import make_person

TEXT = """\
Hello Ana Ruiz,

Alice Liddell, your librarian, picked these 2 items for you.

1. PRISMA 2020 explained
   Journal of Reviews, 20 February 2026
   https://journal.example/prisma-2020
   Why: it matches your interest in prisma, search strings.
   Note from Alice Liddell: This is the checklist we talked about.
   Useful? {alerts}/feedback/{prisma}/useful/
   Not useful? {alerts}/feedback/{prisma}/not_useful/

2. Scoping reviews in chemistry
   https://doi.org/10.1234/scoping
   Why: it matches your interest in scoping reviews.
   Useful? {alerts}/feedback/{scoping}/useful/
   Not useful? {alerts}/feedback/{scoping}/not_useful/

Your answers teach us what to send you next. Reply to this email to write to Alice Liddell.

You get these alerts weekly because you asked for them.
Topics, frequency, pause, and what we keep about you: {alerts}/
Unsubscribe: {alerts}/unsubscribe/
"""


def body(msg, kind: str) -> str:
    """A part's text as written (the wire's CRLF line ends back to newlines)."""
    return msg.get_body((kind,)).get_content().replace("\r\n", "\n")


def header(msg, name: str) -> str:
    # Long values are folded onto a continuation line; the reader sees them unfolded.
    return str(msg[name]).strip()


def test_digest_carries_both_parts_the_headers_and_each_item(alerts, inbox):
    result = send_digests(NOW)

    assert result == Sent(composed=1, sent=1)
    assert len(inbox.messages) == 1
    to, msg = inbox.messages[0]
    assert to == ["ana.ruiz@uni.example"]
    digest = Digest.objects.get()
    # The email carries a link of its own, made as it was written (only its hash is kept).
    token = re.fullmatch(
        rf"<{SITE}/alerts/(alr_[\w-]+)/unsubscribe/>", header(msg, "List-Unsubscribe")
    )
    assert token is not None and token[1] != alerts.sub.token
    assert links.find(token[1]).pk == alerts.sub.pk
    alerts_url = f"{SITE}/alerts/{token[1]}"
    assert msg["Subject"] == "Library alerts: 2 new items for you"
    assert msg["From"] == "Library alerts <alerts@library.example>"
    assert msg["To"] == "Ana Ruiz <ana.ruiz@uni.example>"
    assert msg["Reply-To"] == "Alice Liddell <alice@library.example>"
    assert header(msg, "List-Unsubscribe") == f"<{alerts_url}/unsubscribe/>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Message-ID"] == digest.message_id
    assert digest.message_id.endswith("@rapport.example>")
    text = body(msg, "plain")
    assert (
        text
        == TEXT.format(alerts=alerts_url, prisma=alerts.prisma.pk, scoping=alerts.scoping.pk) + "\n"
    )
    html = body(msg, "html")
    assert (
        '<strong><a href="https://journal.example/prisma-2020">PRISMA 2020 explained</a></strong>'
        in html
    )
    assert "<p>Why: it matches your interest in prisma, search strings.</p>" in html
    assert "<blockquote><p>This is the checklist we talked about.</p><p>— Alice Liddell</p>" in html
    assert f'<a href="{alerts_url}/feedback/{alerts.scoping.pk}/not_useful/">Not useful</a>' in html
    assert f'<a href="{alerts_url}/unsubscribe/">Unsubscribe</a>' in html


def test_a_sent_digest_is_recorded_and_never_sent_again(alerts, inbox):
    send_digests(NOW)

    digest = Digest.objects.get()
    assert (digest.status, digest.attempts, digest.sent_at, digest.last_error) == (
        Digest.Status.SENT,
        1,
        NOW,
        "",
    )
    assert set(Match.objects.values_list("status", "digest")) == {(MatchStatus.SENT, digest.pk)}
    assert Subscription.objects.get().last_sent_at == NOW
    entry = AuditEntry.objects.get(action="digest.sent")
    assert entry.summary == "2 item(s) to Ana Ruiz"
    assert entry.changes["message_id"] == digest.message_id

    again = send_digests(later(8))

    assert again == Sent()
    assert len(inbox.messages) == 1


def test_mail_server_down_keeps_the_digest_and_the_next_run_sends_it_once(alerts, inbox, settings):
    up = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there

    down = send_digests(NOW)

    assert (down.composed, down.sent, down.failed) == (1, 0, 1)
    digest = Digest.objects.get()
    assert (digest.status, digest.attempts, digest.sent_at) == (Digest.Status.FAILED, 1, None)
    assert digest.last_error == (
        "The mail server could not be reached: it refused the connection (is it running, at "
        "the EMAIL_HOST and EMAIL_PORT set?)."
    )
    assert down.errors == [f"ana.ruiz@uni.example: {digest.last_error}"]
    assert set(Match.objects.values_list("status", "digest")) == {(MatchStatus.APPROVED, digest.pk)}
    assert Subscription.objects.get().last_sent_at is None

    settings.EMAIL_PORT = up
    retried = send_digests(later(0.1))

    assert retried == Sent(sent=1)
    assert len(inbox.messages) == 1
    digest.refresh_from_db()
    assert (digest.status, digest.attempts, digest.last_error) == (Digest.Status.SENT, 2, "")
    assert inbox.messages[0][1]["Message-ID"] == digest.message_id
    assert send_digests(later(0.2)) == Sent()
    assert len(inbox.messages) == 1


def test_a_server_that_cannot_be_reached_is_tried_once_per_run(alerts, world, inbox, settings):
    subscribe(world.ben)
    make_match(world.ben, make_item("Lab safety data"), by=world.alice)
    settings.EMAIL_PORT = free_port()

    result = send_digests(NOW)

    assert (result.composed, result.failed) == (2, 2)
    assert list(Digest.objects.order_by("pk").values_list("status", "attempts")) == [
        (Digest.Status.FAILED, 1),
        (Digest.Status.FAILED, 1),
    ]


class RefusingInbox(Inbox):
    """A server that is up but refuses one address, for good (550) or for now (451)."""

    code = "550 5.1.1 No such mailbox"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "ana.ruiz@uni.example":
            return self.code
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing(settings):
    handler = RefusingInbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    yield handler
    controller.stop()


def test_an_address_refused_for_good_is_given_up_and_the_items_wait(alerts, world, refusing):
    subscribe(world.ben)
    make_match(world.ben, make_item("Lab safety data"), by=world.alice)

    result = send_digests(NOW)

    assert (result.sent, result.failed) == (1, 1)
    assert [to for to, _ in refusing.messages] == [["ben@uni.example"]]
    ana = Digest.objects.get(person=world.ana)
    assert (ana.status, ana.attempts, ana.address) == (
        Digest.Status.REFUSED,
        1,
        "ana.ruiz@uni.example",
    )
    assert ana.last_error == "The mail server refused the address: 550 5.1.1 No such mailbox"
    assert Digest.objects.get(person=world.ben).status == Digest.Status.SENT
    # Her items are hers again, still approved, and nothing more goes to the dead address.
    assert set(Match.objects.filter(person=world.ana).values_list("status", "digest")) == {
        (MatchStatus.APPROVED, None)
    }
    make_match(world.ben, make_item("More lab safety data"), by=world.alice)
    again = send_digests(later(8))
    assert (again.composed, again.sent, again.failed) == (1, 1, 0)
    assert Digest.objects.filter(person=world.ana).count() == 1

    # Once her address is corrected, her items go out to the new one.
    world.ana.email = "ana@chem.uni.example"
    world.ana.save(update_fields=["email"])
    fixed = send_digests(later(16))
    assert (fixed.composed, fixed.sent, fixed.failed) == (1, 1, 0)
    assert refusing.messages[-1][0] == ["ana@chem.uni.example"]
    assert set(Match.objects.filter(person=world.ana).values_list("status", flat=True)) == {
        MatchStatus.SENT
    }


def test_an_address_refused_for_now_is_retried_until_the_last_attempt(alerts, refusing):
    refusing.code = "451 4.3.0 Try again later"

    for run in range(MAX_ATTEMPTS - 1):
        assert send_digests(later(run)).failed == 1
        digest = Digest.objects.get()
        assert (digest.status, digest.attempts) == (Digest.Status.FAILED, run + 1)
        assert Match.objects.filter(digest=digest).count() == 2

    last = send_digests(later(MAX_ATTEMPTS))

    assert (last.composed, last.failed) == (0, 1)
    digest = Digest.objects.get()
    assert (digest.status, digest.attempts) == (Digest.Status.REFUSED, MAX_ATTEMPTS)
    assert digest.last_error == "The mail server refused the address: 451 4.3.0 Try again later"
    assert Match.objects.filter(digest=None, status=MatchStatus.APPROVED).count() == 2
    assert send_digests(later(MAX_ATTEMPTS + 8)) == Sent()
    assert refusing.messages == []


def test_unsubscribed_paused_and_unconsented_people_get_nothing(alerts, world, inbox):
    Subscription.objects.filter(person=world.ana).update(paused=True)
    subscribe(world.ben, unsubscribed_at=NOW)
    subscribe(world.hugo, consented_at=None)
    for person in (world.ben, world.hugo):
        make_match(person, make_item(f"For {person.full_name}"), by=world.alice)
    make_match(world.carla, make_item("For Carla, who has no subscription"), by=world.alice)

    assert send_digests(NOW) == Sent()
    assert inbox.messages == []
    assert Digest.objects.count() == 0


def test_a_waiting_digest_is_given_back_when_the_person_unsubscribes(alerts, inbox, settings):
    up = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    send_digests(NOW)
    Subscription.objects.update(unsubscribed_at=later(0.1))
    settings.EMAIL_PORT = up

    result = send_digests(later(0.2))

    assert result == Sent(released=1)
    assert inbox.messages == []
    assert Digest.objects.count() == 0
    assert set(Match.objects.values_list("status", "digest")) == {(MatchStatus.APPROVED, None)}


def test_weekly_waits_seven_days_and_monthly_a_calendar_month(alerts, world, inbox):
    send_digests(NOW)  # Monday 2 March
    make_match(world.ana, make_item("A later paper"), by=world.alice)

    assert send_digests(later(6)) == Sent()
    assert send_digests(later(7)) == Sent(composed=1, sent=1)

    Subscription.objects.update(frequency="monthly")
    make_match(world.ana, make_item("Another paper"), by=world.alice)
    assert send_digests(later(7 + 30)) == Sent()  # 8 April is before 9 April
    assert send_digests(later(7 + 31)) == Sent(composed=1, sent=1)
    assert [m["Subject"] for _, m in inbox.messages] == [
        "Library alerts: 2 new items for you",
        "Library alerts: 1 new item for you",
        "Library alerts: 1 new item for you",
    ]


def test_only_approved_matches_unless_the_person_is_set_to_automatic_sending(world, inbox):
    subscribe(world.ana)
    subscribe(world.ben, auto_send=True)
    make_match(world.ana, make_item("Suggested to Ana"), status=MatchStatus.SUGGESTED)
    make_match(world.ben, make_item("Suggested to Ben"), status=MatchStatus.SUGGESTED, score=0.7)
    make_match(
        world.ben, make_item("Rejected for Ben"), status=MatchStatus.REJECTED, by=world.alice
    )

    result = send_digests(NOW)

    assert result == Sent(composed=1, sent=1)
    ((to, msg),) = inbox.messages
    assert to == ["ben@uni.example"]
    assert msg["Subject"] == "Library alerts: 1 new item for you"
    assert msg["Reply-To"] == "Alice Liddell <alice@library.example>"  # Chemistry Lab's librarian
    assert "1. Suggested to Ben\n" in body(msg, "plain")
    assert "Your library picked" not in body(msg, "plain")
    assert dict(Match.objects.values_list("item__title", "status")) == {
        "Suggested to Ana": MatchStatus.SUGGESTED,
        "Suggested to Ben": MatchStatus.SENT,
        "Rejected for Ben": MatchStatus.REJECTED,
    }


def test_no_librarian_means_no_reply_to(world, inbox):
    subscribe(world.carla, auto_send=True)
    make_match(world.carla, make_item("For Carla"), status=MatchStatus.SUGGESTED)

    send_digests(NOW)

    ((_, msg),) = inbox.messages
    assert msg["Reply-To"] is None
    assert body(msg, "plain").startswith(
        "Hello Carla Diaz,\n\nYour library picked this item for you.\n"
    )


def test_the_command_reports_counts_and_fails_loudly(alerts, inbox, settings, capsys):
    call_command("send_digests")
    assert capsys.readouterr().out == (
        "Composed 1; sent 1; failed 0 (will retry); given back 0 (alerts turned off).\n"
    )

    make_match(alerts.sub.person, make_item("Next week's paper"), by=alerts.prisma.decided_by)
    Subscription.objects.update(last_sent_at=None)
    settings.EMAIL_PORT = free_port()
    with pytest.raises(CommandError, match=r"^Could not send: ana\.ruiz@uni\.example: The mail"):
        call_command("send_digests")
    assert Digest.objects.filter(status=Digest.Status.FAILED, attempts=1).count() == 1


def test_the_task_runs_the_same_service(alerts, inbox):
    assert send_digests_task.call() == {"composed": 1, "sent": 1, "failed": 0, "released": 0}
    assert len(inbox.messages) == 1


def test_a_waiting_digest_goes_first_and_new_items_wait_for_the_next_one(
    alerts, world, inbox, settings
):
    up = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    send_digests(NOW)
    newer = make_match(world.ana, make_item("Approved while the server was down"), by=world.alice)
    settings.EMAIL_PORT = up

    retried = send_digests(later(1))

    assert retried == Sent(sent=1)
    ((_, msg),) = inbox.messages
    assert msg["Subject"] == "Library alerts: 2 new items for you"
    assert "Approved while the server was down" not in body(msg, "plain")
    newer.refresh_from_db()
    assert (newer.status, newer.digest) == (MatchStatus.APPROVED, None)
    assert send_digests(later(1 + 7)) == Sent(composed=1, sent=1)
    assert inbox.messages[1][1]["Subject"] == "Library alerts: 1 new item for you"


def test_names_and_notes_are_encoded_and_escaped(world, inbox):
    lukasz = make_person("Łukasz Żółw", groups=[world.chem], email="lukasz@uni.example")
    subscribe(lukasz)
    make_match(
        lukasz, make_item("Fast <i>in situ</i> NMR"), by=world.alice, note="See §3 & <b>4</b>"
    )

    send_digests(NOW)

    ((_, msg),) = inbox.messages
    assert msg["To"] == "Łukasz Żółw <lukasz@uni.example>"
    assert "Note from Alice Liddell: See §3 & <b>4</b>\n" in body(msg, "plain")
    html = body(msg, "html")
    assert "Fast &lt;i&gt;in situ&lt;/i&gt; NMR" in html
    assert "<blockquote><p>See §3 &amp; &lt;b&gt;4&lt;/b&gt;</p>" in html


def test_a_digest_that_cannot_be_made_fails_alone(alerts, world, inbox):
    broken = make_person("Broken\nName", groups=[world.chem], email="broken@uni.example")
    subscribe(broken)
    make_match(broken, make_item("For the broken row"), by=world.alice)

    result = send_digests(NOW)

    assert (result.composed, result.sent, result.failed) == (2, 1, 1)
    assert [to for to, _ in inbox.messages] == [["ana.ruiz@uni.example"]]
    failed = Digest.objects.get(person=broken)
    assert (failed.status, failed.attempts) == (Digest.Status.FAILED, 1)
    assert failed.last_error == (
        "The message could not be made: ValueError: Invalid address; address parts cannot"
        " contain newlines."
    )
