"""One client of the soak benchmark (benchmarks/soak.py): a process of its own that calls the
API over HTTP (http.client, no Django) until its time is up, and says what it saw.

A write is "ok" (acknowledged: 200 or 201), "unknown" (no answer: a timeout, a dropped
connection or a 5xx, so it may or may not have happened) or "refused" (a definite no: 412).
"""

import http.client
import json
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

#: Person fields a client may own on a shared person (free text, no rule on their value).
OWNED_FIELDS = ("job_title", "department", "building", "room", "desk", "notes")
DUEL_FIELD = "notes"
#: What a client does, and how often (weights).
OPERATIONS = {"capture": 45, "person": 25, "touchpoint": 15, "duel": 15}
KINDS = ("capture", "edit person field", "edit touchpoint", "read for If-Match", "If-Match edit")
EXPECTED = {
    "capture": {201},
    "edit person field": {200},
    "edit touchpoint": {200},
    "read for If-Match": {200},
    "If-Match edit": {200, 412},
}
#: In every capture line, so the checks find each one by it.
MARKER = re.compile(r"\bsoak-c(\d+)-n(\d+)\b")
#: Seconds a client waits for an answer before it counts a timeout.
TIMEOUT = 60.0


@dataclass
class Plan:
    """What one client does: made by the parent, handed to the client's process."""

    index: int
    port: int
    token: str
    person: int  # the shared person…
    field: str  # …and the field of theirs this client alone writes
    duel: int  # the person whose notes this client and one other write with If-Match
    mentions: list[str]  # e-mail addresses of people a capture may mention
    start_at: float
    stop_at: float
    seed: int


@dataclass
class Outcome:
    """What one client saw. A write is "ok" (acknowledged), "unknown" (no answer: a timeout or
    a dropped connection, so it may or may not have happened) or "refused" (a definite no)."""

    index: int
    statuses: Counter = field(default_factory=Counter)  # (kind, status or error name)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    captures: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # marker: outcome, id
    person_writes: list[tuple[str, str]] = field(default_factory=list)  # value, outcome
    touchpoint_writes: dict[int, list[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    duel_writes: list[tuple[str, str, int, int]] = field(default_factory=list)  # value, outcome,
    # the version it was made on, the version it made
    problems: list[str] = field(default_factory=list)


class Client:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.out = Outcome(index=plan.index)
        self.conn: http.client.HTTPConnection | None = None
        self.headers = {
            "Authorization": f"Bearer {plan.token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def call(self, kind: str, method: str, path: str, body: Any = None, **headers: str) -> Any:
        """(status or an error's name, response headers, decoded JSON or None)."""
        data = None if body is None else json.dumps(body).encode()
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.plan.port, timeout=TIMEOUT)
            self.conn.request(method, path, body=data, headers={**self.headers, **headers})
            response = self.conn.getresponse()
            raw = response.read()
            if response.will_close:
                self.reset()
        except TimeoutError:
            self.reset()
            return self.count(kind, "timeout", started), {}, None
        except (OSError, http.client.HTTPException) as err:
            self.reset()
            self.problem(f"{kind}: {type(err).__name__}: {err}")
            return self.count(kind, "connection error", started), {}, None
        status = self.count(kind, response.status, started)
        if status not in EXPECTED[kind]:
            self.problem(f"{kind}: {status} {raw[:300]!r}")
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = None
        return status, response.headers, payload

    def count(self, kind: str, status: Any, started: float) -> Any:
        self.out.latencies[kind].append(time.perf_counter() - started)
        self.out.statuses[(kind, status)] += 1
        return status

    def problem(self, text: str) -> None:
        if len(self.out.problems) < 5:
            self.out.problems.append(text)

    def reset(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def run(self) -> Outcome:
        plan = self.plan
        rng = random.Random(plan.seed)
        operations, weights = zip(*OPERATIONS.items(), strict=True)
        time.sleep(max(0.0, plan.start_at - time.time()))
        n = 0
        while time.time() < plan.stop_at:
            n += 1
            value = f"c{plan.index:02d}-{n:06d}"
            operation = rng.choices(operations, weights)[0]
            if operation == "touchpoint" and not self.own_touchpoints():
                operation = "capture"
            if operation == "capture":
                self.capture(f"soak-c{plan.index:02d}-n{n:06d}", rng.choice(plan.mentions))
            elif operation == "person":
                self.edit_person(value)
            elif operation == "touchpoint":
                self.edit_touchpoint(rng.choice(self.own_touchpoints()), value)
            else:
                self.duel(value)
        self.reset()
        return self.out

    def own_touchpoints(self) -> list[int]:
        return [pk for outcome, pk in self.out.captures.values() if pk is not None]

    def capture(self, marker: str, email: str) -> None:
        line = f"@{email} asked about {marker} ~5m #soak"
        status, _, body = self.call(
            "capture", "POST", "/api/v1/touchpoints/capture", {"line": line}
        )
        if status == 201 and body and body.get("capture_line") == line:
            self.out.captures[marker] = ("ok", body["id"])
        else:
            self.out.captures[marker] = (judge(status), None)

    def edit_person(self, value: str) -> None:
        plan = self.plan
        status, _, body = self.call(
            "edit person field", "PATCH", f"/api/v1/people/{plan.person}", {plan.field: value}
        )
        if status == 200 and not (body and body.get(plan.field) == value):
            self.problem(f"edit person field: 200 without the value written: {body!r:.300}")
        self.out.person_writes.append((value, judge(status)))

    def edit_touchpoint(self, pk: int, value: str) -> None:
        status, _, body = self.call(
            "edit touchpoint", "PATCH", f"/api/v1/touchpoints/{pk}", {"answer": value}
        )
        if status == 200 and not (body and body.get("answer") == value):
            self.problem(f"edit touchpoint: 200 without the value written: {body!r:.300}")
        self.out.touchpoint_writes[pk].append((value, judge(status)))

    def duel(self, value: str) -> None:
        path = f"/api/v1/people/{self.plan.duel}"
        status, headers, _ = self.call("read for If-Match", "GET", path)
        if status != 200:
            return
        etag = headers.get("ETag", "")
        status, headers, body = self.call(
            "If-Match edit", "PATCH", path, {DUEL_FIELD: value}, **{"If-Match": etag}
        )
        made = int(headers.get("ETag", '"0"').strip('"')) if status == 200 else 0
        if status == 200 and not (body and body.get(DUEL_FIELD) == value):
            self.problem(f"If-Match edit: 200 without the value written: {body!r:.300}")
        self.out.duel_writes.append((value, judge(status), int(etag.strip('"') or 0), made))


def judge(status: Any) -> str:
    if status in (200, 201):
        return "ok"
    if status in ("timeout", "connection error") or (isinstance(status, int) and status >= 500):
        return "unknown"  # the server may have written it before failing to answer
    return "refused"


def run_client(plan: Plan) -> Outcome:
    return Client(plan).run()
