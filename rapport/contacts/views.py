"""vCard pages: upload and preview an import, follow its run, and download cards."""

from collections.abc import Iterable

from django import forms
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from rapport.accounts.pages import AuthedRequest, page_view
from rapport.accounts.roles import require_librarian
from rapport.contacts.forms import VCardFileForm, export_filters
from rapport.contacts.queries import access_contact_import, imports_for, people_to_export
from rapport.contacts.writer import write_cards
from rapport.people.queries import access_person
from rapport.uploads import lifecycle
from rapport.uploads.models import MB, upload_limit
from rapport.uploads.views import job_page, upload_step

RECENT_IMPORTS = 10
EXPORT_CHUNK = 2_000
VCARD_TYPE = "text/vcard; charset=utf-8"


def _import_page(
    request: AuthedRequest, form: forms.Form, status: int = 200, error: str = ""
) -> HttpResponse:
    context = {
        "form": form,
        "upload_error": error,
        "max_mb": upload_limit() // MB,
        "recent": imports_for(request.user)[:RECENT_IMPORTS],
    }
    return render(request, "contacts/import.html", context, status=status)


@page_view
def import_page(request: AuthedRequest) -> HttpResponse:
    """Upload a vCard file; it is checked (a dry run) before anything changes."""
    require_librarian(request.user, to="import people")
    return upload_step(
        request,
        form=VCardFileForm,
        create=lambda data: lifecycle.upload(
            "vcards", by=request.user, stream=data["file"], name=data["file"].name
        ),
        page=lambda form, status, error: _import_page(request, form, status, error),
    )


@page_view
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The import's status page: what importing it would do, its progress, its report."""
    return job_page(request, access_contact_import(request.user, pk))


def _download(chunks: Iterable[bytes], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=VCARD_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@page_view
def export(request: AuthedRequest) -> HttpResponse:
    """vCard 4.0 of the people list's selection (q, group, status) or of `ids`."""
    people = people_to_export(request.user, **export_filters(request.user, request.GET))
    chunks = write_cards(people.iterator(chunk_size=EXPORT_CHUNK))
    # Streamed, so memory stays flat for any selection; page_view passes it through untouched.
    return _download(chunks, "people.vcf")  # type: ignore[return-value]


@page_view
def person_card(request: AuthedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    response = HttpResponse(b"".join(write_cards([person])), content_type=VCARD_TYPE)
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.vcf"'
    return response
