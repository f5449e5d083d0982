"""PostgreSQL made unreachable under load, the server left running, then back again."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from drills.crowd import Crowd
from drills.harness import (
    Row,
    Writers,
    check_consistency,
    count_lost_and_doubled,
    postgres_down,
    postgres_up,
    serving,
)
from infrastructure.config.settings import Settings


class Readers(Crowd):
    """Threads asking GET recognitions, tallying each answer's status; and the first 200 after `since`."""

    def __init__(self, base: str, threads: int, subjects: list[str]) -> None:
        super().__init__(threads)
        self.base, self.threads, self.subjects = base, threads, subjects
        self.since: float | None = None
        self.recovered: float | None = None

    def work(self, t: int) -> None:
        with httpx.Client(base_url=self.base, timeout=30) as client:
            n = t
            while not self.stopping.is_set():
                try:
                    status = str(
                        client.get(f"/v1/subjects/{self.subjects[n % len(self.subjects)]}/recognitions").status_code
                    )
                except httpx.HTTPError as error:
                    status = type(error).__name__
                with self.lock:
                    self.codes[status] += 1
                    if status == "200" and self.since is not None and self.recovered is None:
                        self.recovered = time.monotonic() - self.since
                n += self.threads


def database_unreachable(settings: Settings, admin_url: str, work: Path, subjects: list[str], seconds: float) -> Row:
    row = Row("database unreachable under load, and back", settings.backend)
    name = settings.database_url.rsplit("/", 1)[1]
    with serving(settings.database_url, work / "outage.log") as server:
        writers, readers = Writers(server.base, 4, subjects), Readers(server.base, 4, subjects)
        writers.start()
        readers.start()
        try:
            time.sleep(seconds / 3)
            postgres_down(admin_url, name)
            time.sleep(seconds / 3)
            postgres_up(admin_url, name)
            readers.since = time.monotonic()
            time.sleep(seconds / 3)
        finally:
            postgres_up(admin_url, name)
            writers.stop()
            readers.stop()
    row.load = f"4 writers, 4 readers, {seconds:g} s"
    back = f"{readers.recovered:.1f} s" if readers.recovered is not None else "never"
    row.faults = f"ALLOW_CONNECTIONS false + pg_terminate_backend for {seconds / 3:g} s; reads back in {back}"
    row.inputs = writers.sent + sum(readers.codes.values())
    row.codes = writers.codes + readers.codes
    if readers.recovered is None:
        row.checks.append("reads did not recover")
    if any(code.startswith("5") and code != "503" for code in row.codes):
        row.checks.append("a 5xx other than 503")
    count_lost_and_doubled(row, settings, writers.acknowledged)
    check_consistency(row, settings, subjects[:4])
    return row
