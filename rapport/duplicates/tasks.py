"""Background work for duplicates; thin: a scan id in, the service out."""

from django_tasks import task

from rapport.duplicates import services


@task()
def find_duplicates(scan_id: int) -> None:
    services.run_scan(scan_id)
