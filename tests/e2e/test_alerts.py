"""The preferences page a person opens from an alert email, on a phone, without an account."""

from playwright.sync_api import expect

from rapport.awareness.models import Interest, InterestState, Subscription


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_person_says_yes_sets_topics_and_frequency_then_unsubscribes(phone, world):
    sub = Subscription.objects.create(person=world.ana)
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
