"""What was handed over for a request: a link, a file (kept under MEDIA_ROOT), a description."""

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.audit.services import record
from rapport.errors import Invalid
from rapport.requests.models import Deliverable, Request, Status
from rapport.requests.queries import access_request
from rapport.requests.services.fields import MAX_TEXT, headline
from rapport.weblinks import address_problem

MAX_FILE_BYTES = 50 * 1024 * 1024


@transaction.atomic
def add_deliverable(
    *,
    by: User,
    request: Request,
    title: str = "",
    url: str = "",
    file: UploadedFile | None = None,
    description: str = "",
    now: dt.datetime | None = None,
) -> Deliverable:
    """Attach what was handed over: a link, a file (kept under MEDIA_ROOT), a description."""
    request = access_request(by, request.pk, for_write=True)
    return write_deliverable(
        by, request, title=title, url=url, file=file, description=description, now=now
    )


def write_deliverable(
    by: User,
    request: Request,
    *,
    title: str = "",
    url: str = "",
    file: UploadedFile | None = None,
    description: str = "",
    now: dt.datetime | None = None,
) -> Deliverable:
    """Check and save a deliverable with its audit entry, inside the caller's transaction
    (`add_deliverable`, or delivering a request with what was handed over)."""
    if request.status == Status.DECLINED:
        raise Invalid("A declined request has nothing to deliver; reopen it first.")
    url, description = (url or "").strip(), (description or "").strip()
    errors: dict[str, list[str]] = {}
    if address_problem(url):  # http(s) only, the check every stored link passes
        errors["url"] = [address_problem(url)]
    if file is not None and file.size and file.size > MAX_FILE_BYTES:
        errors["file"] = [f"Files up to {MAX_FILE_BYTES // 1024 // 1024} MB; link larger ones."]
    title = " ".join((title or "").split())
    title = (
        title
        or ((file.name or "").rsplit("/", 1)[-1] if file else "")
        or url
        or headline(description)
    )
    if not title and not errors:
        errors["title"] = ["Give a title, a link, a file or a description."]
    if len(title) > 200:
        errors["title"] = ["Keep the title under 200 characters."]
    if len(description) > MAX_TEXT:
        errors["description"] = [f"Keep this under {MAX_TEXT:,} characters."]
    if errors:
        raise Invalid.first_of(errors, {"description": "Note"})
    deliverable = Deliverable(
        request=request,
        title=title,
        url=url,
        description=description,
        delivered_at=now or timezone.now(),
        by=by,
    )
    if file is not None:
        deliverable.file.save((file.name or "file").rsplit("/", 1)[-1], file, save=False)
    deliverable.save()
    record(
        actor=by,
        action="create",
        obj=deliverable,
        summary=f"{title} for #{request.pk}",
        changes={
            "request": request.pk,
            "title": title,
            "url": url,
            "file": deliverable.file.name or "",
            "description": description,
        },
    )
    return deliverable
