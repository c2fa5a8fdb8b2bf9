"""`rapport serve` as an operator runs it: a real process on a free port with its worker, then
stopped the ways a service manager or a terminal stops it. Its worker must never outlive it."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTED = re.compile(r"Background worker started \(process (\d+)\)")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie awaiting its parent counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """One SQLite data directory for the module: the first serve migrates it, later ones
    find it ready."""
    return tmp_path_factory.mktemp("serve")


class Served:
    def __init__(self, data_dir: Path, **variables: str):
        self.port = free_port()
        self.log = data_dir / f"serve-{self.port}.log"
        self.headers = {"X-Forwarded-Proto": "https"} if variables else {}
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
        env |= {"RAPPORT_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **variables}
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "rapport", "serve", "--no-demo", "--port", str(self.port)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                # As a shell starts a background job: SIGINT ignored, which Python inherits.
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
            )
        self.worker_pid = 0

    def get(self, path: str, headers: dict[str, str]):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        return NO_REDIRECTS.open(request, timeout=2)

    def answers(self) -> bool:
        try:
            with self.get("/login/", self.headers) as r:
                return r.status == 200
        except OSError:
            return False

    def wait_ready(self) -> None:
        assert wait_until(self.answers, 90), self.log.read_text()
        found = STARTED.search(self.log.read_text())
        assert found, self.log.read_text()
        self.worker_pid = int(found.group(1))
        assert alive(self.worker_pid)

    def stop(self) -> None:
        for pid in (self.process.pid, self.worker_pid):
            if pid and alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()


@pytest.fixture
def served(data_dir):
    server = Served(data_dir)
    server.wait_ready()
    yield server
    server.stop()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_with_its_worker_on_a_signal(served, sig):
    os.kill(served.process.pid, sig)

    assert served.process.wait(timeout=15) == 0
    assert wait_until(lambda: not alive(served.worker_pid), 5), "the worker outlived serve"
    assert not served.answers()
    assert "Rapport stopped." in served.log.read_text()


def test_worker_stops_when_serve_is_killed_outright(served):
    os.kill(served.process.pid, signal.SIGKILL)
    served.process.wait(timeout=5)

    assert wait_until(lambda: not alive(served.worker_pid), 10), "the worker was orphaned"


def test_serve_behind_the_proxy_sees_the_forwarded_scheme(data_dir):
    """waitress drops X-Forwarded-* headers by default; serve keeps them for Rapport to read
    when it is told a proxy is in front, so https requests are not redirected for ever."""
    server = Served(
        data_dir,
        RAPPORT_HTTPS="1",
        RAPPORT_BEHIND_PROXY="1",
        RAPPORT_SITE_URL="https://rapport.example",
    )
    try:
        server.wait_ready()
        with server.get("/login/", {"X-Forwarded-Proto": "https"}) as secure:
            headers = secure.headers
        with pytest.raises(urllib.error.HTTPError) as plain:
            server.get("/login/", {})
    finally:
        server.stop()

    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "Secure" in headers["Set-Cookie"]  # the CSRF cookie of the sign-in form
    assert (plain.value.code, plain.value.headers["Location"]) == (
        301,
        f"https://127.0.0.1:{server.port}/login/",
    )
