"""The administrator's flow in a real browser on a phone: add a webhook, read its secret, send a
test event, and watch the log turn Delivered by itself (HTMX polling) once the worker sent it."""

import pytest
from playwright.sync_api import expect

from rapport.webhooks import sending
from rapport.webhooks.models import Delivery, Endpoint
from rapport.webhooks.signing import verify

pytestmark = pytest.mark.browser


def test_add_a_webhook_and_send_it_a_test_event(phone, sign_in, world, receiver):
    sign_in(phone, "ada")
    phone.goto("/webhooks/")
    phone.get_by_role("link", name="Add a webhook").click()

    phone.get_by_label("Address (URL)").fill("ftp://files.example/in")
    phone.get_by_label("touchpoint.created: a touchpoint was logged").check()
    phone.get_by_role("button", name="Add the webhook").click()
    expect(phone.locator(".field-error")).to_have_text(
        "“ftp://files.example/in” is not a web address (https://…)."
    )

    phone.get_by_label("Address (URL)").fill(receiver.url)
    phone.get_by_role("button", name="Add the webhook").click()

    endpoint = Endpoint.objects.get()
    expect(phone.locator("h1")).to_have_text(receiver.url)
    phone.get_by_text("Show the secret").click()
    expect(phone.locator("#endpoint-secret")).to_have_text(endpoint.secret)

    phone.get_by_role("button", name="Send test event").click()
    log = phone.locator("#delivery-log")
    expect(log).to_contain_text("Pending")
    sending.send_due()  # what `rapport worker` does
    expect(log).to_contain_text("Delivered", timeout=15_000)  # polled every 5 s

    [got] = receiver.received
    verify(endpoint.secret, got.headers["Rapport-Signature"], got.body)
    assert Delivery.objects.get().status == "succeeded"
