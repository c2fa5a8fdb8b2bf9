"""The import button says how many rows the dry run found will be imported, not the file's
row count, and how many that fail it leaves out."""

import pytest
from django.urls import reverse

from tests.imports.conftest import FIXTURES, upload


@pytest.mark.parametrize(
    ("counts", "label"),
    [
        ({"created": 3, "updated": 1, "skipped": 0, "failed": 1, "rows": 5},
         "Import 4 rows; leave out 1 that fails</button>"),
        ({"created": 1, "updated": 0, "skipped": 2, "failed": 2, "rows": 5},
         "Import 1 row; leave out 2 that fail</button>"),
        ({"created": 5, "updated": 0, "skipped": 0, "failed": 0, "rows": 5},
         "Import 5 rows</button>"),
    ],
)  # fmt: skip
def test_the_import_button_counts_what_the_dry_run_will_import(client, staff, counts, label):
    job = upload(staff.alice, FIXTURES / "desk_log.csv")
    job.status, job.dry_run, job.total_rows = "checked", counts, 5
    job.save()
    client.force_login(staff.alice)

    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()

    assert label in page
