"""The feed across processes: servers sharing one database, a server stopping, `ledger follow` killed."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.measure import wait_until_ready
from tests.api.feed_client import Event, feed_server, read, wait_for, write_statement
from tests.api.server import free_port
from tests.conftest import database

pytestmark = pytest.mark.slow
LEDGER = [sys.executable, "-c", "from api.cli import app; app()"]
STATEMENT = {
    "type": "statement_made",
    "actor": "CHN",
    "subject": "taliban-iea",
    "effective_on": "2025-07-04",
    "details": {"speaker": "Ministry of Foreign Affairs", "stance": "supportive", "quote": "across processes"},
    "sources": [{"url": "https://example.org/statement", "title": "A statement", "publisher": "Example"}],
}


@contextmanager
def served(url: str, tmp_path: Path, **env: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`ledger serve` in a process of its own, on the database at `url`."""
    port = free_port()
    environment = {**os.environ, "LEDGER_DATABASE_URL": url, "LEDGER_ADMIN_TOKEN": "t0ken-for-a-served-test", **env}
    log = (tmp_path / f"serve-{port}.log").open("w")
    server = subprocess.Popen(
        [*LEDGER, "serve", "--port", str(port)], env=environment, stdout=log, stderr=log, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        problem = wait_until_ready(base, server, seconds=60)
        assert problem is None, problem
        yield base, server
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(30)
        log.close()


@pytest.mark.postgres
def test_a_fact_written_through_one_server_reaches_a_stream_served_by_another(tmp_path: Path) -> None:
    with database("postgres", str(tmp_path)) as url:
        subprocess.run(
            [*LEDGER, "demo"], env={**os.environ, "LEDGER_DATABASE_URL": url}, check=True, capture_output=True
        )
        with served(url, tmp_path) as (writer, _), served(url, tmp_path) as (reader, _):
            posted: dict[str, Any] = {}

            def post_once_live(events: list[Event]) -> bool:
                if events[-1].name == "caught-up":
                    answer = httpx.post(
                        f"{writer}/v1/facts",
                        json=STATEMENT,
                        headers={"Authorization": "Bearer t0ken-for-a-served-test"},
                    )
                    assert answer.status_code == 201, answer.text
                    posted.update(answer.json())
                return bool(posted) and events[-1].name == "fact"

            events = read(reader, "?type=statement_made", until=post_once_live)
            assert events[-1].data["fact_id"] == posted["fact_id"]
            assert events[-1].data["details"]["quote"] == "across processes"


def test_a_server_that_stops_ends_its_streams_cleanly_and_exits(backend: str, tmp_path: Path) -> None:
    with database(backend, str(tmp_path)) as url:
        subprocess.run(
            [*LEDGER, "demo"], env={**os.environ, "LEDGER_DATABASE_URL": url}, check=True, capture_output=True
        )
        with served(url, tmp_path) as (base, server):

            def stop_once_caught_up(events: list[Event]) -> bool:
                if events[-1].name == "caught-up":
                    server.send_signal(signal.SIGTERM)
                return False

            events = read(base, until=stop_once_caught_up)
            assert events[-1] == Event("end", 20, {"reason": "shutdown", "log_index": 20})
            # uvicorn ends its graceful shutdown by raising the signal it caught again
            assert server.wait(30) in (0, -signal.SIGTERM), "it exits, with no stream keeping it waiting"
        logged = "".join(p.read_text() for p in tmp_path.glob("serve-*.log"))
        assert "Application shutdown complete" in logged and "Cancel" not in logged, logged[-2000:]


def test_ledger_follow_killed_and_restarted_misses_nothing_and_repeats_nothing(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """`ledger follow --cursor-file` into a file, killed with SIGKILL at random moments while
    facts are written, and started again each time: the file holds every record once, in order."""
    output, cursor = tmp_path / "feed.jsonl", tmp_path / "cursor.json"
    with feed_server("sqlite", tmp_path, clock, feed_lifetime_seconds=0.7, feed_retry_ms=50) as (services, base):
        command = [*LEDGER, "follow", "--url", base, "--cursor-file", str(cursor)]
        writer = threading.Thread(target=lambda: [write_statement(services, d) for d in range(60)])
        writer.start()
        chance = random.Random(19)
        for _ in range(6):
            with output.open("ab") as sink:
                follower = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL)
                try:
                    follower.wait(timeout=chance.uniform(1.0, 2.5))
                except subprocess.TimeoutExpired:
                    follower.send_signal(signal.SIGKILL)
                follower.wait()
        writer.join()
        size = services.feed_reader.size()
        with output.open("ab") as sink:
            follower = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL)
            try:
                wait_for(lambda: _last_index(output) == size - 1, "the last record reaches the file", 60)
            finally:
                follower.send_signal(signal.SIGKILL)
                follower.wait()
        indexes = [json.loads(line)["log_index"] for line in output.read_text().splitlines()]
        assert indexes == list(range(size))
        assert json.loads(cursor.read_text())["after"] == size - 1


def _last_index(path: Path) -> int | None:
    lines = path.read_text().splitlines()
    return int(json.loads(lines[-1])["log_index"]) if lines else None


def test_ledger_follow_stops_when_its_output_is_closed(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """`ledger follow | head -c 100`: once head has gone, follow's next write ends it, instead of
    a reconnect."""
    with feed_server("sqlite", tmp_path, clock) as (services, base):
        follower = subprocess.Popen([*LEDGER, "follow", "--url", base], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert follower.stdout is not None
        assert len(follower.stdout.read(100)) == 100
        follower.stdout.close()
        write_statement(services, 1)  # a record to write to the closed pipe
        assert follower.wait(timeout=30) == 0
        assert follower.stderr is not None and b"reconnecting" not in follower.stderr.read()
