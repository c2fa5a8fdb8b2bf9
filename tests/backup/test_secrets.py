"""A backup holds no secret in clear (webhook signing secrets encrypted, alert-link and feed
tokens as hashes), and a restore on the same key gives them all back, working."""

import zipfile

import pytest

from rapport.awareness import links
from rapport.awareness.models import Subscription
from rapport.backup.dump import write_backup
from rapport.backup.load import restore_backup
from rapport.calendars.services import create_feed, open_feed
from rapport.webhooks import services as webhooks
from rapport.webhooks.models import Endpoint
from tests.backup.conftest import empty_everything

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_archive_holds_no_secret_and_a_restore_on_the_same_key_works(
    library, uploads, tmp_path, settings
):
    settings.RAPPORT_ENCRYPTION_KEY = ["the-servers-key-0123456789"]
    secret = webhooks.create_endpoint(
        by=library.ada, url="https://crm.example/rapport", events=["touchpoint.created"]
    ).secret
    token = links.issue(Subscription.objects.create(person=library.ana))
    _feed, feed_token = create_feed(by=library.alice)
    archive = tmp_path / "rapport.zip"

    write_backup(archive)

    with zipfile.ZipFile(archive) as zf:
        everything = b"".join(zf.read(name) for name in zf.namelist())
    for raw in (secret, secret.removeprefix("whsec_"), token, feed_token):
        assert raw.encode() not in everything

    empty_everything(uploads)
    restore_backup(archive)

    assert Endpoint.objects.get().secret == secret
    assert links.find(token).person.pk == library.ana.pk
    assert open_feed(feed_token).user.pk == library.alice.pk
