"""The preferences page a person opens from an alert email, on a phone, without an account."""

from django.utils import timezone
from playwright.sync_api import expect

from rapport.awareness import links
from rapport.awareness.models import Interest, InterestState, Item, Match, MatchStatus, Subscription
from rapport.touchpoints.models import Origin, Touchpoint


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_person_says_yes_sets_topics_and_frequency_then_unsubscribes(phone, world):
    sub = Subscription.objects.create(person=world.ana)
    links.issue(sub)
    phone.goto(f"/alerts/{sub.token}/")
    expect(phone.get_by_role("heading", name="Your library alerts")).to_be_visible()
    expect(phone.locator("#alert-status")).to_have_text("Not subscribed yet.")
    no_sideways_scroll(phone)

    phone.get_by_role("button", name="Yes, send me alerts").click()
    expect(phone.locator(".messages")).to_have_text("Thank you: your alerts are on.")
    expect(phone.locator("#alert-status")).to_contain_text("On, weekly")

    phone.get_by_label("Add a topic").fill("Green chemistry")
    phone.get_by_role("button", name="Add topic").click()
    expect(phone.locator(".messages")).to_have_text("Added “green chemistry” to your topics.")
    expect(phone.locator("#topic-list")).to_contain_text("green chemistry")
    interest = Interest.objects.get(person=world.ana)
    assert (interest.term, interest.state, interest.by_person) == (
        "green chemistry",
        InterestState.STATED,
        True,
    )

    phone.get_by_label("Monthly").check()
    phone.get_by_role("button", name="Save how often").click()
    expect(phone.locator(".messages")).to_have_text("Saved: monthly.")
    expect(phone.get_by_label("Monthly")).to_be_checked()

    phone.get_by_role("button", name="Remove green chemistry").click()
    expect(phone.locator("#removed-topics")).to_contain_text("green chemistry")
    no_sideways_scroll(phone)

    phone.get_by_role("button", name="Unsubscribe").click()
    expect(phone.locator(".messages")).to_have_text("You are unsubscribed: no more alerts.")
    expect(phone.get_by_role("button", name="Yes, send me alerts")).to_be_visible()
    sub.refresh_from_db()
    assert (sub.frequency, sub.unsubscribed_at is not None) == ("monthly", True)
    assert Interest.objects.get(person=world.ana).state == InterestState.REMOVED


def test_a_wrong_link_says_so(phone, world):
    response = phone.goto("/alerts/no-such-token/")
    assert response.status == 404
    expect(phone.get_by_role("heading", name="Link not valid")).to_be_visible()


def test_an_answer_from_the_email_is_confirmed_then_recorded(phone, world):
    sub = Subscription.objects.create(person=world.ana, consented_at=timezone.now())
    links.issue(sub)
    item = Item.objects.create(title="PRISMA 2020 explained", title_key="prisma 2020 explained")
    match = Match.objects.create(
        person=world.ana, item=item, score=0.9, status=MatchStatus.SENT, decided_by=world.alice
    )

    phone.goto(f"/alerts/{sub.token}/feedback/{match.pk}/useful/")
    expect(phone.get_by_role("heading", name="Mark as useful?")).to_be_visible()
    match.refresh_from_db()
    assert match.feedback == ""  # opening the link (as a mail scanner does) changes nothing

    phone.get_by_role("button", name="Mark as useful").click()
    expect(phone.locator(".messages")).to_have_text(
        "Thank you: “PRISMA 2020 explained” noted as useful."
    )
    expect(phone.locator("#sent-items")).to_contain_text("you said: useful")
    no_sideways_scroll(phone)
    match.refresh_from_db()
    assert match.feedback == "useful"
    assert Touchpoint.objects.filter(origin=Origin.ALERT, author=world.alice).count() == 1
