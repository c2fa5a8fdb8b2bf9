"""`rapport serve`: migrate, load the demo library into an empty database, and serve."""

import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from rapport.accounts.models import User


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
        url = f"http://{opts['host']}:{opts['port']}/"
        self.stdout.write(f"Rapport is at {url}")
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write(
            "Sign in with a demo account (see above or the README) or one made with "
            "`rapport createuser NAME --role librarian`. Stop with Ctrl+C."
        )
        if opts["check"]:
            return
        from waitress import serve

        from rapport.wsgi import application

        # Background work (matching runs, digests) needs a worker; one machine, one command.
        worker = None
        if not opts["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "rapport", "worker"])
            self.stdout.write(f"Background worker started (process {worker.pid}).")
        try:
            serve(
                application,
                host=opts["host"],
                port=opts["port"],
                threads=opts["threads"],
                ident="rapport",
            )
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
