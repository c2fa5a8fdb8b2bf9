"""Download any exportable list as CSV or XLSX, with the page's own query string."""

from django.http import HttpResponse

from rapport.accounts.pages import AuthedRequest, page_view
from rapport.errors import NotFound
from rapport.exports.registry import get_export
from rapport.exports.services import record_export
from rapport.exports.writers import FORMATS, respond


@page_view
def download(request: AuthedRequest, name: str, fmt: str) -> HttpResponse:
    export = get_export(name)
    if fmt not in FORMATS:
        raise NotFound(f"Lists export as CSV or XLSX, not “{fmt}”.")
    selection = export.selection(request.user, request.GET)
    record_export(by=request.user, name=name, fmt=fmt, params=request.GET)
    return respond(  # type: ignore[return-value]
        fmt,
        name=name,
        label=selection.label,
        title=export.title,
        headers=export.headers(),
        rows=export.rows(selection),
    )
