"""`rapport worker`: work the background queue (matching runs, digests) until stopped.

SIGTERM or SIGINT stops it after the task it is working on (a second one stops it at once).
With `--parent-pid` (as `rapport serve` starts it) it also stops when that process ends, even
when the parent was killed outright and could not stop it: on Linux the kernel sends it
SIGTERM (prctl PR_SET_PDEATHSIG); elsewhere a thread watches its parent once a second.
"""

import ctypes
import os
import signal
import sys
import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def stop_with_parent(parent_pid: int) -> None:
    """Have this process receive SIGTERM when its parent `parent_pid` ends."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0:
            # The parent may have died before the request took effect: then nobody will
            # signal us, so go now.
            if os.getppid() != parent_pid:
                os.kill(os.getpid(), signal.SIGTERM)
            return
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


def _watch_parent(parent_pid: int, interval: float = 1.0) -> None:
    while os.getppid() == parent_pid:
        time.sleep(interval)
    os.kill(os.getpid(), signal.SIGTERM)


class Command(BaseCommand):
    help = (
        "Work background tasks (matching, digests, imports, duplicate searches, webhooks) "
        "from the database queue until stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Work what is queued now, then stop."
        )
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument(
            "--parent-pid",
            type=int,
            default=None,
            help="Stop when this process ends (`rapport serve` passes its own).",
        )

    def handle(self, *args, batch: bool, interval: float, parent_pid: int | None, **options):
        if parent_pid is not None:
            stop_with_parent(parent_pid)
        arguments = ["--interval", str(interval)]
        if batch:
            arguments.append("--batch")
        call_command("db_worker", *arguments, verbosity=options.get("verbosity", 1))
