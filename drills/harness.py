"""What every drill shares: a server it can kill, writers that retry, and the ledger's checks."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.measure import wait_until_ready
from bench.run import free_port
from drills.crowd import Crowd
from infrastructure.bootstrap import Services, build
from infrastructure.bulk.rebuild import Rebuild
from infrastructure.config.settings import Settings
from infrastructure.store.event_reader import FACT_RECORDED, EventReader

ADMIN_TOKEN = "drill-admin-token-0123"
LEDGER = [sys.executable, "-c", "from api.cli import app; app()"]
ACTORS = ("FRA", "DEU", "ITA", "ESP", "NLD", "BEL", "SWE", "NOR", "DNK", "FIN", "POL", "AUT")
DAYS = (date(1990, 1, 1), date(2010, 6, 30), date(2020, 1, 1), date.today())
MARK = "drill "  # every fact a drill writes carries a quote "drill <run> <n>": how lost and doubled are counted


@dataclass
class Row:
    """One line of the drills' table."""

    drill: str
    backend: str
    load: str = ""
    faults: str = ""
    inputs: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    lost: int = 0
    doubled: int = 0
    checks: list[str] = field(default_factory=list)  # what failed among the promises; empty if all held
    note: str = ""

    @property
    def held(self) -> bool:
        return self.lost == 0 and self.doubled == 0 and not self.checks

    def code_text(self) -> str:
        return " ".join(f"{code}:{n}" for code, n in sorted(self.codes.items()))


def statement(run: str, n: int, subject: str) -> dict[str, Any]:
    """A new, valid fact: a statement by one of ACTORS about a subject of the synthetic ledger."""
    return {
        "type": "statement_made",
        "actor": ACTORS[n % len(ACTORS)],
        "subject": subject,
        "effective_on": "2020-01-01",
        "details": {"stance": "neutral", "quote": f"{MARK}{run} {n}"},
        "sources": [{"url": "https://example.org/drill", "title": "drill"}],
    }


class Server:
    """`ledger serve --workers 2` on one port, which survives a kill -9 and a restart."""

    def __init__(self, url: str, log: Path, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {
            **os.environ,
            "LEDGER_DATABASE_URL": url,
            "LEDGER_ADMIN_TOKEN": ADMIN_TOKEN,
            "LEDGER_POOL_TIMEOUT": "5",  # a loaded two-core machine takes more than a second to connect
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("a") as stderr:
            self.process = subprocess.Popen(
                [*LEDGER, "serve", "--workers", "2", "--port", str(self.port)],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,  # its workers are killed with it
            )
        problem = wait_until_ready(self.base, self.process)
        if problem is not None:
            raise RuntimeError(problem)

    def kill9(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill9()


@contextmanager
def serving(url: str, log: Path, **env: str) -> Iterator[Server]:
    server = Server(url, log, **env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Writers(Crowd):
    """Threads that post new facts with Idempotency-Keys and retry each until it has an answer.

    An answer is a status the ledger decided (201, 200 for a replayed key, 4xx); a 503, 429 or a
    connection that failed is retried with the same key, so a fact is written once or not at all.
    """

    def __init__(self, base: str, threads: int, subjects: list[str], token: str = ADMIN_TOKEN) -> None:
        super().__init__(threads)
        self.base, self.threads, self.subjects, self.token = base, threads, subjects, token
        self.run = uuid.uuid4().hex[:8]
        self.acknowledged: set[str] = set()  # quotes of facts the ledger answered 201 or 200 for

    def work(self, t: int) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base, timeout=30, headers=headers) as client:
            n = t
            while not self.stopping.is_set():
                fact = statement(self.run, n, self.subjects[n % len(self.subjects)])
                key = f"{self.run}-{n}"
                status = self._until_answered(client, fact, key)
                with self.lock:
                    self.sent += 1
                    if status in (200, 201):
                        self.acknowledged.add(fact["details"]["quote"])
                n += self.threads

    def _until_answered(self, client: httpx.Client, fact: dict[str, Any], key: str) -> int | None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                response = client.post("/v1/facts", json=fact, headers={"Idempotency-Key": key})
            except httpx.HTTPError as error:
                self.tally(type(error).__name__)
                time.sleep(0.2)
                continue
            self.tally(str(response.status_code))
            if response.status_code not in (429, 503):
                return response.status_code
            time.sleep(float(response.headers.get("retry-after", "1")) / 4)
        return None


def stored_quotes(settings: Settings) -> Counter[str]:
    """How many times each drill quote is stored in the event store."""
    services = build(settings)
    try:
        return Counter(
            event.fact.details.get("quote", "")
            for _, event in EventReader(services.ledger).events(topics=[FACT_RECORDED])
            if str(event.fact.details.get("quote", "")).startswith(MARK)
        )
    finally:
        services.close()


def count_lost_and_doubled(
    row: Row, settings: Settings, acknowledged: set[str], refused: set[str] = frozenset()
) -> None:
    stored = stored_quotes(settings)
    row.lost = sum(1 for quote in acknowledged if stored[quote] == 0)
    row.doubled = sum(n - 1 for n in stored.values() if n > 1)
    wrongly = sum(1 for quote in refused if stored[quote])
    if wrongly:
        row.checks.append(f"{wrongly} refused facts stored")


def check_consistency(row: Row, settings: Settings, subjects: list[str]) -> None:
    """View equals replay for `subjects` on DAYS; a rebuild of the view equals the live one."""
    services = build(settings)
    try:
        queries = services.queries
        for subject in subjects:
            for day in DAYS:
                view = queries.subject_status(subject, day, mode="view")["relations"]
                replay = queries.subject_status(subject, day, mode="replay")["relations"]
                if view != replay:
                    row.checks.append(f"view != replay for {subject} on {day}")
                    break
        live = snapshot(services)
        Rebuild(services.ledger).run()
        if snapshot(services) != live:
            row.checks.append("rebuild != live")
    finally:
        services.close()


def snapshot(services: Services) -> tuple[Any, ...]:
    view = services.ledger.view
    return (json.dumps(list(view.all_status_rows()), default=str), view.subjects(), view.actors())


def postgres_down(admin_url: str, name: str) -> None:
    """The database refuses new sessions and ends the open ones; the server keeps running."""
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))


def postgres_up(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
