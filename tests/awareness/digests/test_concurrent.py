"""Two runs at once (cron and the worker) send each digest once."""

import threading

import pytest
from django.db import OperationalError, connection

from rapport.awareness.models import Digest
from rapport.awareness.sending import send_digests
from tests.awareness.digests.conftest import NOW


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_one_email(alerts, inbox):
    results, errors = [], []
    start = threading.Barrier(2)

    def run():
        start.wait()
        try:
            results.append(send_digests(NOW))
        except OperationalError as err:
            errors.append(str(err))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(inbox.messages) == 1
    assert list(Digest.objects.values_list("status", "attempts")) == [(Digest.Status.SENT, 1)]
    if connection.vendor == "postgresql":
        # The second run waits for the first one's lock, then finds nothing left to do.
        assert sorted((r.composed, r.sent) for r in results) == [(0, 0), (1, 1)]
    else:
        # The test database is SQLite in memory with a shared cache, where a second writer is
        # refused at once instead of waiting out the busy timeout as it does on a real file.
        assert sum(r.sent for r in results) == 1
        assert all(e.startswith("database table is locked") for e in errors)
