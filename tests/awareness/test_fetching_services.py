"""The services that fetch over the network (a feed by URL, a person's ORCID works) refuse the
server's own and private networks with a plain message, and store nothing."""

import socket

import pytest
from django.urls import reverse

from rapport.audit.models import AuditEntry
from rapport.awareness import services
from rapport.awareness.models import Item, Publication
from rapport.errors import Invalid
from tests.servers import answer, web_site

pytestmark = pytest.mark.django_db

PRIVATE = "That address is on a private network, which Rapport does not fetch from."
RSS = b'<rss version="2.0"><channel><title>T</title><item><title>A</title></item></channel></rss>'


def test_a_feed_at_the_database_port_is_refused_without_saying_what_answered(world):
    # PostgreSQL listens here on the test machines: the old message named it.
    with pytest.raises(Invalid) as err:
        services.import_feed(by=world.alice, url="http://127.0.0.1:5432/", match=False)

    assert err.value.message == PRIVATE
    assert err.value.fields == {"url": [PRIVATE]}
    assert Item.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_a_feed_on_this_server_is_refused_and_never_asked(world):
    with web_site({"/feed": answer(200, RSS)}) as site:
        with pytest.raises(Invalid) as err:
            services.import_feed(by=world.alice, url=f"{site.url}/feed", match=False)

        assert site.seen == []
    assert err.value.message == PRIVATE
    assert Item.objects.count() == 0


def test_an_allowed_feed_on_the_campus_network_is_imported(world, allow_loopback):
    with web_site({"/feed": answer(200, RSS, content_type="application/rss+xml")}) as site:
        result = services.import_feed(by=world.alice, url=f"{site.url}/feed", match=False)

    assert result.created == 1
    assert list(Item.objects.values_list("title", flat=True)) == ["A"]


def test_a_fetched_feeds_unreadable_dates_are_left_empty_and_reported(world, allow_loopback):
    feed = (
        b'<rss version="2.0"><channel><title>T</title>'
        b"<item><title>Jornadas de la biblioteca</title><link>https://x.example/1</link>"
        b"<pubDate>martes, 4 de marzo de 2025</pubDate></item>"
        b"<item><title>Report</title><link>https://x.example/2</link>"
        b"<pubDate>2025</pubDate></item></channel></rss>"
    )
    with web_site({"/feed": answer(200, feed, content_type="application/rss+xml")}) as site:
        result = services.import_feed(by=world.alice, url=f"{site.url}/feed", match=False)

    assert result.created == 2
    assert list(Item.objects.order_by("title").values_list("title", "published_on")) == [
        ("Jornadas de la biblioteca", None),
        ("Report", None),
    ]
    assert [str(p) for p in result.problems] == [
        "entry 1: Its date “martes, 4 de marzo de 2025” could not be read as a day; it was "
        "left empty.",
        "entry 2: Its date “2025” could not be read as a day; it was left empty.",
    ]


def test_orcid_resolving_to_a_private_address_is_refused(world, monkeypatch):
    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):
        return real("10.9.8.7" if host == "pub.orcid.org" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    ana = world.ana

    with pytest.raises(Invalid) as err:
        services.fetch_publications(by=world.alice, person=ana, orcid="0000-0002-1825-0097")

    assert err.value.message == PRIVATE
    assert err.value.fields == {"orcid": [PRIVATE]}
    assert Publication.objects.count() == 0


def test_the_feed_form_shows_the_refusal_and_nothing_about_what_answered(client, world):
    client.force_login(world.alice)

    response = client.post(reverse("awareness:import_feed"), {"url": "http://127.0.0.1:5432/"})

    assert response.status_code == 422
    page = response.content.decode()
    assert PRIVATE in page
    assert "Remote end" not in page
    assert Item.objects.count() == 0
