"""A vCard import says how far it has got while it works, and the job page shows it."""

import io

from django.urls import reverse

from rapport.contacts import importer
from rapport.contacts.models import ContactImport
from rapport.uploads import lifecycle
from rapport.uploads.models import this_worker

HTMX = {"HTTP_HX_REQUEST": "true"}


def cards(n: int) -> bytes:
    return "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i}\r\nEMAIL:p{i}@uni.example\r\nEND:VCARD\r\n"
        for i in range(n)
    ).encode()


def uploaded(by, n: int) -> ContactImport:
    return lifecycle.upload(
        "vcards", by=by, stream=io.BytesIO(cards(n)), name="c.vcf", how="caller"
    )


def test_the_count_is_saved_after_each_batch_where_another_reader_sees_it(world, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    job = uploaded(world.alice, 5)
    seen = []

    def watch(done: int) -> None:  # what the page would read, while the import is open
        seen.append((done, ContactImport.objects.get(pk=job.pk).progress))

    checked = lifecycle.work("vcards", job.pk, progress=watch)
    assert (checked.status, checked.cards, seen) == ("checked", 5, [(2, 2), (4, 4), (5, 5)])
    assert checked.progress is None  # a check's count is not a run's

    seen.clear()
    lifecycle.run(by=job.created_by, job=job, how="caller")
    done = lifecycle.work("vcards", job.pk, progress=watch)

    assert seen == [(2, 2), (4, 4), (5, 5)]
    assert (done.status, done.created, done.progress, done.file.name) == ("done", 5, None, "")


def test_a_small_file_notes_its_count_once(world):
    job = uploaded(world.alice, 3)
    seen = []
    lifecycle.work(
        "vcards",
        lifecycle.run(by=job.created_by, job=job, how="caller", checked=False).pk,
        progress=seen.append,
    )
    assert seen == [3]


def test_the_page_shows_cards_done_of_the_total_while_running(client, world):
    client.force_login(world.alice)
    job = uploaded(world.alice, 5)
    with job.hold():  # a live worker runs it
        ContactImport.objects.filter(pk=job.pk).update(
            status="running", cards=5, worker=this_worker()
        )
        job.note_progress(4)

        html = client.get(reverse("contacts:import_detail", args=[job.pk]), **HTMX).text

    assert html.lstrip().startswith('<section class="card" id="job-status"')
    assert 'hx-trigger="every 1s"' in html
    assert '<label for="job-bar">4 of 5 cards imported</label>' in html
    assert '<progress id="job-bar" max="5" value="4">4 of 5</progress>' in html


def test_the_page_shows_cards_so_far_while_checking(client, world):
    client.force_login(world.alice)
    job = uploaded(world.alice, 5)
    job.note_progress(3)

    html = client.get(reverse("contacts:import_detail", args=[job.pk]), **HTMX).text

    assert '<label for="job-bar">3 cards checked so far</label>' in html
    assert '<progress id="job-bar">3</progress>' in html


def test_no_count_before_the_worker_starts(client, world):
    client.force_login(world.alice)
    job = uploaded(world.alice, 5)

    html = client.get(reverse("contacts:import_detail", args=[job.pk]), **HTMX).text

    assert "job-bar" not in html
    assert "Reading every one of its cards to show what importing would do" in html
