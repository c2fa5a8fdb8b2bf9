"""Benchmark webhooks: what announcing costs a capture, and how fast deliveries go out.

    DJANGO_SETTINGS_MODULE=rapport.settings RAPPORT_DATA_DIR=/tmp/webhooks-bench \\
        .venv/bin/python -m benchmarks.webhooks [--captures 1000] [--endpoints 3]

A fresh SQLite database; a real HTTP receiver on 127.0.0.1 (a thread answering 200 at once).

1. Capture: `create_touchpoint` (one person, in its own transaction, as the capture box does)
   timed `--captures` times with no webhook, then again with `--endpoints` webhooks subscribed
   to touchpoint.created: the difference is emit's cost (find endpoints, build the payload,
   store a delivery per endpoint, queue a task per delivery on commit).
2. Sending: `send_due` over every delivery those captures made (claim, sign, POST, record),
   against the bare baseline of the same bodies POSTed with the same signed headers by
   urllib in a loop, no database, in the same run.

Issue 5 sets no figure for webhooks; the targets here are the project's own: announcing adds
at most 5 ms to a capture, and sending keeps up with at least 50 deliveries a second.
"""

import argparse
import os
import resource
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TARGET_ADDED_MS = 5.0
TARGET_PER_SECOND = 50.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.webhooks", description=__doc__)
    parser.add_argument("--captures", type=int, default=1_000)
    parser.add_argument("--endpoints", type=int, default=3)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    data_dir = Path(os.environ.get("RAPPORT_DATA_DIR", "var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    db = data_dir / "webhooks-bench.sqlite3"
    for stale in data_dir.glob("webhooks-bench.sqlite3*"):
        stale.unlink()
    os.environ["RAPPORT_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import timezone

    from rapport.accounts.models import Role, User
    from rapport.people.models import Person
    from rapport.touchpoints.services import create_touchpoint
    from rapport.webhooks import sending, services
    from rapport.webhooks.models import Delivery
    from rapport.webhooks.signing import signature_header

    call_command("migrate", verbosity=0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"

    admin = User.objects.create_user("admin", role=Role.ADMIN)
    librarian = User.objects.create_user("librarian", role=Role.LIBRARIAN)
    person = Person.objects.create(full_name="Ana Ruiz", email="ana@uni.example")

    def captures(n: int) -> float:
        start = time.perf_counter()
        for i in range(n):
            create_touchpoint(
                by=librarian,
                people=[person],
                occurred_at=timezone.now(),
                question=f"Question {i} about PRISMA search strings",
            )
        return time.perf_counter() - start

    reverse("home")  # a running server has loaded its URLs (payloads link back) already
    captures(50)  # warm up: connections, caches, first queries
    without = captures(args.captures)
    for i in range(args.endpoints):
        services.create_endpoint(by=admin, url=f"{url}/{i}", events=["touchpoint.created"])
    with_hooks = captures(args.captures)
    made = Delivery.objects.count()

    start = time.perf_counter()
    result = sending.send_due()
    send_time = time.perf_counter() - start

    rows = list(Delivery.objects.select_related("endpoint").order_by("pk"))
    start = time.perf_counter()
    for d in rows:
        raw = d.body.encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Rapport-Event": d.event,
            "Rapport-Delivery": str(d.delivery_id),
            "Rapport-Signature": signature_header(d.endpoint.secret, int(time.time()), raw),
        }
        request = urllib.request.Request(d.endpoint.url, data=raw, headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    bare_time = time.perf_counter() - start
    server.shutdown()

    per_without = without / args.captures * 1000
    per_with = with_hooks / args.captures * 1000
    added = per_with - per_without
    rate = result.delivered / send_time
    bare_rate = len(rows) / bare_time
    print()
    print(f"{'measure':<52} {'Rapport':>10} {'target':>9} {'bare':>10} {'ratio':>7}")
    print(
        f"{f'capture with {args.endpoints} webhooks (ms each)':<52} {per_with:>10.2f} "
        f"{'':>9} {per_without:>10.2f} {per_with / per_without:>7.2f}"
    )
    print(
        f"{'  added by announcing (ms per capture)':<52} {added:>10.2f} "
        f"{f'≤ {TARGET_ADDED_MS:g}':>9} {'':>10} {'':>7}"
    )
    print(
        f"{f'send {result.delivered:,} deliveries (per second)':<52} {rate:>10.0f} "
        f"{f'≥ {TARGET_PER_SECOND:g}':>9} {bare_rate:>10.0f} {bare_rate / rate:>7.2f}"
    )
    print()
    print(
        f"{made:,} deliveries made by {args.captures:,} captures; delivered {result.delivered:,},"
        f" retrying {result.retrying}, failed {result.failed}; peak memory {peak_mb():,.0f} MB"
    )
    print("bare (capture) = the same captures with no webhook registered")
    print("bare (send) = the same signed bodies POSTed by urllib in a loop, no database")


if __name__ == "__main__":
    main()
