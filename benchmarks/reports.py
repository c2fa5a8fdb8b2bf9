"""The report pages: coverage, the relationship report (a period and a date range) and
impact stories, for a manager (figures over the whole library) and for a librarian (over what
they may read).

The manager's pages are the ones that could grow with the library: coverage is paged, so it
should cost the same on the first page and on a later one, and the relationship report reads
each month off the touchpoints' index.
"""

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from benchmarks.cases import Result, bench_page

MANAGER_TARGET_MS = 1000.0
LIBRARIAN_TARGET_MS = 300.0


def report_urls() -> dict[str, list[str]]:
    """Each page with a few of its views: the first page, a later one, a name filter, another
    period."""
    coverage = reverse("reports:coverage")
    relationships = reverse("reports:relationships")
    stories = reverse("reports:stories")
    # Three years back from today, from the middle of a month: 37 monthly columns.
    today = timezone.localdate()
    since = f"from={today.year - 3}-{today.month:02}-15&to={today.isoformat()}"
    return {
        "coverage page": [coverage, f"{coverage}?page=2&lpage=2", f"{coverage}?q=lab"],
        "relationship report": [
            relationships,
            f"{relationships}?period=ay2025",
            f"{relationships}?{since}",
        ],
        "impact stories": [stories, f"{stories}?{since}"],
    }


def bench_reports(client_manager: Client, client_librarian: Client, rounds: int) -> list[Result]:
    """Time both report pages for both roles; the clients are already signed in."""
    results = []
    for role, client, target in (
        ("manager", client_manager, MANAGER_TARGET_MS),
        ("librarian", client_librarian, LIBRARIAN_TARGET_MS),
    ):
        for label, urls in report_urls().items():
            results.append(bench_page(client, f"{label} ({role})", urls, target, rounds))
    return results
