"""`rapport serve`: migrate, load the demo library into an empty database, and serve.

The worker it starts beside the server stops with it: SIGTERM or SIGINT (Ctrl+C) stops the
server and then the worker, waiting for a task it is in the middle of (a second signal stops
it at once). If `serve` itself is killed outright (SIGKILL, a crash), the worker notices its
parent is gone and stops too (`rapport worker --parent-pid`), so no worker is left behind.
"""

import os
import signal
import subprocess
import sys
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from rapport.accounts.models import User

#: Seconds the worker has to finish the task it is working on before it is killed.
WORKER_GRACE = 30
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM and SIGINT alike: waitress stops serving on KeyboardInterrupt.

    Installed explicitly, because a process started in the background by a shell inherits
    SIGINT ignored, and Python's default SIGTERM ends the process without any clean-up."""
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Prepare the database and serve Rapport with waitress (a production WSGI server)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-demo",
            action="store_true",
            help="do not load the demo library into an empty database",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start `rapport worker` beside the server (run it yourself)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="prepare everything, print how to sign in, but do not serve",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not opts["no_demo"] and not User.objects.exists():
            self.stdout.write("The database is empty: loading the demo library…")
            call_command("demo", stdout=self.stdout)
        self.stdout.write(f"Rapport is at http://{opts['host']}:{opts['port']}/")
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write(
            "Sign in with a demo account (see above or the README) or one made with "
            "`rapport createuser NAME --role librarian`. Stop with Ctrl+C."
        )
        if opts["check"]:
            return
        from waitress import create_server

        from rapport.wsgi import application

        previous = {sig: signal.signal(sig, _interrupt) for sig in STOP_SIGNALS}
        worker = None
        try:
            server = create_server(
                application,
                host=opts["host"],
                port=opts["port"],
                threads=opts["threads"],
                ident="rapport",
                # waitress drops X-Forwarded-* headers unless told otherwise; behind the one
                # trusted proxy Rapport reads them itself (settings.RAPPORT_BEHIND_PROXY).
                clear_untrusted_proxy_headers=not settings.RAPPORT_BEHIND_PROXY,
            )
            # Background work (matching runs, digests) needs a worker; one machine, one command.
            if not opts["no_worker"]:
                worker = self.start_worker()
            server.run()  # returns on SIGTERM / SIGINT, its threads finished
        except KeyboardInterrupt:
            pass  # a signal before the server ran: stop all the same
        finally:
            if worker is not None:
                self.stop_worker(worker)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Rapport stopped.")

    def start_worker(self) -> subprocess.Popen[bytes]:
        worker = subprocess.Popen(
            [sys.executable, "-m", "rapport", "worker", "--parent-pid", str(os.getpid())]
        )
        self.stdout.write(f"Background worker started (process {worker.pid}).")
        return worker

    def stop_worker(self, worker: subprocess.Popen[bytes]) -> None:
        """SIGTERM lets the worker finish its task; after WORKER_GRACE seconds, or on a second
        SIGTERM / Ctrl+C while waiting, it is killed."""
        if worker.poll() is not None:
            return
        self.stdout.write(f"Stopping the background worker (process {worker.pid})…")
        worker.terminate()
        try:
            worker.wait(timeout=WORKER_GRACE)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            worker.kill()
            worker.wait()
