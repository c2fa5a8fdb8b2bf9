"""The upload, preview and run pages, and vCard downloads of a selection or one person."""

import pytest
import vobject
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from rapport.contacts.models import ContactImport
from rapport.people.models import Person
from rapport.uploads import lifecycle
from tests.contacts.conftest import fixture
from tests.contacts.strict import check

HTMX = {"HTTP_HX_REQUEST": "true"}


def vcf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, fixture(name).read_bytes(), content_type="text/vcard")


def names_in(response) -> list[str]:
    data = b"".join(response.streaming_content)
    check(data)
    return [card.fn.value for card in vobject.readComponents(data.decode("utf-8"))]


def test_import_page_has_a_labelled_upload_form(client, world):
    client.force_login(world.alice)
    html = client.get(reverse("contacts:import")).text
    assert '<label for="id_file">vCard file (.vcf):</label>' in html
    assert 'enctype="multipart/form-data"' in html
    assert "No imports yet." in html


@pytest.mark.parametrize(
    "url",
    [
        reverse("contacts:import"),
        reverse("contacts:export"),
        reverse("contacts:person", args=[1]),
    ],
)
def test_managers_get_403(client, world, url):
    client.force_login(world.mia)
    response = client.get(url)
    assert response.status_code == 403
    assert "Managers see aggregate figures only" in response.text


def test_upload_is_checked_then_shows_the_preview_and_changes_nothing(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("contacts:import"), {"file": vcf("google-3.0.vcf")})
    job = ContactImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("contacts:import_detail", args=[job.pk])
    checking = client.get(response.url, **HTMX).text
    assert "Reading every one of its cards to show what importing would do" in checking
    assert 'hx-trigger="every 1s"' in checking

    lifecycle.work("vcards", job.pk)  # what the worker does next

    html = client.get(response.url).text
    assert "What importing it would do" in html
    assert "<strong>2</strong> to create" in html
    assert "Import 2 changes" in html
    assert "No name on the card; named after the e-mail address." in html
    assert Person.objects.count() == 4


def test_upload_of_a_non_vcard_file_says_so(client, world):
    client.force_login(world.alice)
    upload = SimpleUploadedFile("people.csv", b"name,email\nAna,a@x\n")
    response = client.post(reverse("contacts:import"), {"file": upload})
    assert response.status_code == 422
    assert "No vCards found in that file" in response.text
    assert ContactImport.objects.count() == 0


def test_another_librarians_import_is_not_found(client, world):
    client.force_login(world.alice)
    client.post(reverse("contacts:import"), {"file": vcf("apple-3.0.vcf")})
    job = lifecycle.work("vcards", ContactImport.objects.get().pk)
    client.force_login(world.bob)
    assert client.get(reverse("contacts:import_detail", args=[job.pk])).status_code == 404
    assert client.post(reverse("contacts:import_run", args=[job.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_run_is_queued_worked_by_the_worker_and_reported(client, world):
    client.force_login(world.alice)
    client.post(reverse("contacts:import"), {"file": vcf("thunderbird-4.0.vcf")})
    job = ContactImport.objects.get()
    call_command("worker", "--batch", verbosity=0)  # checks the file
    job.refresh_from_db()
    assert (job.status, job.created) == (ContactImport.Status.CHECKED, 1)

    response = client.post(reverse("contacts:import_run", args=[job.pk]))
    assert response.status_code == 302
    partial = client.get(reverse("contacts:import_detail", args=[job.pk]), **HTMX).text
    assert "<html" not in partial
    assert 'hx-trigger="every 1s"' in partial
    assert "Waiting for the worker" in partial

    call_command("worker", "--batch", verbosity=0)  # runs the import

    job.refresh_from_db()
    assert (job.status, job.created) == (ContactImport.Status.DONE, 1)
    html = client.get(reverse("contacts:import_detail", args=[job.pk])).text
    assert "What the import did" in html
    assert "<strong>1</strong> created" in html
    assert 'hx-trigger="every 1s"' not in html
    assert Person.objects.filter(full_name="Priya Raman").count() == 1


def test_export_of_the_people_i_can_see(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("contacts:export"))
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people.vcf"'
    assert names_in(response) == ["Ana Ruiz", "Ben Okafor"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=ruiz", ["Ana Ruiz"]),
        ("status=student", ["Ben Okafor"]),
        ("group={history}", ["Hugo Marsh"]),
        ("ids={ana},{hugo}", ["Ana Ruiz", "Hugo Marsh"]),
        ("ids={ana}&ids={carla}", ["Ana Ruiz", "Carla Diaz"]),
        ("ids=", []),
        ("q=nobody", []),
    ],
)
def test_export_filters_like_the_people_list(client, world, query, expected):
    client.force_login(world.ada)
    ids = {"ana": world.ana.pk, "hugo": world.hugo.pk, "carla": world.carla.pk}
    url = reverse("contacts:export") + "?" + query.format(history=world.history.pk, **ids)
    assert names_in(client.get(url)) == expected


def test_export_ids_outside_my_scope_are_left_out(client, world):
    client.force_login(world.alice)
    url = reverse("contacts:export") + f"?ids={world.ana.pk},{world.hugo.pk}"
    assert names_in(client.get(url)) == ["Ana Ruiz"]


def test_export_with_bad_ids_says_so(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("contacts:export") + "?ids=1,two")
    assert response.status_code == 422
    assert "ids must be person numbers separated by commas" in response.text


def test_one_persons_card(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("contacts:person", args=[world.ana.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="person-{world.ana.pk}.vcf"'
    [card] = check(response.content)
    assert ("EMAIL", ";PREF=1", "ana.ruiz@uni.example") in card
    assert client.get(reverse("contacts:person", args=[world.hugo.pk])).status_code == 404
