"""Downloading exports as a signed-in user, and reading them back the way the project reads
CSV (the `csv` module, the byte-order mark dropped, the formula guard undone) and XLSX."""

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from rapport.exports.cells import unescape_cell


def download(client, user, name, fmt="csv", **params):
    client.force_login(user)
    return client.get(reverse("exports:download", args=[name, fmt]), params)


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    return [[unescape_cell(c) for c in row] for row in csv.reader(io.StringIO(text, newline=""))]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, body(response)[:500]
    return read_csv(body(response))


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(body(response)), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]
